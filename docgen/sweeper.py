"""The sweeper: what a killed worker left behind is settled, at start-up and every minute.

- a running job whose lease expired goes back to the queue (or fails after MAX_ATTEMPTS);
- a pending document whose lease expired, with no live job, is marked failed with the reason
  (a retry with its Idempotency-Key may still take it over and issue it under the same number);
- temporary archive files of killed writers and downloaded-long-ago preview files are removed.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from docgen.clock import utcnow
from docgen.config import Settings
from docgen.store import audit, jobs as job_store
from docgen.store.archive import open_storage, remove_older_than
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.models import Document, Job

LOG = logging.getLogger(__name__)
ABANDONED = "处理中断：制发进程终止或超时（租约到期）"
RESULT_TTL_S = 24 * 3600
SWEEPER = Actor("docgen 清理程序", "service")


@dataclass
class SweepReport:
    """What one sweep did."""

    requeued: list[str] = field(default_factory=list)
    failed_jobs: list[str] = field(default_factory=list)
    failed_documents: list[str] = field(default_factory=list)
    stale_parts: int = 0
    old_results: int = 0


def sweep(settings: Settings) -> SweepReport:
    """Settle abandoned jobs and documents; clean up files. Safe to run in every process at once."""
    report = SweepReport()
    now = utcnow()
    with db_session(settings) as session:
        for job in job_store.expired(session, now):
            if job.attempts < job_store.MAX_ATTEMPTS or _units_carry_on(session, job):
                if job_store.requeue(session, job, now, counted=not _units_carry_on(session, job)):
                    report.requeued.append(job.id)
            elif job_store.give_up(session, job, now, f"后台任务多次中断（{job.attempts} 次），已停止"):
                report.failed_jobs.append(job.id)
    with db_session(settings) as session:
        live = select(Job.id).where(Job.state.in_(job_store.UNFINISHED))
        abandoned = ((Document.status == "pending") & (Document.lease_until < now)
                     & (Document.job_id.is_(None) | Document.job_id.not_in(live)))
        for row in session.execute(select(Document).where(abandoned)).scalars().all():
            # The whole condition again in the UPDATE: a renewal or takeover since the SELECT wins.
            done = session.execute(update(Document).where(abandoned, Document.id == row.id,
                                                          Document.attempts == row.attempts).values(
                status="failed", failure_reason=ABANDONED, lease_until=None))
            if done.rowcount:
                audit.record(session, SWEEPER, "document.fail", row.number or row.title, document_id=row.id,
                             reason=ABANDONED, attempt=row.attempts)
                report.failed_documents.append(row.id)
    report.stale_parts = open_storage(settings).remove_stale_parts()
    report.old_results = _remove_old_results(settings)
    _forget_ended_sessions(settings)
    _purge_old_batches(settings)
    _resubmit_queued(settings, now)
    if report.requeued or report.failed_documents or report.failed_jobs:
        LOG.warning("sweeper: requeued %d job(s), failed %d job(s) and %d document(s)",
                    len(report.requeued), len(report.failed_jobs), len(report.failed_documents))
    return report


def _units_carry_on(session, job: Job) -> bool:  # type: ignore[no-untyped-def]
    """A batch job past planning whose units do the work (each capped at its own attempts): its lease running out
    means nothing finished for a while (workers busy or restarting), not that the job keeps failing."""
    if job.kind != "batch_disclosure":
        return False
    from docgen.store.models import Batch
    return session.execute(select(Batch.state).where(Batch.job_id == job.id)).scalar() == "rendering"


def _resubmit_queued(settings: Settings, now: datetime) -> None:
    """Queued jobs wait for a runner: wake this process's threads, or send the broker those not sent lately."""
    from docgen.jobs import submit
    if not settings.broker_url:
        with db_session(settings, read_only=True) as session:
            waiting = session.execute(select(Job.id).where(Job.state == "queued").limit(1)).scalar()
        if waiting and settings.job_threads:
            submit(settings, waiting)
        return
    due = (Job.state == "queued") & (Job.lease_until.is_(None) | (Job.lease_until < now))
    with db_session(settings) as session:
        ids = list(session.execute(select(Job.id).where(due).order_by(Job.created_at).limit(100)).scalars())
        # A queued job's lease marks when it was last sent: resent once per lease, by one process.
        sent = [job_id for job_id in ids if session.execute(update(Job).where(due, Job.id == job_id).values(
            lease_until=now + timedelta(seconds=settings.pending_timeout_s))).rowcount]
    for job_id in sent:  # a duplicate delivery is harmless: claiming is atomic
        submit(settings, job_id)


def _purge_old_batches(settings: Settings) -> None:
    """Monthly runs no longer current, after their keeping time (they hold notices with personal data)."""
    from docgen.batch.retention import purge_old_runs
    try:
        purge_old_runs(settings, settings.batch_keep_days)
    except Exception:  # the next sweep tries again
        LOG.warning("could not purge old batches", exc_info=True)


def _forget_ended_sessions(settings: Settings) -> None:
    """Workspace sessions past their end, and forms rescued from ended sessions nobody came back for."""
    from docgen.store.drafts import remove_old_rescues
    from docgen.web.ui.sessions import remove_expired_sessions
    remove_expired_sessions(settings)
    with db_session(settings) as session:
        remove_old_rescues(session)


def _remove_old_results(settings: Settings) -> int:
    folder = settings.instance_dir / "jobs"
    return remove_older_than(folder.iterdir(), RESULT_TTL_S) if folder.is_dir() else 0


_STARTED: set[Settings] = set()
_STARTED_LOCK = threading.Lock()


def start_background(settings: Settings) -> None:
    """Sweep now, then every minute (or every lease, if shorter), in a daemon thread of this process."""
    with _STARTED_LOCK:
        if settings in _STARTED:
            return
        _STARTED.add(settings)
    interval = min(60.0, max(1.0, settings.pending_timeout_s / 2))

    def loop() -> None:
        while True:
            try:
                sweep(settings)
            except Exception:  # the database may be down; say so and try again next round
                LOG.warning("sweeper could not run", exc_info=True)
            time.sleep(interval)

    threading.Thread(target=loop, name="docgen-sweeper", daemon=True).start()
