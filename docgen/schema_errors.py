"""What is wrong with data a schema rejects: jsonschema's errors as issues with JSON pointers and Chinese messages.

Imported only when the quick check (docgen.doctypes.quick_check) cannot pass the data, or to compile the
validators in advance at worker start.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Iterator

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from docgen.doctypes.quick_check import has_duplicates, is_service_date
from docgen.doctypes.validation import MAX_ISSUES, pointer
from docgen.errors import Issue

_TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数字", "boolean": "布尔值（true/false）",
    "array": "列表", "object": "对象", "null": "空值",
}


DATE_CHECKER = FormatChecker(formats=())


@DATE_CHECKER.checks("date")
def _is_service_date(value: object) -> bool:
    return not isinstance(value, str) or is_service_date(value)


def _unique_items(validator: Any, unique: bool, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """uniqueItems in linear time: jsonschema compares every pair, which a hostile list makes quadratic."""
    if unique and validator.is_type(instance, "array") and has_duplicates(instance):
        yield ValidationError(f"{instance!r:.80} has non-unique elements")


LinearValidator = validators.extend(Draft202012Validator, {"uniqueItems": _unique_items})


FIRST = ("type", "maxItems", "maxLength", "minItems", "minLength")


def bounds_first(node: Any) -> Any:
    """The schema with its cheap size checks first in every object (keywords are checked in order):
    a list of 20,000 wrong items reports "too many" before the first 50 item errors fill the answer."""
    if isinstance(node, dict):
        ordered = {key: bounds_first(node[key]) for key in FIRST if key in node}
        ordered.update({key: bounds_first(value) for key, value in node.items() if key not in ordered})
        return ordered
    if isinstance(node, list):
        return [bounds_first(item) for item in node]
    return node


def detailed_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A draft 2020-12 validator that also checks ``format: date`` and never compares items pairwise.

    The schemas are code: tests/test_registry.py checks each against the metaschema, not every start-up."""
    return LinearValidator(bounds_first(schema), format_checker=DATE_CHECKER)


def explain(validator: Draft202012Validator, data: Any) -> list[Issue]:
    """The schema violations in ``data`` (at most MAX_ISSUES) as issues with paths and Chinese messages."""
    issues: dict[tuple[str, str], Issue] = {}
    for error in validator.iter_errors(data):  # lazy: stopping early skips the rest of a hostile body
        for issue in islice(_to_issues(error), MAX_ISSUES):
            issues.setdefault((issue.path, issue.code), issue)
        if len(issues) >= MAX_ISSUES:
            break
    return list(issues.values())[:MAX_ISSUES]


def _title(schema: Any, fallback: str) -> str:
    return schema.get("title", fallback) if isinstance(schema, dict) else fallback


def _to_issues(error: ValidationError) -> list[Issue]:
    """Translate one jsonschema error into one or more issues."""
    path = list(error.absolute_path)
    kind, value, instance = error.validator, error.validator_value, error.instance
    title = _title(error.schema, pointer(path) or "数据")
    if kind == "required":
        props = error.schema.get("properties", {})
        return [
            Issue(pointer(path + [name]), "required", f"缺少必填字段“{_title(props.get(name), name)}”")
            for name in value if isinstance(instance, dict) and name not in instance
        ]
    if kind in ("additionalProperties", "unevaluatedProperties"):
        known = set(error.schema.get("properties", {}))
        return [
            Issue(pointer(path + [name]), "unknown_field", f"不认识的字段“{name}”，请检查拼写或删除")
            for name in instance if name not in known
        ]
    return [Issue(pointer(path), *_describe(kind, value, instance, title, error))]


def _describe(kind: str, value: Any, instance: Any, title: str, error: ValidationError) -> tuple[str, str]:
    """Stable code and Chinese message for the remaining validator keywords."""
    if kind == "type":
        wanted = "或".join(_TYPE_NAMES.get(t, t) for t in ([value] if isinstance(value, str) else value))
        return "wrong_type", f"“{title}”应为{wanted}"
    if kind in ("enum", "const"):
        options = value if kind == "enum" else [value]
        return "not_allowed", f"“{title}”的取值应为以下之一：{'、'.join(map(str, options))}"
    if kind == "minLength":
        return ("empty", f"“{title}”不能为空") if value == 1 else ("too_short", f"“{title}”至少应有{value}个字符")
    if kind == "maxLength":
        return "too_long", f"“{title}”不得超过{value}个字符（现有{len(instance)}个）"
    if kind == "minItems":
        return "too_few", f"“{title}”至少应有{value}项"
    if kind == "maxItems":
        return "too_many", f"“{title}”最多{value}项（现有{len(instance)}项）"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        relation = {"minimum": "不得小于", "exclusiveMinimum": "应大于", "maximum": "不得大于", "exclusiveMaximum": "应小于"}
        return "out_of_range", f"“{title}”{relation[kind]}{value}"
    if kind == "pattern":
        hint = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
        return "bad_format", f"“{title}”格式不正确" + (f"：{hint}" if hint else "")
    if kind == "format" and value == "date":
        return "bad_date", f"“{title}”不是有效日期，应为 2000–2099 年间的 YYYY-MM-DD，如 2024-06-05"
    if kind == "uniqueItems":
        return "duplicate", f"“{title}”中有重复项"
    return f"schema_{kind}".lower(), f"“{title}”不符合要求（{kind}）"
