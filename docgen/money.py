"""Money amounts: Chinese uppercase words (大写金额) and grouped digits."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["amount_in_words", "format_amount", "MAX_AMOUNT"]

# 1 万亿: the words below have no unit above 亿, so larger amounts cannot be written.
MAX_AMOUNT = Decimal(10) ** 12

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("亿", "万", "")


def _to_decimal(value: Decimal | str | int) -> Decimal:
    """Coerce an accepted input type to Decimal, refusing floats and bools."""
    # bool is an int subclass and float is inexact; both mean a caller bug.
    if isinstance(value, (bool, float)) or not isinstance(value, (Decimal, str, int)):
        raise TypeError(f"金额须为 Decimal、字符串或整数，不接受 {type(value).__name__}")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"金额格式无效：{value!r}") from None


def _to_cents(value: Decimal | str | int) -> int:
    """Validate an amount and return it as an exact number of 分."""
    amount = _to_decimal(value)
    # is_finite() first: comparing a signalling NaN would raise InvalidOperation.
    if not amount.is_finite():
        raise ValueError(f"金额须为有限数值：{value!r}")
    if amount < 0:
        raise ValueError(f"金额不能为负数：{value!r}")
    if amount >= MAX_AMOUNT:
        raise ValueError(f"金额须小于1万亿元：{value!r}")
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, so never 'n'/'N'/'F'
    # Read the digit tuple rather than quantize/normalize: those round to the
    # context precision and could hide a non-zero digit far to the right.
    excess = -2 - exponent
    if excess > 0 and any(digits[-excess:]):
        raise ValueError(f"金额最多保留两位小数（角、分）：{value!r}")
    coefficient = int("".join(map(str, digits)))
    shift = exponent + 2
    return coefficient * 10**shift if shift >= 0 else coefficient // 10**-shift


def _group_words(group: int) -> str:
    """Words for 1..9999 inside one 万 group, with 零 for inner zero runs."""
    words: list[str] = []
    pending_zero = False
    for place, unit in enumerate(_SMALL_UNITS):
        digit = group // 10 ** (3 - place) % 10
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(_DIGITS[digit] + unit)
    return "".join(words)


def _integer_words(number: int) -> str:
    """Words for the 元 part (0 < number < 10**12), without the 元."""
    groups = (number // 10**8, number // 10**4 % 10**4, number % 10**4)
    words: list[str] = []
    for group, unit in zip(groups, _GROUP_UNITS):
        if group == 0:
            continue
        # A group below 1000 behind a higher non-zero group has a gap of zeros
        # in front of it (1000100 → 壹佰万零壹佰); a group that starts with its
        # 仟 needs none (107000 → 壹拾万柒仟, one of the two forms banks accept).
        if words and group < 1000:
            words.append("零")
        words.append(_group_words(group) + unit)
    return "".join(words)


def _fraction_words(jiao: int, fen: int, has_yuan: bool) -> str:
    """Words for 角 and 分, including the 零 or 整 that joins them to 元."""
    if jiao == 0 and fen == 0:
        return "整"
    if jiao == 0:
        # 元零贰分: the zero 角 is spoken so 贰分 is not misread as 贰角.
        return ("零" if has_yuan else "") + _DIGITS[fen] + "分"
    return _DIGITS[jiao] + "角" + (_DIGITS[fen] + "分" if fen else "")


def amount_in_words(value: Decimal | str | int) -> str:
    """Chinese uppercase amount without the 人民币 prefix, e.g. 壹仟肆佰零玖元伍角."""
    cents = _to_cents(value)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan == 0:
        # Bank style writes 伍角 rather than 零元伍角; a bare zero is 零元整.
        return "零元整" if cents == 0 else _fraction_words(jiao, fen, has_yuan=False)
    return _integer_words(yuan) + "元" + _fraction_words(jiao, fen, has_yuan=True)


def format_amount(value: Decimal | str | int) -> str:
    """Digits with thousands separators and two decimals, e.g. 1,409.50."""
    cents = _to_cents(value)
    return f"{cents // 100:,}.{cents % 100:02d}"
