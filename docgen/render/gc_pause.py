"""Garbage-collector discipline for rendering.

A PDF render makes a few hundred thousand short-lived objects, many in cycles
(WeasyPrint's boxes point at their parents). Python's collector, triggered by
allocation counts, walks them again and again during the render: 15–20 % of its
time. So the collector pauses while any render runs in this process.

What a render leaves is collected once afterwards. A thread serving a request
says so (``handing_over``): its renders leave the collector off, and the web layer
collects once the response has gone out (``collect_if_idle``) — for a 200-case
month that collection walks ~175,000 objects (0.1–0.2 s) that no client waits
for. Anywhere else (a batch, a background job, the CLI) the collector is back on
when the last render ends and collects at once, as Python would. At worker start,
after a warm-up render, ``freeze`` moves everything alive then (modules, fonts,
the stylesheet) out of the collector's sight for good.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

_LOCK = threading.Lock()
_ACTIVE = 0
_OWED = False  # a render ended since the last collection
_SINCE = 0  # renders ended since the last collection
_HANDING_OVER = threading.local()  # .active: this thread's caller collects once its work has gone out
COLLECT_AT_LEAST_EVERY = 50


def hand_over(active: bool) -> None:
    """From now on in this thread, renders leave the collector off (``True``: the caller then calls
    ``collect_if_idle``), or turn it back on when they end (``False``, the default)."""
    _HANDING_OVER.active = active


@contextlib.contextmanager
def handing_over() -> Iterator[None]:
    """``hand_over(True)`` for the block."""
    before = getattr(_HANDING_OVER, "active", False)
    hand_over(True)
    try:
        yield
    finally:
        hand_over(before)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No automatic collection while this (or any other) render of the process runs."""
    global _ACTIVE, _OWED
    global _SINCE
    with _LOCK:
        _ACTIVE += 1
        gc.disable()
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE -= 1
            _OWED = True
            _SINCE += 1
            overdue = _SINCE >= COLLECT_AT_LEAST_EVERY
            if _ACTIVE == 0 and not getattr(_HANDING_OVER, "active", False):
                gc.enable()  # no one collects later here: the collector runs as usual
        if overdue:  # renders that overlap without end must not keep the collector away for good
            collect_now()


def collect_if_idle() -> bool:
    """Collect what the renders left, unless another render is running; return whether it collected."""
    with _LOCK:
        if _ACTIVE or not _OWED:
            return False
    collect_now()
    return True


def collect_now() -> None:
    """Collect, and turn the collector back on unless a render runs (cheap after ``freeze``: only what
    requests created is walked)."""
    global _OWED, _SINCE
    with _LOCK:
        _OWED, _SINCE = False, 0
    gc.collect()
    with _LOCK:
        if _ACTIVE == 0:
            gc.enable()


def freeze_after_warm_up() -> None:
    """Collect, then exempt every object alive now from future collections (call once, after warming up)."""
    gc.collect()
    gc.freeze()


def owed() -> bool:
    """Whether a render ended since the last collection."""
    return _OWED
