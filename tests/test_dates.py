"""Tests for docgen.dates: 成文日期 formats and strict ISO parsing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen.dates import format_date_cn, format_date_hanzi, parse_iso_date


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2024, 6, 5), "2024年6月5日"),
        (date(2024, 10, 10), "2024年10月10日"),
        (date(2026, 12, 31), "2026年12月31日"),
        (date(2000, 1, 1), "2000年1月1日"),
    ],
)
def test_format_date_cn(d: date, expected: str) -> None:
    assert format_date_cn(d) == expected


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2024, 6, 5), "二〇二四年六月五日"),
        (date(2024, 6, 10), "二〇二四年六月十日"),
        (date(2024, 6, 15), "二〇二四年六月十五日"),
        (date(2024, 6, 20), "二〇二四年六月二十日"),
        (date(2024, 5, 21), "二〇二四年五月二十一日"),
        (date(2024, 5, 30), "二〇二四年五月三十日"),
        (date(2024, 5, 31), "二〇二四年五月三十一日"),
        (date(2024, 10, 1), "二〇二四年十月一日"),
        (date(2024, 11, 11), "二〇二四年十一月十一日"),
        (date(2024, 12, 25), "二〇二四年十二月二十五日"),
        (date(2000, 1, 1), "二〇〇〇年一月一日"),
        (date(2010, 2, 28), "二〇一〇年二月二十八日"),
    ],
)
def test_format_date_hanzi(d: date, expected: str) -> None:
    assert format_date_hanzi(d) == expected


def test_hanzi_uses_ideographic_zero() -> None:
    assert "\u3007" in format_date_hanzi(date(2024, 6, 5))
    assert "零" not in format_date_hanzi(date(2000, 10, 10))


@pytest.mark.parametrize("func", [format_date_cn, format_date_hanzi])
def test_formatters_refuse_non_dates(func: object) -> None:
    with pytest.raises(TypeError):
        func("2024-06-05")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-05", date(2024, 6, 5)),
        ("2024-02-29", date(2024, 2, 29)),
        ("0001-01-01", date(1, 1, 1)),
    ],
)
def test_parse_iso_date(text: str, expected: date) -> None:
    assert parse_iso_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-6-5",
        "2024-06-5",
        "20240605",
        "2024/06/05",
        "2024-06-05T00:00",
        "2024-06-05 ",
        " 2024-06-05",
        "2024-W23-3",
        "２０２４-06-05",  # full-width digits
        "",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "0000-01-01",
    ],
)
def test_parse_iso_date_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="日期"):
        parse_iso_date(text)


def test_parse_iso_date_refuses_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_iso_date(datetime(2024, 6, 5))  # type: ignore[arg-type]


@given(st.dates())
def test_parse_round_trip(d: date) -> None:
    assert parse_iso_date(d.isoformat()) == d


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_cn_and_hanzi_agree(d: date) -> None:
    hanzi = format_date_hanzi(d)
    assert hanzi.startswith("".join("〇一二三四五六七八九"[int(c)] for c in str(d.year)) + "年")
    assert format_date_cn(d) == f"{d.year}年{d.month}月{d.day}日"
    assert hanzi.endswith("日") and "十十" not in hanzi
