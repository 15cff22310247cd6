"""Leases on work in progress: while this process renders a document or runs a job, it keeps renewing.

A pending document or a running job whose lease has expired was abandoned (the
worker was killed, ran out of memory, lost its database): a retry or the sweeper
may take it over. A daemon thread renews every lease this process holds at a
third of the lease time, so only a process that is really gone loses its work.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import update

from docgen.clock import utcnow
from docgen.config import Settings
from docgen.store.db import db_session
from docgen.store.models import Document, Job

LOG = logging.getLogger(__name__)
MAX_HOLD_S = 3600  # a render or job still going after an hour has hung: its lease is left to run out


def lease_end(settings: Settings) -> datetime:
    """When a lease taken now expires."""
    return utcnow() + timedelta(seconds=settings.pending_timeout_s)


class _Keeper:
    """The process's held leases, grouped by settings, and the thread renewing them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[Settings, dict[str, Counter[str]]] = {}  # counted: one id may be held twice
        self.renewed: dict[Settings, float] = {}
        self.since: dict[str, float] = {}  # when each id was first held
        self.thread: threading.Thread | None = None

    def add(self, settings: Settings, documents: tuple[str, ...], jobs: tuple[str, ...]) -> None:
        with self.lock:
            group = self.held.setdefault(settings, {"documents": Counter(), "jobs": Counter()})
            group["documents"].update(documents)
            group["jobs"].update(jobs)
            for key in (*documents, *jobs):
                self.since.setdefault(key, time.monotonic())
            self.renewed.setdefault(settings, time.monotonic())
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="docgen-leases", daemon=True)
                self.thread.start()

    def remove(self, settings: Settings, documents: tuple[str, ...], jobs: tuple[str, ...]) -> None:
        with self.lock:
            group = self.held.get(settings)
            if group is None:
                return
            group["documents"].subtract(documents)
            group["jobs"].subtract(jobs)
            for counter in group.values():
                for key in [key for key, count in counter.items() if count <= 0]:
                    del counter[key]
                    self.since.pop(key, None)
            if not group["documents"] and not group["jobs"]:
                del self.held[settings]
                self.renewed.pop(settings, None)

    def due(self) -> list[tuple[Settings, set[str], set[str]]]:
        now = time.monotonic()
        with self.lock:
            out = []
            for settings, group in self.held.items():
                if now - self.renewed.get(settings, 0) >= settings.pending_timeout_s / 3:
                    self.renewed[settings] = now
                    fresh = {key for key, start in self.since.items() if now - start < MAX_HOLD_S}
                    out.append((settings, set(group["documents"]) & fresh, set(group["jobs"]) & fresh))
            return out

    def run(self) -> None:
        while True:
            time.sleep(0.5)
            for settings, documents, jobs in self.due():
                try:
                    renew(settings, documents, jobs)
                except Exception:  # a database hiccup: the next round tries again; the lease has slack
                    LOG.warning("could not renew leases", exc_info=True)


_KEEPER = _Keeper()


def renew(settings: Settings, documents: set[str], jobs: set[str]) -> None:
    """Push the leases of these pending documents and running jobs forward."""
    until = lease_end(settings)
    with db_session(settings) as session:
        if documents:
            session.execute(update(Document).where(Document.id.in_(documents), Document.status == "pending")
                            .values(lease_until=until))
        if jobs:
            session.execute(update(Job).where(Job.id.in_(jobs), Job.state == "running").values(lease_until=until))


@contextmanager
def holding(settings: Settings, documents: tuple[str, ...] = (), jobs: tuple[str, ...] = ()) -> Iterator[None]:
    """Keep the leases of these documents and jobs alive while the block runs."""
    _KEEPER.add(settings, documents, jobs)
    try:
        yield
    finally:
        _KEEPER.remove(settings, documents, jobs)
