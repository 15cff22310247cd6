"""Batches as rows: a run refused while another run of its month is unfinished, units claimed under leases.

Each unit's notice is claimed, rendered and settled on its own, so a unit whose
worker died is rendered again by whichever process claims it next, and a unit
already done is never rendered twice. A month's current result changes in one
update, when a newer run of the month completes.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from docgen.clock import utcnow
from docgen.errors import Conflict
from docgen.store.models import Batch, BatchMonth, BatchUnit, Job

UNIT_MAX_ATTEMPTS = 3


def running_key(kind: str, period: str) -> str:
    """The value that makes a second unfinished run of the same month impossible (a unique column)."""
    return f"{kind}:{period}"


def create_batch(session: Session, batch_id: str, kind: str, period: str, job_id: str, owner: str,
                 token_id: int | None, issue: bool, issue_date: date, input_name: str, input_format: str,
                 input_sha256: str) -> Batch:
    """A new batch in ``planning``; Conflict if a run of the same month is unfinished."""
    settle_orphaned(session, kind, period)
    batch = Batch(id=batch_id, kind=kind, period=period, state="planning",
                  running_period=running_key(kind, period), job_id=job_id, owner=owner, token_id=token_id, issue=issue,
                  issue_date=issue_date, input_name=input_name[:200], input_format=input_format,
                  input_sha256=input_sha256, counts_json="{}", warnings_json="[]")
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        raise Conflict(f"{period} 的批量任务正在运行，请等其完成后再提交", code="batch_running", retry_after=30) from None
    return batch


def unfinished(session: Session, kind: str, period: str) -> Batch | None:
    """The run of this month still going, if any."""
    return session.execute(select(Batch).where(Batch.running_period == running_key(kind, period))).scalar_one_or_none()


def settle_orphaned(session: Session, kind: str, period: str) -> None:
    """A run whose job ended (failed for good, e.g. interrupted too often) ends failed too, with the job's reason."""
    batch = unfinished(session, kind, period)
    if batch is None:
        return
    job = session.get(Job, batch.job_id)
    if job is None or job.state in ("done", "failed"):
        error = json.loads(job.error_json) if job is not None and job.error_json else {}
        fail_batch(session, batch.id, error.get("code", "abandoned"), error.get("message", "批量任务已中断"))
        session.flush()


def add_units(session: Session, batch_id: str, units: dict[str, list[dict[str, Any]]],
              held: dict[str, str] | None = None) -> None:
    """One queued row per unit, with its cases (empty for a unit without cases this month); a held unit (every row
    of it refused: an empty notice would be false) gets a row that is never rendered, with the reason."""
    for name, cases in units.items():
        reason = (held or {}).get(name)
        session.add(BatchUnit(batch_id=batch_id, unit=name, state="held" if reason else "queued", attempts=0,
                              case_count=len(cases), cases_json=json.dumps(cases, ensure_ascii=False),
                              error_json=json.dumps({"code": "all_rows_rejected", "message": reason},
                                                    ensure_ascii=False) if reason else None))
    session.flush()


def units_of(session: Session, batch_id: str, with_cases: bool = False) -> list[BatchUnit]:
    """The batch's units, by name (their cases, the bulk of the row, only when asked for)."""
    query = select(BatchUnit).where(BatchUnit.batch_id == batch_id).order_by(BatchUnit.unit)
    if not with_cases:
        query = query.options(defer(BatchUnit.cases_json))
    return list(session.execute(query).scalars())


def waiting_units(session: Session, batch_id: str) -> list[int]:
    """Units to (re)send: queued, or running under a lease that ran out (their worker is gone)."""
    now = utcnow()
    return list(session.execute(select(BatchUnit.id).where(
        BatchUnit.batch_id == batch_id,
        (BatchUnit.state == "queued") | ((BatchUnit.state == "running") & (BatchUnit.lease_until < now)),
    ).order_by(BatchUnit.case_count.desc(), BatchUnit.id)).scalars())


def claim_unit(session: Session, unit_id: int, lease_s: int) -> int | None:
    """Take a waiting unit of a batch still rendering, under a lease; its attempt number, or None if it is done,
    failed, someone else's, or its batch has ended. A unit interrupted UNIT_MAX_ATTEMPTS times fails instead."""
    now = utcnow()
    abandoned = (BatchUnit.state == "running") & (BatchUnit.lease_until < now)
    session.execute(update(BatchUnit).where(
        BatchUnit.id == unit_id, abandoned, BatchUnit.attempts >= UNIT_MAX_ATTEMPTS).values(
        state="failed", lease_until=None, finished_at=now,
        error_json=json.dumps({"code": "abandoned", "message": f"处理多次中断（{UNIT_MAX_ATTEMPTS} 次），已停止"},
                              ensure_ascii=False)).execution_options(synchronize_session=False))
    rendering = select(Batch.id).where(Batch.state == "rendering").scalar_subquery()
    waiting = (BatchUnit.state == "queued") | abandoned
    claimed = session.execute(update(BatchUnit).where(BatchUnit.id == unit_id, waiting,
                                                      BatchUnit.batch_id.in_(rendering)).values(
        state="running", attempts=BatchUnit.attempts + 1, lease_until=now + timedelta(seconds=lease_s),
    ).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None
    return session.execute(select(BatchUnit.attempts).where(BatchUnit.id == unit_id)).scalar_one()


def _mine(unit_id: int, attempt: int) -> Any:
    return (BatchUnit.id == unit_id) & (BatchUnit.state == "running") & (BatchUnit.attempts == attempt)


def renew_unit(session: Session, unit_id: int, attempt: int, lease_s: int) -> bool:
    """Extend this claim's lease; False if the unit was taken over meanwhile."""
    return session.execute(update(BatchUnit).where(_mine(unit_id, attempt)).values(
        lease_until=utcnow() + timedelta(seconds=lease_s))).rowcount == 1


def renew_job_of_unit(session: Session, unit_id: int, lease_s: int) -> None:
    """A unit rendering keeps its batch's job alive too (a job handed over to Celery tasks renews nothing itself)."""
    job_id = select(Batch.job_id).join(BatchUnit, BatchUnit.batch_id == Batch.id).where(
        BatchUnit.id == unit_id).scalar_subquery()
    session.execute(update(Job).where(Job.id == job_id, Job.state == "running").values(
        lease_until=utcnow() + timedelta(seconds=lease_s)).execution_options(synchronize_session=False))


def finish_unit(session: Session, unit_id: int, attempt: int, files: dict[str, tuple[str, int]],
                summary: dict[str, Any], document_id: str | None) -> bool:
    """Record this claim's rendered files; False if another claim took the unit over (its result stands)."""
    return session.execute(update(BatchUnit).where(_mine(unit_id, attempt)).values(
        state="done", lease_until=None, finished_at=utcnow(), error_json=None, document_id=document_id,
        pdf_sha256=files["pdf"][0], pdf_size=files["pdf"][1], docx_sha256=files["docx"][0], docx_size=files["docx"][1],
        summary_json=json.dumps(summary, ensure_ascii=False))).rowcount == 1


def set_unit_document(session: Session, unit_id: int, attempt: int, document_id: str) -> None:
    """Remember the registry document reserved for the unit, so a retry takes it over instead of issuing again."""
    session.execute(update(BatchUnit).where(_mine(unit_id, attempt)).values(document_id=document_id))


def postpone_unit(session: Session, unit_id: int, attempt: int, until: Any) -> None:
    """Hand the unit back without counting the attempt, claimable again at ``until`` (its document is leased)."""
    session.execute(update(BatchUnit).where(_mine(unit_id, attempt)).values(
        attempts=BatchUnit.attempts - 1, lease_until=until).execution_options(synchronize_session=False))


def fail_unit(session: Session, unit_id: int, attempt: int, code: str, message: str, final: bool) -> None:
    """This claim failed: for good (``final``), or back to the queue for another attempt."""
    error = json.dumps({"code": code, "message": message}, ensure_ascii=False)
    session.execute(update(BatchUnit).where(_mine(unit_id, attempt)).values(
        state="failed" if final else "queued", lease_until=None, error_json=error,
        finished_at=utcnow() if final else None))


SETTLED = ("done", "failed", "held")


def settled(counts: dict[str, int]) -> int:
    """Units that will not be rendered again (done, failed, or held back)."""
    return sum(counts.get(state, 0) for state in SETTLED)


def unit_counts(session: Session, batch_id: str) -> dict[str, int]:
    """How many of the batch's units are in each state."""
    rows = session.execute(select(BatchUnit.state, func.count()).where(BatchUnit.batch_id == batch_id)
                           .group_by(BatchUnit.state)).all()
    return {state: count for state, count in rows}


def start_rendering(session: Session, batch_id: str, counts: dict[str, Any], ledger_sha256: str,
                    warnings: list[str]) -> None:
    """Planning is done: the units are queued, every row's outcome is stored."""
    session.execute(update(Batch).where(Batch.id == batch_id, Batch.state == "planning").values(
        state="rendering", counts_json=json.dumps(counts, ensure_ascii=False), ledger_sha256=ledger_sha256,
        warnings_json=json.dumps(warnings, ensure_ascii=False)))


def complete(session: Session, batch_id: str) -> bool:
    """Mark the batch done and make it its month's result, in one transaction; False if already settled."""
    batch = session.get(Batch, batch_id)
    done = session.execute(update(Batch).where(Batch.id == batch_id, Batch.state == "rendering").values(
        state="done", running_period=None, finished_at=utcnow())).rowcount == 1
    if not done:
        return False
    month = session.get(BatchMonth, (batch.kind, batch.period))
    if month is None:
        session.add(BatchMonth(kind=batch.kind, period=batch.period, batch_id=batch_id, updated_at=utcnow()))
    else:
        month.batch_id, month.updated_at = batch_id, utcnow()
    session.flush()
    return True


def fail_batch(session: Session, batch_id: str, code: str, message: str) -> None:
    """The batch ended without a result; the month's previous result stays current."""
    session.execute(update(Batch).where(Batch.id == batch_id, Batch.state.in_(("planning", "rendering"))).values(
        state="failed", running_period=None, finished_at=utcnow(),
        error_json=json.dumps({"code": code, "message": message}, ensure_ascii=False)))


def current(session: Session, kind: str, period: str) -> Batch | None:
    """The month's current (last completed) batch."""
    month = session.get(BatchMonth, (kind, period))
    return session.get(Batch, month.batch_id) if month else None


def batch_for_job(session: Session, job_id: str) -> Batch | None:
    """The batch a job runs."""
    return session.execute(select(Batch).where(Batch.job_id == job_id)).scalar_one_or_none()
