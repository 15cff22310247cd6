"""A font file's bytes copied out of HarfBuzz once per process, not once per PDF.

For every font a PDF embeds, WeasyPrint copies the whole font file out of its
HarfBuzz face into a new Python ``bytes`` (``get_hb_object_data``), only to keep
its first bytes for the subset and throw the rest away. The five Fandol faces of
a letter weigh 31 MB: measured, 100 such copies took 0.36 s (3.6 ms each, ~18 ms
of a 2-page letter's ~55 ms), and each fresh 31 MB allocation costs page faults,
worse when several workers render at once.

The copy depends only on the face's data, which HarfBuzz keeps immutable. A
copy is kept here with a reference to its HarfBuzz blob, keyed by the blob's
data address and length: while the blob is referenced its memory cannot be
freed, so no other font can appear at that address. Least recently used copies
go first beyond MAX_BYTES (then their blob is released). The bytes WeasyPrint
gets are the same as its own copy (tests/test_performance.py compares PDFs).

Only the copy a ``Font`` makes of its face when it is created goes through the
cache (a subset's blob is new every time and is read as WeasyPrint reads it).
It replaces the name WeasyPrint's PDF font code imports and wraps
``Font.__init__``, so it is installed only on the WeasyPrint versions it was
checked on (docgen.render.weasy_patches).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from docgen.render.fork_lock import ForkSafeLock
from docgen.render.weasy_patches import checked
from weasyprint.pdf import fonts
from weasyprint.text.ffi import ffi, harfbuzz

CHECKED_VERSIONS = ("70.",)
MAX_BYTES = 96 * 1024 * 1024  # the five Fandol faces (31 MB) and the two rare-hanzi faces (53 MB)
ORIGINAL = fonts.get_hb_object_data
ORIGINAL_INIT = fonts.Font.__init__

_CACHE: OrderedDict[tuple[int, int], tuple[Any, bytes]] = OrderedDict()  # (address, length) → (blob, bytes)
_SIZE = 0
_LOCK = ForkSafeLock()
_CREATING = threading.local()  # set while this thread runs Font.__init__
STATS = {"hits": 0, "misses": 0}


def face_bytes(hb_object: Any, ot_color: str | None = None, glyph: Any = None) -> bytes | None:
    """``get_hb_object_data``: the whole face from the cache; colour glyph data as WeasyPrint reads it."""
    if ot_color is not None or not getattr(_CREATING, "font", False):
        return ORIGINAL(hb_object, ot_color, glyph)
    blob = harfbuzz.hb_face_reference_blob(hb_object)
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    if data == ffi.NULL:
        harfbuzz.hb_blob_destroy(blob)
        return None
    key = (int(ffi.cast("uintptr_t", data)), int(length[0]))
    with _LOCK:
        kept = _CACHE.get(key)
        if kept is not None:
            _CACHE.move_to_end(key)
            STATS["hits"] += 1
    if kept is not None:
        harfbuzz.hb_blob_destroy(blob)  # the cache holds its own reference
        return kept[1]
    content = ffi.unpack(data, key[1])
    STATS["misses"] += 1
    _keep(key, blob, content)
    return content


def _keep(key: tuple[int, int], blob: Any, content: bytes) -> None:
    """Keep the copy and the blob's reference; release the least recently used beyond MAX_BYTES."""
    global _SIZE
    released = []
    with _LOCK:
        if key in _CACHE or len(content) > MAX_BYTES:
            released.append(blob)
        else:
            _CACHE[key] = (blob, content)
            _SIZE += len(content)
        while _SIZE > MAX_BYTES and _CACHE:
            _, (old_blob, old_content) = _CACHE.popitem(last=False)
            _SIZE -= len(old_content)
            released.append(old_blob)
    for old in released:
        harfbuzz.hb_blob_destroy(old)


def _creating_font(self: Any, *args: Any, **kwargs: Any) -> None:
    _CREATING.font = True
    try:
        ORIGINAL_INIT(self, *args, **kwargs)
    finally:
        _CREATING.font = False


def install() -> bool:
    if not checked(CHECKED_VERSIONS, "font bytes cache", "every PDF copies its font files again"):
        return False
    fonts.get_hb_object_data = face_bytes
    fonts.Font.__init__ = _creating_font
    return True


def uninstall() -> None:
    fonts.get_hb_object_data = ORIGINAL
    fonts.Font.__init__ = ORIGINAL_INIT


def clear() -> None:
    global _SIZE
    with _LOCK:
        blobs = [blob for blob, _ in _CACHE.values()]
        _CACHE.clear()
        _SIZE = 0
    for blob in blobs:
        harfbuzz.hb_blob_destroy(blob)


INSTALLED = install()
