"""The bundled free fonts: where they are, which official face each stands in for, what they cover."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class FontRole:
    """A typeface role of GB/T 9704: the official DOCX name and its free PDF stand-ins."""

    css_family: str
    official: tuple[str, ...]
    files: tuple[str, ...]


# Fallback faces for hanzi outside GB 2312/GBK (CJK Ext. A–F), e.g. 𠀀 and 𠮷 in names.
RARE_HANZI_FILES = ("HanaMinA.ttf", "HanaMinB.ttf")

ROLES: dict[str, FontRole] = {
    "fangsong": FontRole("DocgenFangSong", ("仿宋_GB2312", "仿宋"), ("FandolFang-Regular.otf",)),
    "xiaobiaosong": FontRole("DocgenXiaoBiaoSong", ("方正小标宋简体",), ("FandolSong-Bold.otf",)),
    "heiti": FontRole("DocgenHei", ("黑体",), ("FandolHei-Regular.otf",)),
    "kaiti": FontRole("DocgenKai", ("楷体_GB2312", "楷体"), ("FandolKai-Regular.otf",)),
    "songti": FontRole("DocgenSong", ("宋体",), ("FandolSong-Regular.otf",)),
}


def all_font_files() -> list[Path]:
    """Every bundled font file, role faces first, then the rare-hanzi fallbacks."""
    names = [name for role in ROLES.values() for name in role.files] + list(RARE_HANZI_FILES)
    return [FONT_DIR / name for name in names]


@functools.lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Code points that at least one bundled font draws with a real glyph."""
    covered: set[int] = set()
    for path in all_font_files():
        with TTFont(path, lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def unsupported_characters(value: str) -> list[str]:
    """Characters of ``value`` that no bundled font can draw (spaces are fine)."""
    covered = covered_codepoints()
    seen: dict[str, None] = {}
    for char in value:
        if ord(char) not in covered and not char.isspace():
            seen.setdefault(char, None)
    return list(seen)
