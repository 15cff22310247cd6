"""A least-recently-used table of ``bytes`` results, bounded by their total size, safe across threads and forks."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from docgen.render.fork_lock import ForkSafeLock


class BoundedBytes:
    """``get(key)`` / ``put(key, value)``; the least recently used values go first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Any, bytes] = OrderedDict()
        self._size = 0
        self._lock = ForkSafeLock()

    def get(self, key: Any) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, value: bytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    @property
    def size(self) -> int:
        return self._size
