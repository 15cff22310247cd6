"""PDF streams deflated at zlib level 1 instead of 9, and a font compressed once per subset.

pydyf (WeasyPrint's PDF writer) compresses every stream at level 9. For the font
subsets of a Chinese document that costs ~6 ms of a 70 ms render (measured: the
2-page opinion 70–72 ms at level 9, 64–68 ms at level 1) and the file grows by
3.5 %. The streams decompress to the same bytes (tests/test_performance.py
compares them).

A font subset taken from docgen.render.subset_cache is the very same ``bytes``
object every time, and pydyf hands it to the compressor as it is. So a large
input seen before (the same object, kept alive here, so its identity cannot be
reused) gets the compressed bytes of last time: the same output, ~3 ms of a
letter's preview saved. Anything else is compressed as usual.
"""

from __future__ import annotations

import types
import zlib
from collections import OrderedDict
from typing import Any

import pydyf

from docgen.render.fork_lock import ForkSafeLock

LEVEL = 1
REMEMBER_FROM = 32 * 1024  # smaller inputs (page contents) are new every time
REMEMBER_BYTES = 16 * 1024 * 1024  # the inputs kept, in all

_SEEN: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()  # id(input) → (input, compressed)
_SIZE = 0
_LOCK = ForkSafeLock()
STATS = {"hits": 0}


class _Compressor:
    """``zlib.compressobj(LEVEL)``, answering a large input seen before from memory (all of it at once from
    ``compress``, nothing from ``flush``: the same bytes in all)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._inner = zlib.compressobj(LEVEL, *args, **kwargs)
        self._whole: bytes | None = None
        self._fed = False

    def compress(self, data: Any) -> bytes:
        first, self._fed = not self._fed, True
        if not first or type(data) is not bytes or len(data) < REMEMBER_FROM:  # only a whole stream is remembered
            if self._whole is not None:
                raise RuntimeError("more input after a remembered stream")
            return self._inner.compress(data)
        with _LOCK:
            seen = _SEEN.get(id(data))
            if seen is not None and seen[0] is data:
                _SEEN.move_to_end(id(data))
                STATS["hits"] += 1
                self._whole = seen[1]
                return self._whole
        self._whole = self._inner.compress(data) + self._inner.flush()
        _remember(data, self._whole)
        return self._whole

    def flush(self, *args: Any) -> bytes:
        return b"" if self._whole is not None else self._inner.flush(*args)


def _remember(data: bytes, compressed: bytes) -> None:
    global _SIZE
    with _LOCK:
        if id(data) in _SEEN:
            return
        _SEEN[id(data)] = (data, compressed)
        _SIZE += len(data)
        while _SIZE > REMEMBER_BYTES and _SEEN:
            _, (old, _compressed) = _SEEN.popitem(last=False)
            _SIZE -= len(old)


def clear() -> None:
    global _SIZE
    with _LOCK:
        _SEEN.clear()
        _SIZE = 0


def _compressobj(level: int = LEVEL, *args: Any, **kwargs: Any) -> _Compressor:
    return _Compressor(*args, **kwargs)


class _Zlib(types.ModuleType):
    """zlib as pydyf sees it: the same module, but ``compressobj`` at LEVEL, remembering large inputs."""

    compressobj = staticmethod(_compressobj)

    def __getattr__(self, name: str) -> object:
        return getattr(zlib, name)


pydyf.zlib = _Zlib("zlib")
