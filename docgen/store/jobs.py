"""Background jobs as rows: created queued, claimed under a lease, finished or failed with a reason.

The row is the truth: a job whose worker died keeps its state and is taken up
again when its lease expires, whether the work runs in the service processes or
in Celery workers.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from docgen.clock import utcnow
from docgen.store.models import Job
from docgen.store.tokens import Caller

UNFINISHED = ("queued", "running")
MAX_ATTEMPTS = 3


def create_job(session: Session, kind: str, payload: dict[str, Any], caller: Caller,
               document_id: str | None = None) -> Job:
    """A new queued job owned by ``caller``."""
    job = Job(id=uuid.uuid4().hex, kind=kind, state="queued", payload_json=json.dumps(payload, ensure_ascii=False),
              token_id=caller.token_id, owner=caller.name, owner_unit=caller.unit if caller.role != "judicial" else None,
              document_id=document_id, progress_done=0, progress_total=0, attempts=0)
    session.add(job)
    session.flush()
    return job


def unfinished_count(session: Session, caller: Caller) -> int:
    """How many queued or running jobs this caller's token has."""
    return int(session.execute(select(func.count()).select_from(Job).where(
        Job.token_id == caller.token_id, Job.state.in_(UNFINISHED))).scalar_one())


def visible(job: Job, caller: Caller) -> bool:
    """The 司法局 sees every job; a unit sees its unit's jobs."""
    return caller.role == "judicial" or (job.owner_unit is not None and job.owner_unit == caller.unit)


def claim(session: Session, job_id: str, lease_s: int) -> bool:
    """Take a queued job under a lease; False if someone else has it or it is finished."""
    now = utcnow()
    result = session.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
        state="running", lease_until=now + timedelta(seconds=lease_s), attempts=Job.attempts + 1,
        started_at=func.coalesce(Job.started_at, now)))
    return result.rowcount == 1


def next_queued(session: Session) -> str | None:
    """The oldest queued job, if any."""
    return session.execute(select(Job.id).where(Job.state == "queued").order_by(Job.created_at).limit(1)).scalar()


def progress(session: Session, job_id: str, done: int, total: int) -> None:
    """Record how far a running job is."""
    session.execute(update(Job).where(Job.id == job_id).values(progress_done=done, progress_total=total))


def finish(session: Session, job_id: str, result: dict[str, Any]) -> None:
    """A running job is done with ``result``."""
    session.execute(update(Job).where(Job.id == job_id, Job.state == "running").values(
        state="done", result_json=json.dumps(result, ensure_ascii=False), finished_at=utcnow(), lease_until=None))


def fail(session: Session, job_id: str, code: str, message: str) -> None:
    """A job has failed for good, with a stable code and a Chinese message."""
    session.execute(update(Job).where(Job.id == job_id, Job.state.in_(UNFINISHED)).values(
        state="failed", error_json=json.dumps({"code": code, "message": message}, ensure_ascii=False),
        finished_at=utcnow(), lease_until=None))


def expired(session: Session, now: datetime) -> list[Job]:
    """Running jobs whose worker stopped renewing the lease."""
    return list(session.execute(select(Job).where(Job.state == "running", Job.lease_until < now)).scalars())


def requeue(session: Session, job_id: str) -> bool:
    """Put an abandoned running job back in the queue (the next claim counts another attempt)."""
    result = session.execute(update(Job).where(Job.id == job_id, Job.state == "running").values(
        state="queued", lease_until=None))
    return result.rowcount == 1


def describe_job(job: Job, links: dict[str, str]) -> dict[str, Any]:
    """A job as JSON: state, progress, result or error, and links."""
    return {"id": job.id, "kind": job.kind, "state": job.state,
            "progress": {"done": job.progress_done, "total": job.progress_total},
            "created_at": job.created_at.isoformat(),
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "attempts": job.attempts, "document_id": job.document_id,
            "result": json.loads(job.result_json) if job.result_json else None,
            "error": json.loads(job.error_json) if job.error_json else None, "links": links}
