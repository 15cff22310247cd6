"""Running one job: claim it under a lease, call its handler, record the result or the failure."""

from __future__ import annotations

import atexit
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from docgen import leases
from docgen.config import Settings
from docgen.errors import DocgenError
from docgen.store import jobs as job_store
from docgen.store.db import db_session
from docgen.store.models import Job

LOG = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a handler gets: the settings, the job row and a way to report progress."""

    settings: Settings
    job: Job
    attempt: int

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.job.payload_json)

    def progress(self, done: int, total: int) -> None:
        """Record progress (shown to the client polling the job)."""
        with db_session(self.settings) as session:
            job_store.progress(session, self.job.id, self.attempt, done, total)


Handler = Callable[[JobContext], dict[str, Any]]


class Detached(Exception):
    """Raised by a handler whose work goes on in other tasks: the job stays running, and they finish it."""


class HandBack(Exception):
    """Raised by a handler that cannot go on because this process is shutting down (a gunicorn worker recycled or
    stopped): the job goes back to the queue, its attempt not counted, for another process to resume; from then on
    this process claims no job (it would only hand it back again)."""


_STOPPING = threading.Event()


def stopping() -> bool:
    """Whether this process is shutting down and takes no more jobs."""
    return _STOPPING.is_set()


def handlers() -> dict[str, Handler]:
    """Job kinds and the functions that run them."""
    from docgen.jobs.handlers import HANDLERS
    return HANDLERS


def execute(settings: Settings, job_id: str) -> bool:
    """Claim and run one job; False if another worker has it, it is finished, or this process is stopping."""
    if _STOPPING.is_set():
        return False
    with db_session(settings) as session:
        attempt = job_store.claim(session, job_id, settings.pending_timeout_s)
        if attempt is None:
            return False
        job = session.get(Job, job_id)
    handler = handlers().get(job.kind)
    with leases.holding(settings, jobs=(job_id,)), _released_on_exit(settings, job_id, attempt):
        try:
            if handler is None:
                raise DocgenError(f"未知的后台任务类型“{job.kind}”", code="unknown_job_kind")
            result = handler(JobContext(settings, job, attempt))
        except Detached:
            return True
        except HandBack:
            _STOPPING.set()
            LOG.info("job %s (%s) handed back: this process is shutting down", job_id, job.kind)
            # Released and forgotten under the lock release_all takes at exit: it either waits for this (and then
            # does not release the job again, perhaps another process's claim by then) or released it already.
            with _RUNNING_LOCK:
                with db_session(settings) as session:
                    job_store.release(session, job_id, attempt)
                _RUNNING.pop(job_id, None)
            return True
        except DocgenError as error:
            message = error.message if error.http_status < 500 else type(error).message
            LOG.warning("job %s (%s) failed: %s %s", job_id, job.kind, error.code, error.log_detail or error.message)
            with db_session(settings) as session:
                job_store.fail(session, job_id, attempt, error.code, message)
            return True
        except Exception:
            LOG.exception("job %s (%s) failed", job_id, job.kind)
            with db_session(settings) as session:
                job_store.fail(session, job_id, attempt, "internal_error", "后台任务内部错误，请联系管理员")
            return True
        with db_session(settings) as session:
            job_store.finish(session, job_id, attempt, result)
    return True


_RUNNING: dict[str, tuple[Settings, int]] = {}
_RUNNING_LOCK = threading.Lock()


@contextmanager
def _released_on_exit(settings: Settings, job_id: str, attempt: int) -> Iterator[None]:
    """Remember the job while it runs, so that a process shutting down can hand it back (see release_all)."""
    with _RUNNING_LOCK:
        _RUNNING[job_id] = (settings, attempt)
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.pop(job_id, None)


@atexit.register
def release_all() -> None:
    """At exit (a gunicorn worker recycled or stopped), put running jobs back in the queue for another process."""
    _STOPPING.set()
    with _RUNNING_LOCK:
        running = dict(_RUNNING)
    for job_id, (settings, attempt) in running.items():
        try:
            with db_session(settings) as session:
                job_store.release(session, job_id, attempt)
        except Exception:  # the lease runs out instead, and the sweeper requeues it
            LOG.warning("could not hand back job %s at exit", job_id, exc_info=True)
