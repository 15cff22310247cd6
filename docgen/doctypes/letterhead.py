"""The two 版头 layouts of GB/T 9704-2012, as numbers both renderers use.

文件格式 (7.2.4): the 发文机关标志 starts 35 mm below the top of the text block; the
文号 two blank lines under it; the red rule 4 mm under the 文号; the title two
blank lines under the rule.

信函格式 (10.1): the 标志 starts 30 mm from the top of the page; a red double rule
(thick over thin) 4 mm under it and another (thin over thick) 20 mm above the foot
of the page, both 170 mm long; the 文号 at the right edge, 7/8 of a 3号 character
under the first rule; the title two lines under the 文号; no page number on page 1;
the 版记 carries no 印发机关, 印发日期 or rules.

Everything in the flow is a whole number of 28.95 pt grid lines, so a renderer that
snaps lines to the page grid (LibreOffice) and one that stacks them (Word, the PDF)
put every later line in the same place.
"""

from __future__ import annotations

import math
from typing import Any

PITCH_PT = 28.95
MM = 72 / 25.4
BODY_PT = 16.0
# Page height, text block top and width: portrait, and landscape (the portrait block turned).
PAGE = {False: (297.0, 37.0, 156.0), True: (210.0, 28.0, 225.0)}
FILE, LETTER = "file", "letter"
FORMATS = {FILE: "文件格式", LETTER: "信函格式"}
RULE_GAP_PT = 4 * MM  # 红色分隔线 / 双线: 4 mm under the 文号 or the 标志
LETTER_MARK_TOP_MM = 30.0
LETTER_RULE_OVERHANG_MM = 7.0  # 170 mm rules over the 156 mm block: 7 mm beyond it each side
LETTER_FOOT_RULE_MM = 20.0  # from the foot of the page
DOUBLE_RULE_PT = (1.5, 0.75, 0.5)  # thick, gap, thin


def rows(points: float) -> int:
    """Grid lines a height takes (a hair's tolerance for rounding)."""
    return max(1, math.ceil(points / PITCH_PT - 1e-6))


def text_top_in_row(size_pt: float = BODY_PT) -> float:
    """Where the glyph box of a ``size_pt`` line starts inside its grid line (half leading)."""
    return (PITCH_PT - size_pt) / 2


def letterhead_context(kind: str, mark_size: float, *, landscape: bool = False, numbered: bool = True
                       ) -> dict[str, Any]:
    """Positions for the templates, in points from the top of the text block (negative: above it).
    ``numbered``: the document has a 文号 (a 信函格式 notice without one puts its title under the rule)."""
    page_mm, block_top_mm, block_mm = PAGE[landscape]
    if kind == LETTER:
        context = _letter(mark_size, page_mm, block_top_mm, block_mm, numbered)
    else:
        context = _file(mark_size)
    return {**context, "block_top_pt": round(block_top_mm * MM, 2), "block_width_mm": block_mm}


def _file(mark_size: float) -> dict[str, Any]:
    before = 35 * MM
    mark_rows = rows(before + mark_size)
    return {
        "kind": FILE, "name": FORMATS[FILE],
        "mark_before_pt": round(before, 2), "mark_line_pt": mark_size,
        "mark_after_pt": round(mark_rows * PITCH_PT - before - mark_size, 2),
        "number_blank_rows": 2,
        # the rule's top edge, from the top of the 文号's grid line: 4 mm under the characters
        "rule_offset_pt": round(text_top_in_row() + BODY_PT + RULE_GAP_PT, 2),
        "title_blank_rows": 2,
        "first_page_number": True, "imprint_rules": True,
    }


def _letter(mark_size: float, page_mm: float, block_top_mm: float, block_mm: float, numbered: bool
            ) -> dict[str, Any]:
    mark_top = (LETTER_MARK_TOP_MM - block_top_mm) * MM
    rule_top = mark_top + mark_size + RULE_GAP_PT
    thick, gap, thin = DOUBLE_RULE_PT
    rule_bottom = rule_top + thick + gap + thin
    if numbered:
        number_top = rule_bottom + BODY_PT * 7 / 8 - text_top_in_row()  # the 文号's grid line
        number_rows = rows(number_top + PITCH_PT)
    else:  # no 文号: its (empty) line is the last one the rule touches
        number_rows = rows(rule_bottom)
        number_top = (number_rows - 1) * PITCH_PT
    return {
        "kind": LETTER, "name": FORMATS[LETTER],
        "mark_top_pt": round(mark_top, 2), "mark_line_pt": mark_size,
        "rule_top_pt": round(rule_top, 2), "rule_width_mm": block_mm + 2 * LETTER_RULE_OVERHANG_MM,
        "rule_left_mm": -LETTER_RULE_OVERHANG_MM,
        "rule_thick_pt": thick, "rule_gap_pt": gap, "rule_thin_pt": thin,
        "foot_rule_top_pt": round((page_mm - LETTER_FOOT_RULE_MM - block_top_mm) * MM - thick - gap - thin, 2),
        "number_before_pt": round(number_top, 2),
        "number_after_pt": round(number_rows * PITCH_PT - number_top - PITCH_PT, 2),
        "title_blank_rows": 2,
        "first_page_number": False, "imprint_rules": False,
    }
