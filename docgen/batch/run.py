"""The monthly batch as a job: plan every row, render every unit (in-process pool or Celery), settle the month.

CLI, API and workspace start a batch here; the job runner runs ``run_batch``::

    upload ─ store input ─ batch row (refused if the month runs) + job ─┐
    job: plan (rows → units + every row's outcome) ─ units queued ──────┤
         in-process: a pool of processes renders the units, the job waits, then settles
         Celery: one task per unit; the job hands over and the last unit settles the batch

In-process, the plan is made in a short-lived process of its own (docgen.batch.pool.plan_apart), so the
memory of reading the rows does not stay with a web worker.

A unit is claimed under a lease, so a worker killed mid-unit costs one unit's
render, and a job killed mid-batch resumes where it stopped.
"""

from __future__ import annotations

import io
import re
import json
import logging
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import update

from docgen.batch.plan import Registry, account
from docgen.clock import utcnow
from docgen.config import Settings
from docgen.errors import BadParameter, Conflict, DocgenError, InvalidData, Issue
from docgen.jobs.execute import Detached, JobContext
from docgen.store import batches as batch_store, jobs as job_store
from docgen.store.archive import open_storage
from docgen.store.db import db_session
from docgen.store.models import Batch, Job
from docgen.store.tokens import Caller
from docgen.store.units import list_units

LOG = logging.getLogger(__name__)
KIND = "disclosure"
JOB_KIND = "batch_disclosure"
MAX_INPUT_BYTES = 200 * 1024 * 1024


def parse_period(value: str) -> tuple[int, int]:
    """'2025-06' → (2025, 6); BadParameter otherwise."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
            raise ValueError(value)
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except ValueError:
        raise BadParameter(f"公示月份“{value[:20]}”应为 YYYY-MM，如 2025-06", code="invalid_month") from None
    if not 2000 <= year <= 2099:
        raise BadParameter("公示月份应在 2000–2099 年之间", code="invalid_month")
    return year, month


def start_batch(settings: Settings, caller: Caller, content: bytes, filename: str, period: str,
                issue: bool = False, issue_date: date | None = None, run_here: bool = False) -> tuple[Batch, Job]:
    """Store the input, create the batch and its job; Conflict if the month already runs."""
    from docgen.batch.readers import detect_format, read_rows
    from docgen.clock import today
    year, month = parse_period(period)
    period = f"{year}-{month:02d}"
    if caller.role != "judicial":
        from docgen.errors import Forbidden
        raise Forbidden("批量生成公示只能由司法局发起", code="judicial_only")
    if len(content) > MAX_INPUT_BYTES:
        raise InvalidData([Issue("/file", "file_too_large", "文件超过 200 MB，请按单位或日期分开提交")])
    fmt = detect_format(filename)
    issue_date = issue_date or today()
    _check_issue_date(settings, caller, issue, issue_date, year, month)
    with read_rows(io.BytesIO(content), fmt):  # a file without the required columns is refused now, not later
        pass
    with db_session(settings) as session:  # refused before the file (personal data) is stored
        job_store.check_quota(session, caller, settings.job_quota)
        batch_store.settle_orphaned(session, KIND, period)
        if batch_store.unfinished(session, KIND, period) is not None:
            raise Conflict(f"{period} 的批量任务正在运行，请等其完成后再提交", code="batch_running", retry_after=30)
    digest = open_storage(settings).put(content)
    batch_id = uuid.uuid4().hex
    with db_session(settings) as session:
        job_store.check_quota(session, caller, settings.job_quota)
        job = job_store.create_job(session, JOB_KIND, {"batch_id": batch_id}, caller, lease_s=settings.pending_timeout_s)
        batch = batch_store.create_batch(session, batch_id, KIND, period, job.id, caller.name, caller.token_id, issue,
                                         issue_date, filename, fmt, digest)
        session.expunge_all()
    if not run_here:  # the CLI runs the job itself, in the foreground
        from docgen.jobs import submit
        submit(settings, job.id)
    return batch, job


def _check_issue_date(settings: Settings, caller: Caller, issue: bool, issue_date: date, year: int, month: int) -> None:
    """A notice is dated within or after its month; an issued one also within the registry's window."""
    if issue_date < date(year, month, 1):
        raise InvalidData([Issue("/issue_date", "date_order", f"公示日期不能早于公示月份（{year}年{month}月）")])
    if issue:
        from docgen.issuing import date_issues
        issues = date_issues(issue_date.isoformat(), settings)
        if issues:
            raise InvalidData(issues)


def registry(settings: Settings) -> Registry:
    """Who may publish: the registered units; every active enforcement unit publishes a notice each month."""
    with db_session(settings, read_only=True) as session:
        units = list_units(session)
    return Registry(active=frozenset(u.name for u in units if u.active),
                    inactive=frozenset(u.name for u in units if not u.active),
                    publishing=tuple(u.name for u in units if u.active and u.kind == "enforcement"))


def plan_batch(settings: Settings, batch: Batch) -> None:
    """Read the input, account for every row, queue one unit per notice (once: a resumed job skips this)."""
    from docgen.batch.readers import read_rows
    storage = open_storage(settings)
    year, month = (int(part) for part in batch.period.split("-"))
    rows = read_rows(io.BytesIO(storage.get(batch.input_sha256)), batch.input_format)
    plan = account(rows, registry(settings), year, month, batch.issue_date)
    ledger = "".join(outcome.as_json() + "\n" for outcome in plan.outcomes).encode("utf-8")
    ledger_digest = storage.put(ledger)
    with db_session(settings) as session:
        if session.get(Batch, batch.id).state != "planning":
            return  # another claim of this job planned it meanwhile
        batch_store.add_units(session, batch.id, plan.units, plan.held)
        batch_store.start_rendering(session, batch.id, plan.counts(), ledger_digest, list(getattr(rows, "warnings", [])))


def run_batch(ctx: JobContext) -> dict[str, Any]:
    """The job: plan if not yet planned, render what is left, settle the batch."""
    settings = ctx.settings
    batch_id = ctx.payload["batch_id"]
    with db_session(settings, read_only=True) as session:
        batch = session.get(Batch, batch_id)
        session.expunge_all()
    if batch.state == "planning":
        try:
            if settings.broker_url:  # a Celery worker plans where it runs
                plan_batch(settings, batch)
            else:
                from docgen.batch.pool import plan_apart
                plan_apart(settings, batch_id)
        except DocgenError as error:
            with db_session(settings) as session:
                batch_store.fail_batch(session, batch_id, error.code, error.message)
            raise
    elif batch.state in ("done", "failed"):
        return _outcome(settings, batch_id)
    if settings.broker_url:
        _send_units(settings, batch_id)
        if not settle(settings, batch_id, job_done=False):
            raise Detached()  # the units' tasks report progress and the last one settles the batch
    else:
        from docgen.batch.pool import render_in_pool
        render_in_pool(ctx, batch_id)
        settle(settings, batch_id, job_done=False)
    return _outcome(settings, batch_id)


def _outcome(settings: Settings, batch_id: str) -> dict[str, Any]:
    with db_session(settings, read_only=True) as session:
        batch = session.get(Batch, batch_id)
    if batch.state == "failed":
        error = json.loads(batch.error_json or "{}")
        raise DocgenError(error.get("message", "批量任务失败"), code=error.get("code", "batch_failed"))
    return {"batch_id": batch_id, "counts": json.loads(batch.counts_json)}


def _send_units(settings: Settings, batch_id: str) -> None:
    from docgen.jobs.celery_app import send_batch_unit
    with db_session(settings, read_only=True) as session:
        waiting = batch_store.waiting_units(session, batch_id)
    for unit_id in waiting:
        send_batch_unit(settings.broker_url, unit_id)


def after_unit(settings: Settings, unit_id: int) -> None:
    """A Celery task finished a unit: keep the batch's job alive, report progress, settle when all are done."""
    from docgen.store.models import BatchUnit
    with db_session(settings) as session:
        batch_id = session.get(BatchUnit, unit_id).batch_id
        job_id = session.get(Batch, batch_id).job_id
        counts = batch_store.unit_counts(session, batch_id)
        session.execute(update(Job).where(Job.id == job_id, Job.state == "running").values(
            lease_until=utcnow() + timedelta(seconds=settings.pending_timeout_s),
            progress_done=batch_store.settled(counts), progress_total=sum(counts.values())))
    settle(settings, batch_id, job_done=True)


def resend_if_unsettled(settings: Settings, unit_id: int) -> None:
    """A unit a Celery task handed back (another try, or its document still leased) goes to the broker again,
    due when it can be claimed: nothing else would send it before the job's lease runs out."""
    from docgen.clock import aware
    from docgen.jobs.celery_app import send_batch_unit
    from docgen.store.models import BatchUnit
    with db_session(settings, read_only=True) as session:
        row = session.get(BatchUnit, unit_id)
        if row is None or row.state not in ("queued", "running"):
            return
        due = aware(row.lease_until) if row.state == "running" and row.lease_until else utcnow()
    send_batch_unit(settings.broker_url, unit_id, countdown=max(0.0, (due - utcnow()).total_seconds()) + 1)


def settle(settings: Settings, batch_id: str, job_done: bool) -> bool:
    """When no unit is left to render: the batch done (the month's result) or failed; False while units remain.

    ``job_done``: also finish the batch's job (when the job handed over to Celery tasks).
    """
    with db_session(settings) as session:
        counts = batch_store.unit_counts(session, batch_id)
        if counts.get("queued") or counts.get("running"):
            return False
        failed = [u for u in batch_store.units_of(session, batch_id) if u.state == "failed"]
        if failed:
            reasons = "；".join(f"{u.unit}：{json.loads(u.error_json or '{}').get('message', '')}" for u in failed[:5])
            batch_store.fail_batch(session, batch_id, "units_failed", f"{len(failed)} 个单位的公示生成失败（{reasons}）")
        else:
            batch_store.complete(session, batch_id)
        batch = session.get(Batch, batch_id)
        job = session.get(Job, batch.job_id)
        if job_done and job is not None and job.state == "running":
            if failed:
                error = json.loads(batch.error_json)
                job_store.fail(session, job.id, job.attempts, error["code"], error["message"])
            else:
                job_store.finish(session, job.id, job.attempts, {"batch_id": batch_id,
                                                                  "counts": json.loads(batch.counts_json)})
    from docgen.batch.retention import release_input
    release_input(settings, batch_id)
    return True

