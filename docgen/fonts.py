"""The bundled free fonts: where they are, which official face each stands in for, what they cover."""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


FONT_DIR = Path(__file__).resolve().parent / "render" / "fonts"
LOG = logging.getLogger(__name__)


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


COVERAGE_FILE = FONT_DIR / "coverage.txt"
COMMON_COVERAGE_FILE = FONT_DIR / "coverage-common.txt"  # the role faces alone, without the rare-hanzi fallbacks


class Coverage:
    """A set of code points stored as sorted inclusive ranges (100k points, ~5k ranges)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = ranges
        self._starts = [start for start, _ in ranges]

    def __contains__(self, codepoint: object) -> bool:
        if not isinstance(codepoint, int):
            return False
        index = bisect.bisect_right(self._starts, codepoint) - 1
        return index >= 0 and codepoint <= self.ranges[index][1]

    @classmethod
    def from_codepoints(cls, codepoints: set[int]) -> "Coverage":
        ranges: list[tuple[int, int]] = []
        for point in sorted(codepoints):
            if ranges and point == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
        return cls(ranges)


def common_font_files() -> list[Path]:
    """The role faces (Fandol), without the rare-hanzi fallbacks."""
    return [FONT_DIR / name for role in ROLES.values() for name in role.files]


def font_signature() -> str:
    """Names and sizes of the bundled font files: the coverage files are valid for these only."""
    return " ".join(f"{p.name}:{p.stat().st_size}" for p in all_font_files())


def scan_fonts(files: list[Path] | None = None) -> Coverage:
    """Read the cmaps of ``files`` (every bundled font by default; about half a second)."""
    from fontTools.ttLib import TTFont  # only when the coverage file is missing or stale

    covered: set[int] = set()
    for path in files or all_font_files():
        with TTFont(path, lazy=True) as font:
            covered.update(font.getBestCmap())
    return Coverage.from_codepoints(covered)


def scan_common() -> Coverage:
    """Code points every role face draws: text of these alone never falls back to the rare-hanzi faces."""
    from fontTools.ttLib import TTFont

    common: set[int] | None = None
    for path in common_font_files():
        with TTFont(path, lazy=True) as font:
            points = set(font.getBestCmap())
        common = points if common is None else common & points
    return Coverage.from_codepoints(common or set())


def write_coverage_file(path: Path = COVERAGE_FILE, common_path: Path = COMMON_COVERAGE_FILE) -> None:
    """Store the fonts' coverage (any face, and every role face) so a cold start need not read 70 MB of fonts."""
    for target, coverage in ((path, scan_fonts()), (common_path, scan_common())):
        lines = [f"# {font_signature()}"] + [f"{a:X}-{b:X}" for a, b in coverage.ranges]
        target.write_text("\n".join(lines) + "\n", encoding="ascii")


def _read_coverage(path: Path, scan: Any) -> Coverage:
    try:
        header, _, body = path.read_text(encoding="ascii").partition("\n")
    except FileNotFoundError:
        header, body = "", ""
    if header != f"# {font_signature()}":
        LOG.warning("字体覆盖表缺失或过期，正在扫描字体；请运行 python scripts/build_font_coverage.py 重新生成")
        return scan()
    try:
        bounds = list(map(int, body.replace("-", " ").split(), itertools.repeat(16)))  # "start-end" per line, hex
    except ValueError:
        bounds = [-1]
    ranges = list(zip(bounds[::2], bounds[1::2]))
    if len(bounds) % 2 or any(start > end for start, end in ranges) or any(
            end >= start for (_, end), (start, _) in zip(ranges, ranges[1:])):
        LOG.warning("字体覆盖表 %s 已损坏，正在扫描字体；请运行 python scripts/build_font_coverage.py 重新生成", path.name)
        return scan()
    return Coverage(ranges)


@functools.lru_cache(maxsize=1)
def covered_codepoints() -> Coverage:
    """Code points that at least one bundled font draws with a real glyph."""
    return _read_coverage(COVERAGE_FILE, scan_fonts)


@functools.lru_cache(maxsize=1)
def common_codepoints() -> Coverage:
    """Code points every role face draws itself: text made only of these needs no rare-hanzi font."""
    return _read_coverage(COMMON_COVERAGE_FILE, scan_common)


class _KnownInside:
    """The characters of texts that a Coverage has, remembered as they are met: documents repeat a few
    thousand characters, and a set difference runs at C speed where a range search per character does not.
    At most REMEMBER_AT_MOST characters (about 2 MB; GB 2312 has 6,763 hanzi), so text of rare characters
    cannot make it grow to the whole coverage; past that, characters are looked up each time."""

    REMEMBER_AT_MOST = 20_000

    def __init__(self, coverage: Callable[[], Coverage]) -> None:
        self._coverage = coverage
        self._inside: set[str] = set()

    def outside(self, text: str) -> set[str]:
        """The distinct characters of ``text`` the coverage does not have."""
        unknown = set(text) - self._inside
        if not unknown:
            return unknown
        coverage, outside = self._coverage(), set()
        for char in unknown:
            if ord(char) not in coverage:
                outside.add(char)
            elif len(self._inside) < self.REMEMBER_AT_MOST:
                self._inside.add(char)
        return outside


_COMMON = _KnownInside(common_codepoints)
_COVERED = _KnownInside(covered_codepoints)


def needs_rare_fonts(text: str) -> bool:
    """Whether ``text`` has a character only the rare-hanzi fallbacks draw."""
    return any(ord(char) > 0x7F for char in _COMMON.outside(text))


def unsupported_characters(value: str) -> list[str]:
    """Characters of ``value`` that no bundled font can draw (spaces are fine), in the order they appear."""
    outside = _COVERED.outside(value)
    if not outside:
        return []
    return [char for char in dict.fromkeys(value) if char in outside and not char.isspace()]
