"""Validation that speaks 简体中文 and JSON pointers: the schema (a quick yes, else jsonschema's explanation)
and the characters the official fonts can print."""

from __future__ import annotations

import functools
from typing import Any, Iterable

from docgen.doctypes.quick_check import compile_check
from docgen.errors import Issue
from docgen.fonts import unsupported_characters

MAX_ISSUES = 51  # one more than InvalidData keeps, so that it says "too many" (and stops reading early)


def pointer(parts: Iterable[Any]) -> str:
    """Build an RFC 6901 JSON pointer from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class SchemaValidator:
    """One schema's validation: the quick check passes valid data without jsonschema; anything it cannot
    pass goes to jsonschema (docgen.schema_errors), which decides and says what is wrong."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.quick = compile_check(schema)

    @functools.cached_property
    def detailed(self) -> Any:
        """jsonschema's validator, built (and jsonschema imported) on first need."""
        from docgen.schema_errors import detailed_validator
        return detailed_validator(self.schema)

    def issues(self, data: Any) -> list[Issue]:
        """The schema violations in ``data`` (at most MAX_ISSUES), as issues with paths and Chinese messages."""
        if self.quick is not None and self.quick(data):
            return []
        from docgen.schema_errors import explain
        return explain(self.detailed, data)


def make_validator(schema: dict[str, Any]) -> SchemaValidator:
    return SchemaValidator(schema)


def schema_issues(validator: SchemaValidator, data: Any) -> list[Issue]:
    return validator.issues(data)


def character_issues(data: Any, path: tuple[Any, ...] = ()) -> list[Issue]:
    """Issues for characters no bundled font can print (emoji, unassigned code points)."""
    if isinstance(data, str):
        bad = unsupported_characters(data)
        if not bad:
            return []
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in bad[:5])
        return [Issue(pointer(path), "unsupported_character", f"含有公文字体无法排印的字符 {shown}，请删除或改用文字表述")]
    if isinstance(data, list):
        return [i for n, item in enumerate(data) for i in character_issues(item, path + (n,))]
    if isinstance(data, dict):
        return [i for key, item in data.items() for i in character_issues(item, path + (key,))]
    return []
