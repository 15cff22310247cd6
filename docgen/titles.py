"""Breaking a long 标题 into lines the way GB/T 9704 7.3.1 asks: whole words, balanced, trapezoid or diamond.

A title that does not fit one line of the 156 mm block (20 characters of 2号) is cut
only between words (jieba segments the text; 文号, dates and 《书名》 stay whole), into
as few lines as it needs, choosing the cut that makes the lines most even and the
shape a trapezoid (each line no shorter than the one above) or a diamond.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import sys
import threading
from pathlib import Path

from docgen.render.keep_together import _TOKENS as UNBREAKABLE
from docgen.text import text_width
from docgen.word_freq import disk_freq

LINE_CHARS = 20.0  # 156 mm of 22 pt characters
_BOOK = re.compile(r"《[^《》]{1,40}》|〔[^〔〕]{1,10}〕[0-9]{0,6}号?")
_LOCK = threading.Lock()
LOG = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    """jieba's tokenizer over its own dictionary, looked up on disk (docgen.word_freq); jieba's own loading
    (~0.7 s) when that cannot be used."""
    with _LOCK:
        jieba = _import_jieba()
        jieba.setLogLevel(logging.WARNING)
        try:
            freq = disk_freq(Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME))
        except Exception as exc:  # noqa: BLE001  (any trouble with the cache: jieba's own way, slower)
            LOG.info("jieba's dictionary loaded whole (%s: %s)", type(exc).__name__, exc)
            jieba.initialize()
            return jieba.dt  # jieba's default tokenizer, its dictionary in memory
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, freq.total, True
        return tokenizer


def _import_jieba():  # type: ignore[no-untyped-def]
    """Import jieba without pkg_resources (~90 ms, deprecated), which it only uses to open its own files."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  (an ImportError: jieba opens files itself)
    try:
        import jieba
        return jieba
    finally:
        if "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]


def _protected(title: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = [m.span() for m in UNBREAKABLE.finditer(title)] + [m.span() for m in _BOOK.finditer(title)]
    for name in names:  # the issuer's and the recipient's names: jieba does not know 执法大队 is one word
        if name and text_width(name) <= LINE_CHARS:
            spans += [m.span() for m in re.finditer(re.escape(name), title)]
    return sorted(spans)


def break_points(title: str, names: tuple[str, ...] = ()) -> list[int]:
    """Offsets where the title may be cut: between jieba's words, never inside a protected span."""
    offsets, position = [], 0
    for word in _segmenter().cut(title, HMM=True):
        position += len(word)
        offsets.append(position)
    protected = _protected(title, names)
    return [n for n in offsets[:-1] if not any(start < n < end for start, end in protected)]


def title_lines(title: str, names: tuple[str, ...] = (), line_chars: float = LINE_CHARS) -> list[str]:
    """The title as its lines (one line if it fits); ``names`` (issuer, recipient) are never cut."""
    if text_width(title) <= line_chars:
        return [title]
    points = break_points(title, names)
    lines_needed = max(2, -(-int(text_width(title) * 2) // int(line_chars * 2)))
    for count in range(lines_needed, lines_needed + 3):
        best = _best_cut(title, points, count, line_chars)
        if best is not None:
            return best
    return _by_width(title, line_chars)  # one long word: cut where the width runs out


def _best_cut(title: str, points: list[int], count: int, line_chars: float) -> list[str] | None:
    best: tuple[float, list[str]] | None = None
    for cuts in itertools.combinations(points, count - 1):
        bounds = [0, *cuts, len(title)]
        lines = [title[a:b] for a, b in zip(bounds, bounds[1:])]
        widths = [text_width(line) for line in lines]
        if max(widths) > line_chars or min(widths) < 3:
            continue
        score = _shape_penalty(widths)
        if best is None or score < best[0]:
            best = (score, lines)
    return best[1] if best else None


def _shape_penalty(widths: list[float]) -> float:
    """Uneven lines cost; a line shorter than the one above costs more unless it closes a diamond."""
    penalty = max(widths) - min(widths)
    peak = widths.index(max(widths))
    for n in range(1, len(widths)):
        shrinking = widths[n] < widths[n - 1]
        if shrinking and n <= peak:  # narrowing before the widest line: neither trapezoid nor diamond
            penalty += 2 * (widths[n - 1] - widths[n])
        elif not shrinking and n > peak:
            penalty += 2 * (widths[n] - widths[n - 1])
    if len(widths) == 2 and widths[0] > widths[1]:
        penalty += 0.5 * (widths[0] - widths[1])  # an inverted trapezoid is allowed, the upright one preferred
    return penalty


def _by_width(title: str, line_chars: float) -> list[str]:
    lines, current = [], ""
    for char in title:
        if text_width(current + char) > line_chars:
            lines.append(current)
            current = ""
        current += char
    return lines + [current]
