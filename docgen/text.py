"""Plain-text hygiene shared by every document type: cleaning and measuring."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Characters XML 1.0 forbids, plus C1 controls and DEL, which no clerk means to type.
_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)
# Line and tab characters: documents lay out their own lines, so these become spaces.
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029\x85]+")


def clean_text(value: str) -> str:
    """Remove control and invisible format characters; fold line breaks into one space."""
    value = _ILLEGAL.sub("", _LINE_BREAKS.sub(" ", value))
    if value.isprintable():  # no format character (category Cf is never printable): the usual case, at C speed
        return value
    # Zero-width spaces, BOMs and bidi marks pasted from web pages print as nothing anyway.
    return "".join(char for char in value if unicodedata.category(char) != "Cf")


def clean_data(value: Any) -> Any:
    """Return a copy of JSON data with every string (keys too) cleaned; 10.0 becomes 10."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_data(item) for key, item in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # JSON Schema counts 10.0 as an integer; the code after it expects int
    return value


def char_width(char: str) -> float:
    """Width of one character in body-character units: full-width 1, others 0.5."""
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.5


def text_width(value: str) -> float:
    """Width of a string in body-character units (a 3号 hanzi is 1)."""
    return sum(char_width(char) for char in value)
