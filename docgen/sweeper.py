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

from sqlalchemy import select, update

from docgen.clock import utcnow
from docgen.config import Settings
from docgen.store import audit, jobs as job_store
from docgen.store.archive import Archive, remove_older_than
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
            if job.attempts < job_store.MAX_ATTEMPTS and job_store.requeue(session, job.id):
                report.requeued.append(job.id)
            elif job.attempts >= job_store.MAX_ATTEMPTS:
                job_store.fail(session, job.id, "abandoned", f"后台任务多次中断（{job.attempts} 次），已停止")
                report.failed_jobs.append(job.id)
    with db_session(settings) as session:
        live = select(Job.id).where(Job.state.in_(job_store.UNFINISHED))
        abandoned = session.execute(select(Document).where(
            Document.status == "pending", Document.lease_until < now,
            Document.job_id.is_(None) | Document.job_id.not_in(live))).scalars().all()
        for row in abandoned:
            done = session.execute(update(Document).where(
                Document.id == row.id, Document.status == "pending", Document.attempts == row.attempts).values(
                status="failed", failure_reason=ABANDONED, lease_until=None))
            if done.rowcount:
                audit.record(session, SWEEPER, "document.fail", row.number or row.title, document_id=row.id,
                             reason=ABANDONED, attempt=row.attempts)
                report.failed_documents.append(row.id)
    report.stale_parts = Archive(settings.effective_archive_dir).remove_stale_parts()
    report.old_results = _remove_old_results(settings)
    _resubmit_queued(settings)
    if report.requeued or report.failed_documents or report.failed_jobs:
        LOG.warning("sweeper: requeued %d job(s), failed %d job(s) and %d document(s)",
                    len(report.requeued), len(report.failed_jobs), len(report.failed_documents))
    return report


def _resubmit_queued(settings: Settings) -> None:
    """Queued jobs wait for a runner: wake this process's threads, or send them to the broker again."""
    from docgen.jobs import submit
    with db_session(settings) as session:
        queued = list(session.execute(select(Job.id).where(Job.state == "queued").order_by(Job.created_at)
                                      .limit(100)).scalars())
    if not queued:
        return
    if settings.broker_url:
        for job_id in queued:  # a duplicate delivery is harmless: claiming is atomic
            submit(settings, job_id)
    elif settings.job_threads:
        submit(settings, queued[0])


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
