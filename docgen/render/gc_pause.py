"""Garbage-collector discipline for rendering.

A PDF render makes a few hundred thousand short-lived objects, many in cycles
(WeasyPrint's boxes point at their parents). Python's collector, triggered by
allocation counts, walks them again and again during the render: 15–20 % of its
time. So the collector pauses while any render runs in this process.

What a render leaves is collected once afterwards. A thread serving a request
says so (``defer_collections``): its renders leave the collector off, and the web
layer collects once the response has gone out (``collect_if_idle``) — for a
200-case month that collection walks ~175,000 objects (0.1–0.2 s) that no client
waits for. Should the response take long to go out (a slow client), the collection
runs anyway DEFER_AT_MOST_S later. Anywhere else (a batch, a background job, the
CLI) the collector is back on when the last render ends, and Python runs it as
usual (at the next allocation, as so much was allocated). At worker start, after
a warm-up render, ``freeze`` moves everything alive then (modules, fonts, the
stylesheet) out of the collector's sight for good.

A collection after a render walks the young generations only: with the collector
off, everything the render made is still in them. A full collection walks every
object of the process (the modules, WeasyPrint's stylesheets and fonts, the
caches) that is not frozen: 80 ms per issued opinion in a process that never froze
(DOCGEN_WARM_UP=0), against 2.4 ms for the young generations. Every FULL_EVERY-th
collection is a full one, for what outlived its request and became garbage later
(an evicted cache entry, a render caught mid-way by another thread's collection).
(Measured on CPython 3.11; from 3.14 the collector is incremental and generation 1
means "young plus a slice of the old", which still reclaims what a render left.)
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from typing import Iterator

_LOCK = threading.Lock()
_ACTIVE = 0
_OWED = False  # a render ended since the last collection
_SINCE = 0  # renders ended since the last collection
_DEFERRING = threading.local()  # .active: this thread's caller collects once its work has gone out
COLLECT_AT_LEAST_EVERY = 50
DEFER_AT_MOST_S = 5.0
FULL_EVERY = 10
_COLLECTIONS = 0  # collections after renders so far; every FULL_EVERY-th one is a full one


def defer_collections(active: bool) -> None:
    """From now on in this thread, renders leave the collector off for the caller to collect with
    ``collect_if_idle`` (``True``), or turn it back on when they end (``False``, the default)."""
    _DEFERRING.active = active


@contextlib.contextmanager
def collections_deferred() -> Iterator[None]:
    """``defer_collections(True)`` for the block."""
    before = getattr(_DEFERRING, "active", False)
    defer_collections(True)
    try:
        yield
    finally:
        defer_collections(before)


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
            deferred = getattr(_DEFERRING, "active", False)
            if _ACTIVE == 0 and not deferred:
                gc.enable()  # no one collects later here: the collector runs as usual
        if overdue:  # renders that overlap without end must not keep the collector away for good
            collect_now()
        elif deferred:  # nor may a response that takes long to go out
            _collect_within(DEFER_AT_MOST_S)


_DEADLINE: threading.Timer | None = None  # one pending deadline for all deferred collections


def _collect_within(seconds: float) -> None:
    """Make sure a collection is tried within ``seconds`` (one timer thread at most, however many renders)."""
    global _DEADLINE
    with _LOCK:
        if _DEADLINE is not None and _DEADLINE.is_alive():
            return
        _DEADLINE = threading.Timer(seconds, collect_if_idle)
        _DEADLINE.daemon = True
        _DEADLINE.start()


def collect_if_idle() -> bool:
    """Collect what the renders left, unless another render is running; return whether it collected."""
    with _LOCK:
        if _ACTIVE or not _OWED:
            return False
    collect_now()
    return True


def collect_now() -> None:
    """Collect what the renders left (the young generations; every FULL_EVERY-th time all of them), and turn
    the collector back on unless a render runs."""
    global _OWED, _SINCE, _COLLECTIONS
    with _LOCK:
        _OWED, _SINCE = False, 0
        _COLLECTIONS += 1
        generation = 2 if _COLLECTIONS % FULL_EVERY == 0 else 1
    gc.collect(generation)
    with _LOCK:
        if _ACTIVE == 0:
            gc.enable()


def freeze_after_warm_up() -> None:
    """Collect, then exempt every object alive now from future collections (call once, after warming up)."""
    gc.collect()
    gc.freeze()


def freeze_when_idle(attempts: int = 60, pause_s: float = 0.5) -> bool:
    """``freeze_after_warm_up`` for a process that already serves: only while no render runs (its boxes,
    frozen half-way, would never be collected), trying again for a while; whether it froze."""
    for _ in range(attempts):
        with _LOCK:  # a render starting now waits for the freeze
            if _ACTIVE == 0:
                freeze_after_warm_up()
                return True
        time.sleep(pause_s)
    return False


def owed() -> bool:
    """Whether a render ended since the last collection."""
    return _OWED
