"""A fast yes/no answer to "is this data valid against the schema?", without jsonschema.

Almost every request is valid. jsonschema answers that too, but it costs a tenth
of a second to import (a third of a cold ``docgen render``) and walks the data
through its generic keyword machinery (50 ms for a 200-case month on a slow
day). This compiles a schema once into nested closures that only say yes or no;
only a no brings in jsonschema (docgen.schema_errors), which then says
what is wrong, with paths and Chinese messages.

It knows the keywords docgen's schemas use, with jsonschema's draft 2020-12
meaning: type, properties, required, additionalProperties, items, the size and
range bounds, pattern, enum and const of strings, format "date" (docgen's
checker), uniqueItems (docgen's linear check), allOf and if/then/else. A schema
with any other keyword compiles to ``None`` and is checked by jsonschema alone,
so a custom document type can use all of JSON Schema. tests/test_validation.py
holds the answers to jsonschema's on generated data.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from docgen.dates import parse_iso_date

Check = Callable[[Any], bool]


def is_service_date(value: str) -> bool:
    """format "date": YYYY-MM-DD, a real calendar day, in 2000–2099 (the years the documents can concern)."""
    try:
        return 2000 <= parse_iso_date(value).year <= 2099
    except ValueError:
        return False


def has_duplicates(items: list[Any]) -> bool:
    """uniqueItems in linear time (jsonschema compares every pair, which a hostile list makes quadratic):
    canonical JSON, so equal JSON values give equal text (clean_data has already turned 10.0 into 10)."""
    seen: set[str] = set()
    for item in items:
        key = json.dumps(item, sort_keys=True, ensure_ascii=False)
        if key in seen:
            return True
        seen.add(key)
    return False


ANNOTATIONS = frozenset({
    "title", "description", "examples", "default", "$comment", "contentEncoding", "contentMediaType", "deprecated",
    "readOnly", "writeOnly",
})
DRAFT = "https://json-schema.org/draft/2020-12/schema"  # a root "$schema" other than this: jsonschema alone
_JSON_TYPES = (dict, list, str, int, float, bool, type(None))


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) this module does not decide."""


class Undecided(Exception):
    """A value this module cannot judge as jsonschema would (a Decimal, a NumPy number…): jsonschema decides.

    Every check answers exactly or raises this, so that an ``if`` never takes a branch on a guess."""


def _json_value(value: Any) -> Any:
    if not isinstance(value, _JSON_TYPES):
        raise Undecided(type(value).__name__)
    return value


_TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(_json_value(value), dict),
    "array": lambda value: isinstance(_json_value(value), list),
    "string": lambda value: isinstance(_json_value(value), str),
    "null": lambda value: _json_value(value) is None,
    "boolean": lambda value: isinstance(_json_value(value), bool),
    "number": lambda value: isinstance(_json_value(value), (int, float)) and not isinstance(value, bool),
    # jsonschema: 1.0 is an integer
    "integer": lambda value: (isinstance(_json_value(value), int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
}


def compile_check(schema: Any) -> Check | None:
    """``check(data) -> bool``, True only where jsonschema finds nothing wrong; None if the schema needs
    jsonschema itself. False means "not certainly valid": jsonschema then decides and explains."""
    if isinstance(schema, dict):
        if schema.get("$schema", DRAFT) != DRAFT:
            return None
        schema = {key: value for key, value in schema.items() if key not in ("$schema", "$id")}  # root only
    try:
        check = _compile(schema)
    except (Unsupported, re.error, TypeError, ValueError):  # a form it does not know, or a broken pattern
        return None

    def certainly_valid(data: Any) -> bool:
        try:
            return check(data)
        except Exception:  # Undecided, or a comparison a strange value refuses: jsonschema decides
            return False
    return certainly_valid


def _compile(schema: Any) -> Check:
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    unknown = set(schema) - ANNOTATIONS - set(_KEYWORDS) - {"then", "else"}
    if unknown:
        raise Unsupported(", ".join(sorted(unknown)))
    checks = [_KEYWORDS[key](schema[key], schema) for key in _ORDER if key in schema]
    checks = [check for check in checks if check is not None]
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _type(wanted: Any, _schema: dict[str, Any]) -> Check:
    names = [wanted] if isinstance(wanted, str) else wanted
    if not isinstance(names, list) or any(name not in _TYPES for name in names):
        raise Unsupported(f"type {wanted!r}")
    tests = [_TYPES[name] for name in names]
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


_NOT_NUMBERS = (bool, str, dict, list, type(None))


def _number_bound(fails: Callable[[Any, Any], bool]) -> Callable[[Any, dict[str, Any]], Check]:
    """A bound that ``fails(value, bound)`` as jsonschema tests it (so NaN passes, as there)."""
    def build(bound: Any, _schema: dict[str, Any]) -> Check:
        if isinstance(bound, bool) or not isinstance(bound, (int, float)):
            raise Unsupported(f"bound {bound!r}")

        def check(value: Any) -> bool:
            if type(value) is int or type(value) is float:
                return not fails(value, bound)
            if isinstance(value, _NOT_NUMBERS):
                return True  # not a number: the bound does not apply
            raise Undecided(type(value).__name__)  # another kind of number (Decimal, an int subclass…)
        return check
    return build


def _sized(kind: type, compare: Callable[[int, int], bool]) -> Callable[[Any, dict[str, Any]], Check]:
    def build(bound: Any, _schema: dict[str, Any]) -> Check:
        if isinstance(bound, bool) or not isinstance(bound, int):
            raise Unsupported(f"size {bound!r}")
        return lambda value: not isinstance(value, kind) or compare(len(value), bound)
    return build


def _pattern(source: Any, _schema: dict[str, Any]) -> Check:
    if not isinstance(source, str):
        raise Unsupported(f"pattern {source!r}")
    search = re.compile(source).search  # jsonschema: re.search, unanchored
    return lambda value: not isinstance(value, str) or search(value) is not None


def _strings(options: Any) -> frozenset[str]:
    """enum/const over strings only: equality is then plain ``==`` in jsonschema too (a non-string never
    equals a string); numbers, booleans and containers have jsonschema's own equality, left to it."""
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise Unsupported(f"enum {options!r}")
    return frozenset(options)


def _enum(options: Any, _schema: dict[str, Any]) -> Check:
    allowed = _strings(options)
    return lambda value: isinstance(value, str) and value in allowed


def _const(option: Any, _schema: dict[str, Any]) -> Check:
    return _enum([option], _schema)


def _format(name: Any, _schema: dict[str, Any]) -> Check | None:
    if name != "date":
        raise Unsupported(f"format {name!r}")  # other formats: as jsonschema's checker is configured
    return lambda value: not isinstance(value, str) or is_service_date(value)


def _unique(unique: Any, _schema: dict[str, Any]) -> Check | None:
    if not isinstance(unique, bool):
        raise Unsupported(f"uniqueItems {unique!r}")
    if not unique:
        return None
    return lambda value: not isinstance(value, list) or not has_duplicates(value)


def _required(names: Any, _schema: dict[str, Any]) -> Check | None:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise Unsupported(f"required {names!r}")
    if not names:
        return None
    return lambda value: not isinstance(value, dict) or all(name in value for name in names)


def _properties(properties: Any, _schema: dict[str, Any]) -> Check:
    if not isinstance(properties, dict):
        raise Unsupported("properties")
    checks = {name: _compile(subschema) for name, subschema in properties.items()}

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, item in value.items():
            item_check = checks.get(name)
            if item_check is not None and not item_check(item):
                return False
        return True
    return check


def _additional(additional: Any, schema: dict[str, Any]) -> Check | None:
    known = frozenset(schema.get("properties", {}))
    if additional is True:
        return None
    if additional is False:
        return lambda value: not isinstance(value, dict) or known.issuperset(value)
    extra_check = _compile(additional)
    return lambda value: not isinstance(value, dict) or all(
        extra_check(item) for name, item in value.items() if name not in known)


def _items(items: Any, _schema: dict[str, Any]) -> Check:
    item_check = _compile(items)  # draft 2020-12: one schema for every item (no prefixItems here)
    return lambda value: not isinstance(value, list) or all(item_check(item) for item in value)


def _all_of(schemas: Any, _schema: dict[str, Any]) -> Check:
    if not isinstance(schemas, list) or not schemas:
        raise Unsupported("allOf")
    checks = [_compile(subschema) for subschema in schemas]
    return lambda value: all(check(value) for check in checks)


def _if(condition: Any, schema: dict[str, Any]) -> Check | None:
    test = _compile(condition)  # exact or Undecided (which ends the whole check): never a branch on a guess
    then = _compile(schema["then"]) if "then" in schema else None
    otherwise = _compile(schema["else"]) if "else" in schema else None
    if then is None and otherwise is None:
        return None
    return lambda value: (then is None or then(value)) if test(value) else (otherwise is None or otherwise(value))


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check | None]] = {
    "type": _type,
    "minLength": _sized(str, lambda size, bound: size >= bound),
    "maxLength": _sized(str, lambda size, bound: size <= bound),
    "minItems": _sized(list, lambda size, bound: size >= bound),
    "maxItems": _sized(list, lambda size, bound: size <= bound),
    "minimum": _number_bound(lambda value, bound: value < bound),
    "maximum": _number_bound(lambda value, bound: value > bound),
    "exclusiveMinimum": _number_bound(lambda value, bound: value <= bound),
    "exclusiveMaximum": _number_bound(lambda value, bound: value >= bound),
    "pattern": _pattern,
    "enum": _enum,
    "const": _const,
    "format": _format,
    "uniqueItems": _unique,
    "required": _required,
    "additionalProperties": _additional,
    "properties": _properties,
    "items": _items,
    "allOf": _all_of,
    "if": _if,
}
# Cheap checks first: a wrong type or size fails before the items are walked.
_ORDER = ("type", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum",
          "exclusiveMaximum", "enum", "const", "pattern", "format", "required", "additionalProperties",
          "properties", "uniqueItems", "items", "allOf", "if")