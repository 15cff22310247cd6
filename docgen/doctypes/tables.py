"""Table columns of the landscape tables (公示, 整改台账): one definition for the HTML template,
the DOCX template builder and the page estimate of the synchronous budget."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CELL_FONT_MM = 10.5 / 72 * 25.4  # 五号: one hanzi
CELL_LINE_MM = 12.5 / 72 * 25.4  # the table's line height
CELL_PADDING_MM = (2.4, 1.2)  # horizontal (1 mm each side and the rules), vertical (0.6 mm each side)
LANDSCAPE_BODY_MM = 156 - 12  # the landscape text block's height, less the repeated header row


@dataclass(frozen=True)
class Column:
    """A table column: header, width, the row key it prints, centred or not."""

    header: str
    width_mm: float
    key: str
    centred: bool = False

    @property
    def chars_per_line(self) -> int:
        """Hanzi that fit on one line of this column."""
        return max(1, int((self.width_mm - CELL_PADDING_MM[0]) / CELL_FONT_MM))


def table_pages(rows: Iterable[Mapping[str, int]], columns: tuple[Column, ...]) -> float:
    """Landscape pages a table needs, from the text length of every cell (the tallest cell sets a row's height)."""
    height = 0.0
    for lengths in rows:
        lines = max(math.ceil(lengths.get(c.key, 0) / c.chars_per_line) for c in columns)
        height += max(1, lines) * CELL_LINE_MM + CELL_PADDING_MM[1]
    return height / LANDSCAPE_BODY_MM
