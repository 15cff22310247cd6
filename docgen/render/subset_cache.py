"""Font subsets made once per glyph set, not once per PDF.

WeasyPrint subsets every embedded font with HarfBuzz for every PDF: for the five
Chinese faces of a letter that is ~16 ms of a ~65 ms render. A subset depends only
on the font and the glyphs used, and a clerk previewing after each edit, or a unit
issuing letters with the same headings and page numbers, asks for the same glyph
sets again and again. The result is kept (least recently used out, bounded in
bytes) and reused: the PDF is byte for byte the same (tests/test_performance.py).

It wraps a private method of WeasyPrint, so it is installed only on the versions it
was checked on; elsewhere every PDF is subset as WeasyPrint does it.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any

from docgen.render.fork_lock import ForkSafeLock
from docgen.render.weasy_patches import checked
from weasyprint.pdf import fonts

LOG = logging.getLogger(__name__)
CHECKED_VERSIONS = ("70.",)
MAX_BYTES = 32 * 1024 * 1024
ORIGINAL = fonts.Font.subset

_CACHE: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_SIZE = 0
_LOCK = ForkSafeLock()
STATS = {"hits": 0, "misses": 0}


def _key(font: Any, to_unicode: Any, hinting: bool) -> tuple[Any, ...]:
    glyphs = hashlib.blake2b(repr(sorted(to_unicode)).encode(), digest_size=16).digest()
    face = hashlib.blake2b(font.file_content[:4096], digest_size=16).digest()
    return (face, len(font.file_content), font.index, bool(font.missing), bool(hinting), glyphs)


def _subset(self: Any, to_unicode: Any, hinting: bool) -> None:
    global _SIZE
    if not to_unicode:
        return
    key = _key(self, to_unicode, hinting)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            STATS["hits"] += 1
    if cached is not None:
        self.file_content = cached
        return
    original = self.file_content
    ORIGINAL(self, to_unicode, hinting)
    STATS["misses"] += 1
    if self.file_content is original:  # WeasyPrint could not subset it: nothing to keep
        return
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = self.file_content
            _SIZE += len(self.file_content)
        while _SIZE > MAX_BYTES and _CACHE:
            _, dropped = _CACHE.popitem(last=False)
            _SIZE -= len(dropped)


def install() -> bool:
    if not checked(CHECKED_VERSIONS, "subset cache", "every PDF subsets its fonts again"):
        return False
    fonts.Font.subset = _subset
    return True


def uninstall() -> None:
    fonts.Font.subset = ORIGINAL


def clear() -> None:
    global _SIZE
    with _LOCK:
        _CACHE.clear()
        _SIZE = 0


INSTALLED = install()
