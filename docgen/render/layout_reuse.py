"""Keep WeasyPrint's Pango layouts from line breaking to drawing.

WeasyPrint drops each text box's PangoLayout as soon as its line is broken
(``Layout.deactivate``) and builds a new one when the box is drawn
(``Layout.reactivate``): a new Pango context, font description and text, so Pango
shapes every line again. For a long table that is a quarter of the render.

This keeps the layout object and, when the box is drawn with the same style,
only puts it back in the state a new one would have: no width (the line is
already broken), the attributes ``setup`` gave it, then the text with its
justification. The PDF is byte for byte the same (tests/test_performance.py checks
every sample's content streams with and without it).

It touches private code, so it is installed only on the WeasyPrint versions it was
checked on; on any other version WeasyPrint's own behaviour stays and a warning says so.
"""

from __future__ import annotations

import logging
from typing import Any

from docgen.render.weasy_ffi import DOCGEN_DECLARATIONS
from docgen.render.weasy_patches import checked
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

LOG = logging.getLogger(__name__)
CHECKED_VERSIONS = ("70.",)
ORIGINAL = (line_break.Layout.setup, line_break.Layout.deactivate, line_break.Layout.reactivate)

if not hasattr(pango, "pango_attr_list_copy"):  # not among the cached declarations (docgen.render.weasy_ffi)
    ffi.cdef(DOCGEN_DECLARATIONS["pango_attr_list_copy"])


def _setup(self: Any, style: Any) -> None:
    ORIGINAL[0](self, style)
    attributes = pango.pango_layout_get_attributes(self.layout)
    # What a new layout starts with (font features, if any): drawing starts from a copy of it.
    self.docgen_base_attributes = None if attributes == ffi.NULL else ffi.gc(
        pango.pango_attr_list_copy(attributes), pango.pango_attr_list_unref)


def _deactivate(self: Any) -> None:
    self.docgen_kept = True  # keep layout, language and style for drawing


def _reactivate(self: Any, style: Any) -> None:
    if not getattr(self, "docgen_kept", False) or style is not self.style:
        ORIGINAL[2](self, style)
        return
    pango.pango_layout_set_width(self.layout, -1)
    base = self.docgen_base_attributes
    fresh = ffi.NULL if base is None else ffi.gc(pango.pango_attr_list_copy(base), pango.pango_attr_list_unref)
    pango.pango_layout_set_attributes(self.layout, fresh)
    self.first_line_direction = 0
    self.set_text(self.text, justify=True)


def install() -> bool:
    """Patch WeasyPrint if its version is one this was checked on; return whether it is patched."""
    if not checked(CHECKED_VERSIONS, "layout reuse", "PDFs render as WeasyPrint does, a little slower"):
        return False
    line_break.Layout.setup = _setup
    line_break.Layout.deactivate = _deactivate
    line_break.Layout.reactivate = _reactivate
    return True


def uninstall() -> None:
    """WeasyPrint's own behaviour again (for the identity test)."""
    line_break.Layout.setup, line_break.Layout.deactivate, line_break.Layout.reactivate = ORIGINAL


INSTALLED = install()
