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

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from docgen.clock import aware, utcnow
from docgen.errors import TooManyRequests
from docgen.store.models import Job
from docgen.store.tokens import Caller

UNFINISHED = ("queued", "running")
MAX_ATTEMPTS = 3


def create_job(session: Session, kind: str, payload: dict[str, Any], caller: Caller,
               document_id: str | None = None, lease_s: int = 300) -> Job:
    """A new queued job owned by ``caller`` (a queued job's lease says when the sweeper may send it again)."""
    job = Job(id=uuid.uuid4().hex, kind=kind, state="queued", payload_json=json.dumps(payload, ensure_ascii=False),
              token_id=caller.token_id, owner=caller.name, owner_unit=caller.unit if caller.role != "judicial" else None,
              document_id=document_id, progress_done=0, progress_total=0, attempts=0,
              lease_until=utcnow() + timedelta(seconds=lease_s))
    session.add(job)
    session.flush()
    return job


def unfinished_count(session: Session, caller: Caller) -> int:
    """How many queued or running jobs this caller's token has."""
    return int(session.execute(select(func.count()).select_from(Job).where(
        Job.token_id == caller.token_id, Job.state.in_(UNFINISHED))).scalar_one())


def check_quota(session: Session, caller: Caller, quota: int) -> None:
    """TooManyRequests when the caller already has ``quota`` unfinished jobs (previews and issues alike)."""
    if unfinished_count(session, caller) >= quota:
        raise TooManyRequests(f"未完成的后台任务已有 {quota} 个，请等其完成后再提交", code="job_quota", retry_after=30)


def visible(job: Job, caller: Caller) -> bool:
    """The 司法局 sees every job; a unit sees its unit's jobs."""
    return caller.role == "judicial" or (job.owner_unit is not None and job.owner_unit == caller.unit)


def claim(session: Session, job_id: str, lease_s: int) -> int | None:
    """Take a queued job under a lease; return this claim's attempt number, None if someone else has it."""
    now = utcnow()
    result = session.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
        state="running", lease_until=now + timedelta(seconds=lease_s), attempts=Job.attempts + 1,
        started_at=func.coalesce(Job.started_at, now)))
    if result.rowcount != 1:
        return None
    return session.execute(select(Job.attempts).where(Job.id == job_id)).scalar_one()


def _mine(job_id: str, attempt: int) -> Any:
    """The running job as this claim holds it (a stale worker's writes match nothing)."""
    return (Job.id == job_id) & (Job.state == "running") & (Job.attempts == attempt)


def next_queued(session: Session) -> str | None:
    """The oldest queued job, if any."""
    return session.execute(select(Job.id).where(Job.state == "queued").order_by(Job.created_at).limit(1)).scalar()


def progress(session: Session, job_id: str, attempt: int, done: int, total: int) -> None:
    """Record how far a running job is."""
    session.execute(update(Job).where(_mine(job_id, attempt)).values(progress_done=done, progress_total=total))


def finish(session: Session, job_id: str, attempt: int, result: dict[str, Any]) -> None:
    """This claim's job is done with ``result`` (a preview's data is no longer needed, so it is dropped)."""
    session.execute(update(Job).where(_mine(job_id, attempt)).values(
        state="done", result_json=json.dumps(result, ensure_ascii=False), finished_at=utcnow(), lease_until=None,
        payload_json=_spent_payload()))


def fail(session: Session, job_id: str, attempt: int, code: str, message: str) -> None:
    """This claim's job has failed for good, with a stable code and a Chinese message."""
    session.execute(update(Job).where(_mine(job_id, attempt)).values(
        state="failed", error_json=_error(code, message), finished_at=utcnow(), lease_until=None,
        payload_json=_spent_payload()))


def _error(code: str, message: str) -> str:
    return json.dumps({"code": code, "message": message}, ensure_ascii=False)


def _spent_payload() -> Any:
    """A finished job keeps no personal data it no longer needs: previews drop their input."""
    return case((Job.kind == "preview", "{}"), else_=Job.payload_json)


def expired(session: Session, now: datetime) -> list[Job]:
    """Running jobs whose worker stopped renewing the lease."""
    return list(session.execute(select(Job).where(Job.state == "running", Job.lease_until < now)).scalars())


def _still_abandoned(job: Job, now: datetime) -> Any:
    """The job as the sweeper saw it: same claim, lease still expired (another sweeper may have acted since)."""
    return (Job.id == job.id) & (Job.state == "running") & (Job.attempts == job.attempts) & (Job.lease_until < now)


def requeue(session: Session, job: Job, now: datetime, counted: bool = True) -> bool:
    """Put an abandoned running job back in the queue (the next claim counts another attempt, unless not ``counted``)."""
    attempts = Job.attempts if counted else Job.attempts - 1
    return session.execute(update(Job).where(_still_abandoned(job, now)).values(
        state="queued", lease_until=None, attempts=attempts).execution_options(synchronize_session=False)).rowcount == 1


def give_up(session: Session, job: Job, now: datetime, message: str) -> bool:
    """Fail an abandoned job that has been interrupted too often."""
    return session.execute(update(Job).where(_still_abandoned(job, now)).values(
        state="failed", error_json=_error("abandoned", message), finished_at=now, lease_until=None,
        payload_json=_spent_payload()).execution_options(synchronize_session=False)).rowcount == 1


def release(session: Session, job_id: str, attempt: int) -> None:
    """A stopping worker hands its job back to the queue without counting the attempt against it."""
    session.execute(update(Job).where(_mine(job_id, attempt)).values(
        state="queued", lease_until=None, attempts=Job.attempts - 1))


def describe_job(job: Job, links: dict[str, str]) -> dict[str, Any]:
    """A job as JSON: state, progress, result or error, and links."""
    return {"id": job.id, "kind": job.kind, "state": job.state,
            "progress": {"done": job.progress_done, "total": job.progress_total},
            "created_at": aware(job.created_at).isoformat(),
            "started_at": aware(job.started_at).isoformat() if job.started_at else None,
            "finished_at": aware(job.finished_at).isoformat() if job.finished_at else None,
            "attempts": job.attempts, "document_id": job.document_id,
            "result": json.loads(job.result_json) if job.result_json else None,
            "error": json.loads(job.error_json) if job.error_json else None, "links": links}
