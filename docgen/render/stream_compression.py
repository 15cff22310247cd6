"""PDF streams deflated at zlib level 1 instead of 9, and a font compressed once per subset.

pydyf (WeasyPrint's PDF writer) compresses every stream at level 9. For the font
subsets of a Chinese document that costs ~6 ms of a 70 ms render (measured: the
2-page opinion 70–72 ms at level 9, 64–68 ms at level 1) and the file grows by
3.5 %. The streams decompress to the same bytes (tests/test_performance.py
compares them).

A font subset taken from docgen.render.subset_cache is the very same ``bytes``
object every time, and pydyf hands it to the compressor as it is. So a large
input seen before (the same object, kept alive by docgen.render.identity_memo, so its identity cannot be
reused) gets the compressed bytes of last time: the same output, ~3 ms of a
letter's preview saved. Anything else is compressed as usual.
"""

from __future__ import annotations

import types
import zlib
from typing import Any

import pydyf

from docgen.render.identity_memo import IdentityMemo

LEVEL = 1
REMEMBER_FROM = 32 * 1024  # smaller inputs (page contents) are new every time
REMEMBER_BYTES = 16 * 1024 * 1024  # the inputs kept, in all

_MEMO = IdentityMemo(REMEMBER_BYTES)  # input → its whole compressed stream


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
        self._whole = _MEMO.get(data, self._whole_stream)
        return self._whole

    def _whole_stream(self, data: bytes) -> bytes:
        return self._inner.compress(data) + self._inner.flush()

    def flush(self, *args: Any) -> bytes:
        return b"" if self._whole is not None else self._inner.flush(*args)


def hits() -> int:
    """How many streams were answered from memory in this process."""
    return _MEMO.hits


def clear() -> None:
    _MEMO.clear()


def _compressobj(level: int = LEVEL, *args: Any, **kwargs: Any) -> _Compressor:
    return _Compressor(*args, **kwargs)


class _Zlib(types.ModuleType):
    """zlib as pydyf sees it: the same module, but ``compressobj`` at LEVEL, remembering large inputs."""

    compressobj = staticmethod(_compressobj)

    def __getattr__(self, name: str) -> object:
        return getattr(zlib, name)


pydyf.zlib = _Zlib("zlib")
