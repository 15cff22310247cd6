"""Jinja filters shared by the DOCX and HTML templates: dates, 文号, money, numerals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable

from docgen.dates import format_date_cn, format_date_hanzi
from docgen.money import amount_in_words, format_amount

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """Chinese numeral for section ordinals: 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一."""
    if not 0 < number < 100:
        raise ValueError(f"序号超出范围：{number}")
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[units] if units else "")


def document_number(organ_code: str, year: int, seq: int | None) -> str:
    """文号 per GB/T 9704: 昌司执监意〔2024〕7号; an unnumbered draft leaves the number blank."""
    number = str(int(seq)) if seq is not None else "\u3000"
    return f"{organ_code}\u3014{int(year)}\u3015{number}号"


def money_in_words(value: Decimal | str | int) -> str:
    """Amount in words with the 人民币 prefix: 人民币壹万元整."""
    return "人民币" + amount_in_words(value)


def join_cn(items: list[str]) -> str:
    """Join phrases with 顿号; titles in 书名号 stand side by side without one (GB/T 15834)."""
    joined = ""
    for n, item in enumerate(items):
        titles = n and items[n - 1].endswith("》") and item.startswith("《")
        joined += ("" if titles or n == 0 else "、") + item
    return joined


def cn_date(value: date) -> str:
    """2024年6月5日."""
    return format_date_cn(value)


def hanzi_date(value: date) -> str:
    """二〇二四年六月五日."""
    return format_date_hanzi(value)


FILTERS: dict[str, Callable[..., Any]] = {
    "cn_date": cn_date,
    "hanzi_date": hanzi_date,
    "doc_number": document_number,
    "money_words": money_in_words,
    "amount": format_amount,
    "cn_numeral": chinese_numeral,
    "join_cn": join_cn,
}
