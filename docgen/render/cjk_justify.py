"""Inter-character justification for WeasyPrint, as Chinese text needs it.

WeasyPrint justifies a line only by widening its spaces. Chinese text has none, so
a line that ends before a run of digits stays short of the right margin, and a
single ASCII space in the data becomes a wide hole. GB/T 9704 wants every full line
to fill the 156 mm block, the way Word and WPS set it: the leftover width is shared
between all characters of the line (CSS ``text-justify: inter-character``).

The patch replaces WeasyPrint's ``justify_line`` and teaches its ``Layout`` to keep
the extra letter spacing when it rebuilds the layout for drawing. It touches private
code, so it is applied only on the WeasyPrint versions it was checked on; on any
other version WeasyPrint's own justification stays and a warning says so.
"""

from __future__ import annotations

import itertools
import logging
import unicodedata
from typing import Any

from docgen.render.weasy_patches import checked
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

LOG = logging.getLogger(__name__)
CHECKED_VERSIONS = ("68.", "69.", "70.")
_ORIGINAL_SET_TEXT = line_break.Layout.set_text
_WEASYPRINT_JUSTIFY = inline.justify_line


def _text_boxes(box: Any, found: list[Any]) -> list[Any]:
    if isinstance(box, boxes.TextBox):
        found.append(box)
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                _text_boxes(child, found)
    return found


def spaced(char: str) -> bool:
    """Whether a character takes a share of the line's slack: full-width ones do, Latin letters and digits keep
    their natural run (2026 stays 2026, a space stays a space)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """Share ``extra_width`` between the full-width characters of the line (WeasyPrint's way for other lines).

    Pango puts half of a character's letter spacing before it and half after, and drops the outer halves
    at the ends of each layout; every text box is its own layout, so the halves lost at box boundaries are
    given back as gaps between boxes, and only the line's own two ends stay flush.
    """
    texts = [box for box in _text_boxes(line, []) if box.text]
    flags = "".join("1" if spaced(char) else "0" for box in texts for char in box.text)
    shares = flags.count("1") - 0.5 * (flags[:1] == "1") - 0.5 * (flags[-1:] == "1")
    if shares <= 0 or extra_width <= 0:
        _WEASYPRINT_JUSTIFY(context, line, extra_width)
        return
    _shift(context, line, extra_width / shares, texts, 0.0)


def _shift(context: Any, box: Any, per_character: float, texts: list[Any], x_advance: float) -> float:
    """Widen text boxes and move everything after them, as WeasyPrint's add_word_spacing does for spaces."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if not box.text:
            return x_advance
        first, last = spaced(box.text[0]), spaced(box.text[-1])
        grown = per_character * (sum(map(spaced, box.text)) - 0.5 * first - 0.5 * last)
        if grown:
            layout = line_break.create_layout(box.text, box.style, context, max_width=None, justification_spacing=0)
            layout.docgen_inter_character = per_character
            layout.deactivate()
            box.pango_layout = layout
            box.width += grown
            x_advance += grown
        index = next(n for n, candidate in enumerate(texts) if candidate is box)
        if index + 1 < len(texts):  # the halves Pango dropped at this box's end and the next box's start
            x_advance += per_character * (0.5 * last + 0.5 * spaced(texts[index + 1].text[0]))
        return x_advance
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _shift(context, child, per_character, texts, x_advance)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)  # an atomic inline (an image) moves with the text before it
    return x_advance


def _set_text(self: Any, text: str, justify: bool = False) -> None:
    """WeasyPrint's set_text, plus the line's extra letter spacing on full-width characters when drawn."""
    _ORIGINAL_SET_TEXT(self, text, justify)
    per_character = getattr(self, "docgen_inter_character", None)
    if not (justify and per_character):
        return
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    base = self.style["letter_spacing"]
    base = 0 if base == "normal" else base
    offset = 0
    for full, run in itertools.groupby(self.text, key=spaced):
        size = len("".join(run).encode("utf-8"))
        if full:
            attribute = pango.pango_attr_letter_spacing_new(int((base + per_character) * TO_UNITS))
            attribute.start_index, attribute.end_index = offset, offset + size
            pango.pango_attr_list_change(attributes, attribute)
        offset += size
    pango.pango_layout_set_attributes(self.layout, attributes)


def install() -> bool:
    """Patch WeasyPrint if its version is one this was checked on; return whether it is patched."""
    if not checked(CHECKED_VERSIONS, "Chinese justification", "lines will justify at spaces only"):
        return False
    inline.justify_line = justify_line
    line_break.Layout.set_text = _set_text
    return True


INSTALLED = install()
