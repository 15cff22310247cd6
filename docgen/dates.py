"""Dates as written in official documents (成文日期) and strict ISO parsing."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["format_date_cn", "format_date_hanzi", "parse_iso_date"]

# [0-9], not \d: \d also matches full-width and other Unicode digits.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HANZI_DIGITS = "〇一二三四五六七八九"


def _require_date(d: date) -> date:
    """Reject non-dates early so the caller sees a TypeError, not garbage text."""
    if not isinstance(d, date):
        raise TypeError(f"须为日期（date），收到 {type(d).__name__}")
    return d


def format_date_cn(d: date) -> str:
    """Arabic-numeral date without zero padding, e.g. 2024年6月5日."""
    d = _require_date(d)
    return f"{d.year}年{d.month}月{d.day}日"


def _hanzi_number(n: int) -> str:
    """Month or day number 1..31 in 汉字: 五, 十, 十五, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _HANZI_DIGITS[ones]
    # 十五 not 一十五: the leading 一 is dropped for the teens.
    prefix = "" if tens == 1 else _HANZI_DIGITS[tens]
    return prefix + "十" + (_HANZI_DIGITS[ones] if ones else "")


def format_date_hanzi(d: date) -> str:
    """Date in 汉字 with 〇 (U+3007) for zero, e.g. 二〇二四年六月五日."""
    d = _require_date(d)
    year = "".join(_HANZI_DIGITS[int(c)] for c in f"{d.year:04d}")
    return f"{year}年{_hanzi_number(d.month)}月{_hanzi_number(d.day)}日"


def parse_iso_date(s: str) -> date:
    """Parse exactly YYYY-MM-DD; anything else raises ValueError."""
    if not isinstance(s, str):
        raise TypeError(f"日期须为字符串，收到 {type(s).__name__}")
    # fullmatch, because date.fromisoformat in 3.11 also takes 20240605 and
    # week dates, which a form field should not silently accept.
    if not _ISO_DATE.fullmatch(s):
        raise ValueError(f"日期格式须为 YYYY-MM-DD：{s!r}")
    try:
        return date(int(s[:4]), int(s[5:7]), int(s[8:]))
    except ValueError:
        raise ValueError(f"日期不存在：{s!r}") from None
