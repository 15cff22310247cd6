"""A lock for the process-wide caches of the renderers that a forked child gets free.

The second half of a split table is rendered in a forked child (docgen.render.table_split). Should another
thread hold a cache's lock at the moment of the fork, the child's copy would stay locked for ever; here the
child gets a new, free lock instead.
"""

from __future__ import annotations

import os
import threading
from typing import Any


class ForkSafeLock:
    """``threading.Lock`` for ``with`` blocks, renewed in a forked child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> "ForkSafeLock":
        self._lock.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()
