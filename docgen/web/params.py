"""Query and path parameters: bounded, ASCII digits where a number is meant, free of control characters."""

from __future__ import annotations

import re
from datetime import date

from docgen.errors import BadParameter
from docgen.text import clean_text


def text_parameter(name: str, value: str) -> str:
    """A query or path parameter: bounded, and free of characters no database should see."""
    if len(value) > 200 or clean_text(value) != value:
        raise BadParameter(f"参数 {name} 过长或含有控制字符", code="bad_parameter")
    return value


def int_parameter(args: dict[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    """An integer parameter in [low, high]; ``²`` or ``١`` are digits to str.isdigit, not to us."""
    raw = args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise BadParameter(f"参数 {name} 应为 {low} 到 {high} 之间的整数", code="bad_parameter")
    return int(raw)


def date_parameter(args: dict[str, str], name: str) -> date | None:
    """A YYYY-MM-DD parameter."""
    raw = args.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise BadParameter(f"参数 {name} 应为 YYYY-MM-DD 格式的日期", code="bad_parameter")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise BadParameter(f"参数 {name} 不是有效日期", code="bad_parameter") from exc
