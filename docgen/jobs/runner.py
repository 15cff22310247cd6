"""The embedded runner: job threads inside the service processes, when no broker is configured."""

from __future__ import annotations

import logging
import threading
import time

from docgen.config import Settings
from docgen.jobs.execute import execute, stopping
from docgen.store import jobs as job_store
from docgen.store.db import db_session

LOG = logging.getLogger(__name__)
POLL_S = 5.0  # how often an idle thread looks for jobs queued by other processes
IDLE_EXIT_S = 120.0  # an idle thread ends; the next submission or sweep starts it again


class EmbeddedRunner:
    """Up to ``settings.job_threads`` threads taking queued jobs from the database, oldest first."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def nudge(self) -> None:
        """A job was queued: make sure threads run, and wake one."""
        with self.lock:
            self.threads = [t for t in self.threads if t.is_alive()]
            while len(self.threads) < self.settings.job_threads:
                thread = threading.Thread(target=self._work, name=f"docgen-jobs-{len(self.threads)}", daemon=True)
                self.threads.append(thread)
                thread.start()
        self.wake.set()

    def _work(self) -> None:
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < IDLE_EXIT_S and not stopping():
            try:
                with db_session(self.settings, read_only=True) as session:
                    job_id = job_store.next_queued(session)
                if job_id is None:
                    self.wake.wait(POLL_S)
                    self.wake.clear()
                    continue
                execute(self.settings, job_id)
                idle_since = time.monotonic()
            except Exception:  # the database may be away for a while; keep trying
                LOG.warning("job runner: %s", "error while taking a job", exc_info=True)
                time.sleep(POLL_S)
        with self.lock:
            self.threads = [t for t in self.threads if t is not threading.current_thread()]


_RUNNERS: dict[Settings, EmbeddedRunner] = {}
_RUNNERS_LOCK = threading.Lock()


def embedded_runner(settings: Settings) -> EmbeddedRunner:
    """The process's runner for these settings."""
    with _RUNNERS_LOCK:
        if settings not in _RUNNERS:
            _RUNNERS[settings] = EmbeddedRunner(settings)
        return _RUNNERS[settings]


def run_queued(settings: Settings, limit: int = 1000) -> int:
    """Run queued jobs in this thread until none is left (for `docgen jobs run` and tests); return how many ran."""
    ran = 0
    while ran < limit and not stopping():
        with db_session(settings) as session:
            job_id = job_store.next_queued(session)
        if job_id is None:
            return ran
        if execute(settings, job_id):
            ran += 1
    return ran
