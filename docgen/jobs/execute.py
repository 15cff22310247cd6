"""Running one job: claim it under a lease, call its handler, record the result or the failure."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
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

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.job.payload_json)

    def progress(self, done: int, total: int) -> None:
        """Record progress (shown to the client polling the job)."""
        with db_session(self.settings) as session:
            job_store.progress(session, self.job.id, done, total)


Handler = Callable[[JobContext], dict[str, Any]]


def handlers() -> dict[str, Handler]:
    """Job kinds and the functions that run them."""
    from docgen.jobs.handlers import HANDLERS
    return HANDLERS


def execute(settings: Settings, job_id: str) -> bool:
    """Claim and run one job; False if another worker has it or it is finished."""
    with db_session(settings) as session:
        if not job_store.claim(session, job_id, settings.pending_timeout_s):
            return False
        job = session.get(Job, job_id)
    handler = handlers().get(job.kind)
    with leases.holding(settings, jobs=(job_id,)):
        try:
            if handler is None:
                raise DocgenError(f"未知的后台任务类型“{job.kind}”", code="unknown_job_kind")
            result = handler(JobContext(settings, job))
        except DocgenError as error:
            message = error.message if error.http_status < 500 else type(error).message
            LOG.warning("job %s (%s) failed: %s %s", job_id, job.kind, error.code, error.log_detail or error.message)
            with db_session(settings) as session:
                job_store.fail(session, job_id, error.code, message)
            return True
        except Exception:
            LOG.exception("job %s (%s) failed", job_id, job.kind)
            with db_session(settings) as session:
                job_store.fail(session, job_id, "internal_error", "后台任务内部错误，请联系管理员")
            return True
        with db_session(settings) as session:
            job_store.finish(session, job_id, result)
    return True
