"""Reading JSON documents from clients and files: strict, bounded, and with clear errors."""

from __future__ import annotations

import json
from typing import Any

from docgen.errors import MalformedJSON

MAX_DEPTH = 32
MAX_INT_DIGITS = 20


def _no_constant(name: str) -> Any:
    raise MalformedJSON(f"JSON 中不允许出现 {name}")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise MalformedJSON(f"整数位数过多（超过 {MAX_INT_DIGITS} 位）")
    return int(digits)


def depth(value: Any) -> int:
    """Nesting depth of JSON data, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def parse_json_document(raw: bytes | str) -> Any:
    """Parse UTF-8 JSON; refuse NaN/Infinity, huge integers and nesting deeper than MAX_DEPTH."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int)
    except UnicodeDecodeError as exc:
        raise MalformedJSON(f"不是 UTF-8 编码的文本：{exc.reason}") from exc
    except json.JSONDecodeError as exc:
        raise MalformedJSON(f"JSON 语法错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from exc
    except RecursionError as exc:
        raise MalformedJSON(f"JSON 嵌套层数过深（最多 {MAX_DEPTH} 层）") from exc
    if depth(data) > MAX_DEPTH:
        raise MalformedJSON(f"JSON 嵌套层数过深（最多 {MAX_DEPTH} 层）")
    return data
