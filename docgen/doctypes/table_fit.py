"""Column widths that follow the content, for the long landscape tables (公示, 整改台账).

Fixed widths waste paper: a two-character column of penalty kinds makes every row
tall, an all-empty 备注 takes width from the facts. Here each column gets at least
the width of its longest unbreakable piece (a credit code, a 〔2025〕12号, an amount)
and the rest of the 225 mm goes, a millimetre at a time, where it shortens the table
most. Columns with nothing in them, or the same thing in every row, become a note
under the table instead. The PDF and the DOCX use the same widths and the same columns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup, escape

from docgen.doctypes.column_widths import ColumnFitter
from docgen.doctypes.tables import Column
from docgen.fonts import FONT_DIR
from docgen.lazy_pattern import lazy_compile
from docgen.text import char_width as east_asian_width

TABLE_WIDTH_MM = 225.0  # the landscape text block: 297 − 37 − 35
CHAR_MM = 10.5 / 72 * 25.4  # 五号 hanzi
PAD_MM = 2.4  # left + right padding of a cell (1 mm each) and half of each 0.5 pt rule, with a little slack
MAX_ROWS_MEASURED = 300  # widths of a longer table are fitted on an even sample of its rows
# Pieces a cell never breaks: credit codes, 〔2025〕12号, amounts, Latin words and numbers, names with a dot.
_PIECES = lazy_compile(
    r"[0-9A-Z]{18}"
    r"|〔[0-9]{4}〕[0-9]{1,6}号"
    r"|(?:人民币)?[0-9][0-9,]*(?:\.[0-9]+)?(?:万|亿)?元"
    r"|[0-9]{4}年|[0-9]{1,2}月[0-9]{1,2}日"
    r"|[0-9A-Za-z][0-9A-Za-z.\-/%]*"
    r"|[\u4e00-\u9fff]{1,8}[·•][\u4e00-\u9fff]{1,8}"
)
_NO_LINE_START = frozenset("，。、；：？！）》」』〕】〉”’,.;:!?)]}%")
_NO_LINE_END = frozenset("（《「『〔【〈“‘([{")


@dataclass(frozen=True)
class TableLayout:
    """The columns a table prints (with their widths) and a note for the columns folded away."""

    columns: tuple[Column, ...]
    note: str | None
    kept: tuple[int, ...]  # indices of the printed columns among the type's columns


@functools.lru_cache(maxsize=1)
def _latin_widths() -> dict[str, float]:
    """Advance widths of printable ASCII in the table face (FandolFang), in characters: M is wider than 1."""
    from fontTools.ttLib import TTFont
    with TTFont(FONT_DIR / "FandolFang-Regular.otf", lazy=True) as font:
        cmap, metrics, per_em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        return {chr(code): metrics[cmap[code]][0] / per_em for code in range(0x20, 0x7F) if code in cmap}


def char_width(char: str) -> float:
    """A character's width in the table, in hanzi (measured for Latin letters and digits)."""
    return _latin_widths().get(char) or east_asian_width(char)


class _Widths(dict):  # type: ignore[type-arg]
    """char_width of each character met so far (a month measures ~35,000 characters of a few hundred kinds)."""

    def __missing__(self, char: str) -> float:
        width = self[char] = char_width(char)
        return width


_WIDTHS = _Widths()


@functools.lru_cache(maxsize=2048)  # a month repeats its dates, kinds and units; the split measures them again
def pieces(text: str) -> tuple[float, ...]:
    """Widths (in characters) of the pieces a cell may break between."""
    width = _WIDTHS.__getitem__
    return tuple(sum(map(width, token)) for token in _tokens(text))


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces and single characters; closing punctuation joins the piece before it and opening
    punctuation the piece after it, as line breaking (UAX #14 and 禁则) keeps them."""
    raw: list[str] = []
    position = 0
    for match in _PIECES.finditer(text):
        raw.extend(text[position:match.start()])
        raw.append(match.group(0))
        position = match.end()
    raw.extend(text[position:])
    tokens: list[str] = []
    for token in raw:
        if tokens and (token[0] in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def cell_markup(text: Any) -> Markup:
    """A cell's text with its unbreakable pieces in nowrap spans (the PDF side of ``pieces``)."""
    text = str(text)
    out, position = [], 0
    for match in _PIECES.finditer(text):
        out.append(escape(text[position:match.start()]))
        out.append(Markup('<span class="nobr">') + escape(match.group(0)) + Markup("</span>"))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def fit_columns(columns: Sequence[Column], rows: Sequence[Mapping[str, str]], *, keep: frozenset[str],
                fold_same: Mapping[str, str], total_mm: float = TABLE_WIDTH_MM) -> TableLayout:
    """Printed columns with widths that make the table short; ``keep`` never folds, ``fold_same`` words a
    column whose every cell is the same (key → note with ``{value}``)."""
    kept, notes, empty = [], [], []
    for index, column in enumerate(columns):
        values = {row.get(column.key, "") for row in rows}
        if column.key not in keep and rows and values == {""}:
            empty.append(column.header)
        elif column.key in fold_same and rows and len(values) == 1:
            notes.append(fold_same[column.key].format(value=values.pop()))
        else:
            kept.append(index)
    if empty:
        notes.append(f"{'、'.join(empty)}栏均无内容，未列出")
    sample = list(rows) if len(rows) <= MAX_ROWS_MEASURED else list(rows)[:: math.ceil(len(rows) / MAX_ROWS_MEASURED)]
    cells = [[pieces(str(row.get(columns[i].key, ""))) for i in kept] for row in sample]
    headers = [pieces(columns[i].header) for i in kept]
    widths = _rounded_up(_allocate(cells, headers, total_mm), total_mm)
    printed = tuple(replace(columns[i], width_mm=w) for i, w in zip(kept, widths))
    note = "注：" + "；".join(notes) + "。" if notes else None
    return TableLayout(printed, note, tuple(kept))


def _rounded_up(widths: list[float], total_mm: float) -> list[float]:
    """Widths to 0.1 mm, never narrower than fitted (a column two characters wide must hold two); the widest
    column gives up the difference."""
    rounded = [math.ceil(w * 10 - 1e-6) / 10 for w in widths]
    widest = max(range(len(rounded)), key=rounded.__getitem__, default=0)
    if rounded:
        rounded[widest] = round(rounded[widest] - (sum(rounded) - total_mm), 1)
    return rounded


def _allocate(cells: list[list[tuple[float, ...]]], headers: list[tuple[float, ...]], total_mm: float) -> list[float]:
    """Each column at least as wide as its widest piece and half its header; the rest makes the table short."""
    minimum = []
    for c in range(len(headers)):
        widest_piece = max([max(headers[c], default=1.0)] + [max(row[c], default=0.0) for row in cells])
        header_chars = max(2.0, math.ceil(sum(headers[c]) / 2))  # a header takes two lines at most
        minimum.append(max(widest_piece, header_chars) * CHAR_MM + PAD_MM)
    if sum(minimum) >= total_mm:  # cannot keep every piece whole: scale down, pieces will wrap
        return [w * total_mm / sum(minimum) for w in minimum]
    widths = ColumnFitter(cells, minimum, total_mm, char_mm=CHAR_MM, pad_mm=PAD_MM).fit()
    return [w + (total_mm - sum(widths)) * w / sum(widths) for w in widths]


def table_context(columns: Sequence[Column], rows: Sequence[Mapping[str, str]], *, keep: frozenset[str],
                  fold_same: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Context keys of a fitted table: ``columns`` and ``table_note`` for the templates, ``docx_table`` for the
    DOCX renderer (which drops the folded columns and sets the widths of the template's full table)."""
    layout = fit_columns(columns, rows, keep=keep, fold_same=fold_same or {})
    return {"columns": layout.columns, "table_note": layout.note,
            "docx_table": {"headers": [c.header for c in columns], "kept": list(layout.kept),
                           "widths_mm": [c.width_mm for c in layout.columns]}}
