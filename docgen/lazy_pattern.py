"""Regular expressions compiled when first used, not when their module is imported.

Python compiles a pattern with a large character class (a hanzi range, full-width
digits) slowly — ~1–3 ms each on this machine — and every module of the registry is
imported on every start, so the masking rules of the monthly notice and the table
measurer cost a letter's cold start ~10 ms without ever being used. A pattern made
here behaves as the compiled one (it hands every attribute to it) and is compiled on
the first call; two threads racing there both compile the same pattern, harmlessly.
"""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    """``re.compile(pattern, flags)``, deferred until a method or attribute is first asked for."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source, self._flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self._source, self._flags)
        return getattr(compiled, name)


def lazy_compile(pattern: str, flags: int = 0) -> Any:
    """A pattern compiled on first use (typed ``Any``: it answers as ``re.Pattern`` does)."""
    return LazyPattern(pattern, flags)
