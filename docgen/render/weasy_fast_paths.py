"""Two of WeasyPrint's most-called small functions, answering the same with less Python work.

- ``strut(style)``: the height and baseline of a line of the style's font, asked for
  every text box of every line (thousands of times in a month). WeasyPrint already
  keeps the answer per font, under a key it builds each time as the text of a tuple
  of fourteen style values (~3 % of a long table's render). A computed style's font
  values never change once computed, so the answer is also kept on the style object.
- ``resolve_percentages(box, containing_block)``: the used margins, paddings, sizes
  and borders of a box, run on every layout attempt of every box (~10 % of a
  letter's render). The same values, set in one pass; a length already in pixels
  (almost all of them) is taken as it is, anything else still goes through
  WeasyPrint's own ``percentage``.

The PDF is byte for byte the same (tests/test_performance.py compares every sample
with and without). They touch private code, so they are installed only on the
WeasyPrint versions they were checked on (docgen.render.weasy_patches).
"""

from __future__ import annotations

import sys
from math import inf
from types import ModuleType
from typing import Any

from docgen.render.weasy_patches import checked
from weasyprint.css.functions import check_math
from weasyprint.css.properties import Dimension
from weasyprint.formatting_structure.boxes import Box, PageBox
from weasyprint.layout import percent
from weasyprint.text import line_break

CHECKED_VERSIONS = ("70.",)
ORIGINAL = {"strut": line_break.strut, "resolve_percentages": percent.resolve_percentages}
_PATCHED: list[tuple[ModuleType, str]] = []


def _strut(style: Any) -> tuple[float, float]:
    kept = style.__dict__.get("docgen_strut")
    if kept is None:
        kept = style.__dict__["docgen_strut"] = ORIGINAL["strut"](style)
    return kept


def _used(value: Any, style: Any, refer_to: Any) -> Any:
    if value.__class__ is Dimension and value.unit == "px":
        return value.value
    return percent.percentage(value, style, refer_to)


_ACROSS = ("margin_left", "margin_right", "padding_left", "padding_right", "width", "max_width")
_DOWN = ("margin_top", "margin_bottom", "padding_top", "padding_bottom")  # of the width, except on a page
_BORDERS = ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")


def _resolve_percentages(box: Any, containing_block: Any) -> None:
    if isinstance(containing_block, Box):
        cb_width, cb_height = containing_block.width, containing_block.height
    else:
        cb_width, cb_height = containing_block
    style = box.style
    for name in _ACROSS:
        setattr(box, name, _used(style[name], style, cb_width))
    down = cb_height if isinstance(box, PageBox) else cb_width
    for name in _DOWN:
        setattr(box, name, _used(style[name], style, down))
    min_width = _used(style["min_width"], style, cb_width)
    box.min_width = 0 if min_width == "auto" else min_width
    if cb_height == "auto":  # the containing block's height depends on its content
        height = style["height"]
        if height == "auto" or check_math(height) or height.unit == "%":
            box.height = "auto"
        else:
            assert height.unit.lower() == "px"
            box.height = height.value
        min_height = _used(style["min_height"], style, 0)
        box.max_height = _used(style["max_height"], style, inf)
    else:
        box.height = _used(style["height"], style, cb_height)
        min_height = _used(style["min_height"], style, cb_height)
        box.max_height = _used(style["max_height"], style, cb_height)
    box.min_height = 0 if min_height == "auto" else min_height
    collapse = style["border_collapse"] == "collapse"
    for name in _BORDERS:
        if not (collapse and hasattr(box, name)):  # a collapsed border was resolved with its neighbours
            setattr(box, name, style[name])
    percent.adjust_box_sizing(box, "width")
    percent.adjust_box_sizing(box, "height")


FAST = {"strut": _strut, "resolve_percentages": _resolve_percentages}


def install() -> bool:
    """Put the fast versions wherever WeasyPrint's modules imported the originals; whether it did."""
    if not checked(CHECKED_VERSIONS, "fast paths", "PDFs render as WeasyPrint does, a little slower"):
        return False
    for module in [m for name, m in sys.modules.items() if name.startswith("weasyprint.") and m is not None]:
        for name, original in ORIGINAL.items():
            if getattr(module, name, None) is original:
                setattr(module, name, FAST[name])
                _PATCHED.append((module, name))
    return True


def uninstall() -> None:
    """WeasyPrint's own functions again (for the identity test)."""
    while _PATCHED:
        module, name = _PATCHED.pop()
        setattr(module, name, ORIGINAL[name])


INSTALLED = install()
