"""Values computed from large ``bytes`` objects that come back again and again, remembered by identity.

The renderers hand the same ``bytes`` object to a compressor many times over: a
cached font subset (PDF), a template part docgen never edits (DOCX). Hashing or
comparing such inputs would cost about as much as the work saved, so they are
remembered by identity instead. The object is kept alive here with its value,
so its ``id`` cannot be reused by another object while the entry exists; least
recently used entries go first beyond ``max_bytes`` of inputs.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

from docgen.render.fork_lock import ForkSafeLock


class IdentityMemo:
    """``value = memo.get(data, compute)``: ``compute(data)`` once per kept ``bytes`` object."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._seen: OrderedDict[int, tuple[bytes, Any]] = OrderedDict()  # id(data) → (data, value)
        self._size = 0
        self._lock = ForkSafeLock()
        self.hits = 0

    def get(self, data: bytes, compute: Callable[[bytes], Any]) -> Any:
        with self._lock:
            seen = self._seen.get(id(data))
            if seen is not None and seen[0] is data:
                self._seen.move_to_end(id(data))
                self.hits += 1
                return seen[1]
        value = compute(data)
        with self._lock:
            if id(data) not in self._seen:
                self._seen[id(data)] = (data, value)
                self._size += len(data)
                while self._size > self.max_bytes and self._seen:
                    _, (old, _value) = self._seen.popitem(last=False)
                    self._size -= len(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
            self._size = 0

    @property
    def size(self) -> int:
        return self._size
