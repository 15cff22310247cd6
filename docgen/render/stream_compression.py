"""PDF streams deflated at zlib level 1 instead of 9.

pydyf (WeasyPrint's PDF writer) compresses every stream at level 9. For the font
subsets of a Chinese document that costs ~6 ms of a 70 ms render (measured: the
2-page opinion 70–72 ms at level 9, 64–68 ms at level 1) and the file grows by
3.5 %. The streams decompress to the same bytes (tests/test_performance.py
compares them).
"""

from __future__ import annotations

import types
import zlib

import pydyf

LEVEL = 1


def _compressobj(level: int = LEVEL, *args: object, **kwargs: object) -> "zlib._Compress":
    return zlib.compressobj(LEVEL, *args, **kwargs)  # type: ignore[arg-type]


class _Zlib(types.ModuleType):
    """zlib as pydyf sees it: the same module, but ``compressobj`` at LEVEL."""

    compressobj = staticmethod(_compressobj)

    def __getattr__(self, name: str) -> object:
        return getattr(zlib, name)


pydyf.zlib = _Zlib("zlib")
