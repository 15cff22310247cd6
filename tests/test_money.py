"""Tests for docgen.money: amounts in Chinese uppercase words and digits."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docgen.money import MAX_AMOUNT, amount_in_words, format_amount

WORDS = [
    # The examples from domain.md and the brief.
    (Decimal("1409.50"), "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("10000", "壹万元整"),
    ("0", "零元整"),
    (100000000, "壹亿元整"),
    (100010, "壹拾万零壹拾元整"),
    ("10.50", "壹拾元伍角"),
    (100000001, "壹亿零壹元整"),
    (1000100, "壹佰万零壹佰元整"),
    (10, "壹拾元整"),
    # Further 零 placement across and inside 万/亿 groups.
    (1, "壹元整"),
    (101, "壹佰零壹元整"),
    (110, "壹佰壹拾元整"),
    (1001, "壹仟零壹元整"),
    (10010, "壹万零壹拾元整"),
    (100100, "壹拾万零壹佰元整"),
    (107000, "壹拾万柒仟元整"),
    (1000001, "壹佰万零壹元整"),
    (10100000, "壹仟零壹拾万元整"),
    (100010000, "壹亿零壹万元整"),
    (110000000, "壹亿壹仟万元整"),
    (1000000000, "壹拾亿元整"),
    (999999999999, "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整"),
    # 角 and 分.
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("1680.02", "壹仟陆佰捌拾元零贰分"),
    ("0.50", "伍角"),
    ("0.05", "伍分"),
    ("0.55", "伍角伍分"),
    # Trailing zeros beyond 分 are exact, so they are accepted.
    ("1.230", "壹元贰角叁分"),
    (Decimal("12.5000"), "壹拾贰元伍角"),
    (" 10000 ", "壹万元整"),
]


@pytest.mark.parametrize(("value", "expected"), WORDS)
def test_amount_in_words(value: Decimal | str | int, expected: str) -> None:
    assert amount_in_words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1409.50"), "1,409.50"),
        ("0", "0.00"),
        (10, "10.00"),
        ("1234567.8", "1,234,567.80"),
        (999999999999, "999,999,999,999.00"),
        ("0.05", "0.05"),
    ],
)
def test_format_amount(value: Decimal | str | int, expected: str) -> None:
    assert format_amount(value) == expected


@pytest.mark.parametrize("value", [10.5, 0.0, True, None, [1]])
@pytest.mark.parametrize("func", [amount_in_words, format_amount])
def test_non_exact_types_are_refused(func: object, value: object) -> None:
    with pytest.raises(TypeError, match="金额"):
        func(value)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "负数"),
        (Decimal("-0.01"), "负数"),
        (-5, "负数"),
        ("1.234", "两位小数"),
        (Decimal("0.001"), "两位小数"),
        ("1.0000000000000000000000000000001", "两位小数"),
        ("NaN", "有限"),
        (Decimal("sNaN"), "有限"),
        ("Infinity", "有限"),
        (Decimal("-Infinity"), "有限"),
        (MAX_AMOUNT, "1万亿"),
        (10**13, "1万亿"),
        ("abc", "格式"),
        ("", "格式"),
        ("1,000", "格式"),
    ],
)
@pytest.mark.parametrize("func", [amount_in_words, format_amount])
def test_invalid_amounts(func: object, value: Decimal | str | int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        func(value)  # type: ignore[operator]


# A small independent reader of the words, used to check round trips.
_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _read_integer(words: str) -> int:
    total = section = digit = 0
    for ch in words:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _UNIT:
            section += digit * _UNIT[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {words!r}")
    return total + section + digit


def read_amount(words: str) -> Decimal:
    """Turn 壹仟零玖元伍角 back into Decimal('1009.50')."""
    yuan, sep, rest = words.partition("元")
    if not sep:
        yuan, rest = "", words
    jiao = re.search("(.)角", rest)
    fen = re.search("(.)分", rest)
    cents = _read_integer(yuan) * 100
    cents += _DIGIT[jiao.group(1)] * 10 if jiao else 0
    cents += _DIGIT[fen.group(1)] if fen else 0
    return Decimal(cents).scaleb(-2)


amounts = st.integers(min_value=0, max_value=10**14 - 1).map(lambda c: Decimal(c).scaleb(-2))


@given(amounts)
def test_words_round_trip(amount: Decimal) -> None:
    assert read_amount(amount_in_words(amount)) == amount


@given(amounts)
def test_words_are_well_formed(amount: Decimal) -> None:
    words = amount_in_words(amount)
    assert "零零" not in words
    assert not re.search("零[万亿元角分整]", words) or words == "零元整"
    assert words.endswith("整") == (amount % 1 == 0)
    assert not words.endswith("分整")


@given(amounts)
def test_format_amount_round_trip(amount: Decimal) -> None:
    assert Decimal(format_amount(amount).replace(",", "")) == amount
