"""Font subsets made once per glyph set, not once per PDF.

WeasyPrint subsets every embedded font with HarfBuzz for every PDF: for the five
Chinese faces of a letter that is ~16 ms of a ~65 ms render. A subset depends only
on the font and the glyphs used, and a clerk previewing after each edit, or a unit
issuing letters with the same headings and page numbers, asks for the same glyph
sets again and again. The result is kept (least recently used out, bounded in
bytes) and reused: the PDF is byte for byte the same (tests/test_performance.py).

Issued letters differ from each other in a few characters only: the number, the
dates, the verification code. So a face that prints any of the characters of ROOM
(digits and capital letters) is subset with all of them: two letters that differ
only there share one subset, and an issue takes it from the cache instead of
subsetting the body face again (~10 ms of ~130 ms). The extra glyphs cost a few
kilobytes in the PDF; glyph numbers are kept (HarfBuzz's RETAIN_GIDS), so the page
content and the text are what they would have been.

It wraps a private method of WeasyPrint, so it is installed only on the versions it
was checked on; elsewhere every PDF is subset as WeasyPrint does it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from docgen.bounded_cache import BoundedBytes
from docgen.render.weasy_ffi import DOCGEN_DECLARATIONS
from docgen.render.weasy_patches import checked
from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz

for _name in ("hb_font_get_nominal_glyph", "hb_font_create", "hb_font_destroy"):
    if not hasattr(harfbuzz, _name):  # not among the cached declarations (docgen.render.weasy_ffi)
        ffi.cdef(DOCGEN_DECLARATIONS[_name])

LOG = logging.getLogger(__name__)
CHECKED_VERSIONS = ("70.",)
MAX_BYTES = 32 * 1024 * 1024
ORIGINAL = fonts.Font.subset

ROOM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_CACHE = BoundedBytes(MAX_BYTES)
_ROOM_GLYPHS: dict[tuple[Any, ...], frozenset[int]] = {}  # face → its glyphs for ROOM
STATS = {"hits": 0, "misses": 0}
CACHING = True  # off: every subset made afresh (with the same room), for the identity test


def _face(font: Any) -> tuple[Any, ...]:
    return (hashlib.blake2b(font.file_content[:4096], digest_size=16).digest(), len(font.file_content), font.index)


def _room_glyphs(font: Any, face: tuple[Any, ...]) -> frozenset[int]:
    found = _ROOM_GLYPHS.get(face)
    if found is None:  # from the face WeasyPrint holds a reference to (its hb_font is Pango's, borrowed)
        reader = ffi.gc(harfbuzz.hb_font_create(font.hb_face), harfbuzz.hb_font_destroy)
        glyph = ffi.new("hb_codepoint_t *")
        found = _ROOM_GLYPHS[face] = frozenset(
            glyph[0] for char in ROOM if harfbuzz.hb_font_get_nominal_glyph(reader, ord(char), glyph))
    return found


def _with_room(font: Any, face: tuple[Any, ...], to_unicode: Any) -> Any:
    """``to_unicode`` (glyph → text; the subsetter reads its glyphs only) with ROOM's glyphs if it has any."""
    room = _room_glyphs(font, face)
    if room.isdisjoint(to_unicode) or room.issubset(to_unicode):
        return to_unicode
    return {**dict.fromkeys(room, ""), **to_unicode}


def _subset(self: Any, to_unicode: Any, hinting: bool) -> None:
    if not to_unicode:
        return
    face = _face(self)
    to_unicode = _with_room(self, face, to_unicode)
    glyphs = hashlib.blake2b(repr(sorted(to_unicode)).encode(), digest_size=16).digest()
    key = (*face, bool(self.missing), bool(hinting), glyphs)
    cached = _CACHE.get(key) if CACHING else None
    if cached is not None:
        STATS["hits"] += 1
        self.file_content = cached
        return
    original = self.file_content
    ORIGINAL(self, to_unicode, hinting)
    STATS["misses"] += 1
    if self.file_content is original or not CACHING:  # WeasyPrint could not subset it, or nothing is kept
        return
    _CACHE.put(key, self.file_content)


def install() -> bool:
    if not checked(CHECKED_VERSIONS, "subset cache", "every PDF subsets its fonts again"):
        return False
    fonts.Font.subset = _subset
    return True


def uninstall() -> None:
    fonts.Font.subset = ORIGINAL


def clear() -> None:
    _CACHE.clear()


INSTALLED = install()
