"""Forms from JSON Schemas: a field tree to render, and the posted form back to JSON.

Nothing here is written per document type: titles and descriptions become labels and
help, ``enum`` a select, ``format: date`` a date input, arrays repeatable groups,
``if/then/else`` on a sibling's value fields shown only when they apply. Field names
are dotted JSON paths (``problems.0.case_numbers.2``); errors arrive as JSON pointers
and are placed on the field they name. Values the form does not show (an embedded
seal image) ride along in hidden inputs, and markers remember which optional objects,
lists and booleans the data had, so a form filled from data posts back the same data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PRESENT = "~present"  # suffix of the marker input saying the data had this optional key
FORM_LAST = ("signature", "contact", "attachments", "imprint", "masking")
LONG_TEXT = 200  # strings allowed to be longer than this get a textarea


@dataclass(frozen=True)
class FormOptions:
    """How one user's form differs from the bare schema: fixed values, choices, fields left out."""

    fixed: Mapping[str, str] = field(default_factory=dict)  # dotted name → value shown, not editable
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # dotted name → select options
    carried: frozenset[str] = frozenset()  # rendered as hidden inputs: kept, not edited
    skipped: frozenset[str] = frozenset()  # not rendered and not posted (the registry supplies them)
    hints: Mapping[str, str] = field(default_factory=dict)  # dotted name → help for people rather than programs


@dataclass
class Node:
    """One field or group of the form."""

    key: str
    path: tuple[Any, ...]
    title: str
    description: str
    kind: str  # object | array | text | textarea | select | date | integer | number | checkbox | hidden | fixed
    required: bool = False
    value: Any = None
    options: tuple[str, ...] = ()
    children: list["Node"] = field(default_factory=list)
    items: list["Node"] = field(default_factory=list)
    template: "Node | None" = None
    max_items: int | None = None
    max_length: int | None = None
    condition: tuple[str, str, bool] | None = None  # (sibling name, value, shown when equal)
    present: bool = False
    error: str | None = None

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^0-9A-Za-z_]", "-", self.name or "root")

    @property
    def condition_name(self) -> str | None:
        return self.condition[0] if self.condition else None


def _schema_order(schema: Mapping[str, Any]) -> list[str]:
    keys = list(schema.get("properties", {}))
    return [k for k in keys if k not in FORM_LAST] + [k for k in FORM_LAST if k in keys]


def _conditions(schema: Mapping[str, Any]) -> dict[str, tuple[str, str, bool]]:
    """Fields an if/then/else on a sibling's constant value requires: shown only in that case."""
    found: dict[str, tuple[str, str, bool]] = {}
    for rule in schema.get("allOf", []):
        condition = rule.get("if", {}).get("properties", {})
        if len(condition) != 1:
            continue
        [(sibling, test)] = condition.items()
        if "const" not in test:
            continue
        for branch, shown in (("then", True), ("else", False)):
            for name in rule.get(branch, {}).get("required", []):
                found[name] = (sibling, str(test["const"]), shown)
    return found


def _leaf_kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return kind
    if schema.get("format") == "date":
        return "date"
    if schema.get("maxLength", 0) > LONG_TEXT:
        return "textarea"
    return "text"


def build_form(schema: Mapping[str, Any], data: Any, errors: Mapping[str, str] | None = None,
               options: FormOptions = FormOptions()) -> Node:
    """The field tree of ``schema`` filled with ``data``; ``errors`` maps dotted names to messages."""
    return _node(schema, data if isinstance(data, dict) else {}, (), "", True, errors or {}, options, None, True)


def _node(schema: Mapping[str, Any], value: Any, path: tuple[Any, ...], key: str, required: bool,
          errors: Mapping[str, str], options: FormOptions, condition: tuple[str, str, bool] | None,
          present: bool) -> Node:
    name = ".".join(str(part) for part in path)
    node = Node(key=key, path=path, title=schema.get("title", key),
                description=options.hints.get(name, schema.get("description", "")),
                kind="object", required=required, value=value, condition=condition, present=present,
                error=errors.get(name), max_length=schema.get("maxLength"))
    kind = schema.get("type")
    if kind == "object":
        node.kind = "object"
        mine = value if isinstance(value, dict) else {}
        required_keys = set(schema.get("required", []))
        conditions = _conditions(schema)
        prefix = f"{name}." if name else ""
        for child in _schema_order(schema):
            if f"{prefix}{child}" in options.skipped:
                continue
            cond = conditions.get(child)
            if cond:
                cond = (f"{prefix}{cond[0]}", cond[1], cond[2])
            node.children.append(_node(schema["properties"][child], mine.get(child), path + (child,), child,
                                       child in required_keys or cond is not None, errors, options, cond, child in mine))
        return node
    if kind == "array":
        node.kind, node.max_items = "array", schema.get("maxItems")
        item_schema = schema.get("items", {})
        for n, item in enumerate(value if isinstance(value, list) else []):
            node.items.append(_node(item_schema, item, path + (n,), str(n), True, errors, options, None, True))
        node.template = _node(item_schema, None, path + ("__i__",), "__i__", True, {}, options, None, True)
        return node
    node.kind = _leaf_kind(schema)
    node.options = tuple(str(o) for o in schema.get("enum", ()))
    if name in options.choices:
        node.kind, node.options = "select", options.choices[name]
    if name in options.fixed:
        node.kind, node.value = "fixed", options.fixed[name]
    elif name in options.carried:
        node.kind = "hidden"
    if node.kind == "checkbox" and value is None:
        node.value = schema.get("default", False)
    return node


# ---------------------------------------------------------------- form → JSON

class _Empty:
    """Nothing was filled in (the key is left out of the data)."""


EMPTY = _Empty()


def parse_form(schema: Mapping[str, Any], form: Iterable[tuple[str, list[str]]],
               options: FormOptions = FormOptions()) -> dict[str, Any]:
    """The JSON data a posted form stands for (``form`` as ``MultiDict.lists()``)."""
    raw: dict[str, Any] = {}
    markers: set[str] = set()
    for name, values in form:
        if name.endswith(PRESENT):
            markers.add(name[: -len(PRESENT)])
            continue
        parts = name.split(".")
        if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]{1,4}", part) for part in parts):
            continue  # csrf_token, action, and anything not shaped like a data path
        target = raw
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        else:
            target[parts[-1]] = values
    fixed = {name: [value] for name, value in options.fixed.items()}
    for name, values in fixed.items():  # fixed values are the registry's, whatever was posted
        target = raw
        parts = name.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = values
    result = _coerce(schema, raw, "", markers, options, required=True)
    return result if isinstance(result, dict) else {}


def _coerce(schema: Mapping[str, Any], raw: Any, name: str, markers: set[str], options: FormOptions,
            required: bool) -> Any:
    kind = schema.get("type")
    present = name in markers
    if kind == "object":
        mine = raw if isinstance(raw, dict) else {}
        out: dict[str, Any] = {}
        conditions = _conditions(schema)
        needed = set(schema.get("required", []))
        for key, sub in schema.get("properties", {}).items():
            child = f"{name}.{key}" if name else key
            if child in options.skipped:
                continue
            value = _coerce(sub, mine.get(key), child, markers, options, key in needed)
            if value is not EMPTY:
                out[key] = value
        for key, (sibling, wanted, shown) in conditions.items():
            if key in out and (str(out.get(sibling)) == wanted) != shown:
                del out[key]  # a field of the branch not chosen (a date typed before switching to "N days")
        return out if out or present or (required and not name) else EMPTY
    if kind == "array":
        mine = raw if isinstance(raw, dict) else {}
        indices = sorted((int(k), k) for k in mine if k.isdigit())
        items = [_coerce(schema.get("items", {}), mine[k], f"{name}.{k}", markers, options, True) for _, k in indices]
        items = [item for item in items if item is not EMPTY]
        return items if items or present or required else EMPTY
    values = raw if isinstance(raw, list) else []
    if kind == "boolean":
        if not values:
            return EMPTY
        checked = values[-1] in ("1", "true", "on")
        return EMPTY if not present and checked == schema.get("default", False) else checked
    text = values[0].strip() if values else ""
    if text == "":
        return EMPTY
    if kind == "integer" and re.fullmatch(r"-?[0-9]{1,15}", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"-?[0-9]{1,12}(\.[0-9]{1,6})?", text):
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def pointer_to_name(pointer: str) -> str:
    """/problems/0/description → problems.0.description"""
    return ".".join(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:])


def errors_by_field(issues: Iterable[Any]) -> tuple[dict[str, str], list[str]]:
    """Issues placed on fields (dotted names), and those that belong to no field (the whole form)."""
    placed: dict[str, str] = {}
    general: list[str] = []
    for issue in issues:
        name = pointer_to_name(issue.path)
        if name:
            placed.setdefault(name, issue.message)
        else:
            general.append(issue.message)
    return placed, general


def apply_array_action(schema: Mapping[str, Any], data: dict[str, Any], action: str) -> dict[str, Any]:
    """add:problems / remove:problems.1 / up:problems.1 / down:problems.1 on the data (forms without JavaScript)."""
    verb, _, target = action.partition(":")
    parts = [int(p) if p.isdigit() else p for p in target.split(".") if p]
    if not parts:
        return data
    if verb == "add":
        container = _reach(data, parts, create=True)
        item = _schema_at(schema, parts).get("items", {})
        if isinstance(container, list) and len(container) < _schema_at(schema, parts).get("maxItems", 10_000):
            container.append({} if item.get("type") == "object" else "")
        return data
    *parent_path, index = parts
    if not isinstance(index, int):
        return data
    parent = _reach(data, parent_path)
    if not isinstance(parent, list) or not 0 <= index < len(parent):
        return data
    if verb == "remove":
        parent.pop(index)
    elif verb in ("up", "down"):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(parent):
            parent[index], parent[other] = parent[other], parent[index]
    return data


def _schema_at(schema: Mapping[str, Any], parts: list[Any]) -> Mapping[str, Any]:
    for part in parts:
        schema = schema.get("items", {}) if isinstance(part, int) else schema.get("properties", {}).get(part, {})
    return schema


def _reach(data: Any, parts: list[Any], create: bool = False) -> Any:
    target = data
    for n, part in enumerate(parts):
        if isinstance(target, dict):
            if part not in target and create:
                target[part] = [] if n == len(parts) - 1 else {}
            target = target.get(part)
        elif isinstance(target, list) and isinstance(part, int) and 0 <= part < len(target):
            target = target[part]
        else:
            return None
    return target
