"""Personal data of a batch kept no longer than needed.

- When a batch ends (done or failed), its input file and the units' cases go: the
  notices, the summaries and the row ledger are what the result needs.
- A run that is no longer its month's result (a newer run replaced it, or it failed)
  is purged DOCGEN_BATCH_KEEP_DAYS after it ended: its files (unless an issued
  document or another run shares them), its ledger and its unit rows.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from docgen.clock import utcnow
from docgen.config import Settings
from docgen.store.archive import open_storage
from docgen.store.db import db_session
from docgen.store.models import Batch, BatchMonth, BatchUnit, Document

LOG = logging.getLogger(__name__)
ENDED = ("done", "failed")


def release_input(settings: Settings, batch_id: str) -> None:
    """An ended batch no longer needs its input file nor its units' cases."""
    with db_session(settings) as session:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.state not in ENDED or not batch.input_sha256:
            return
        digest = batch.input_sha256
        session.execute(update(BatchUnit).where(BatchUnit.batch_id == batch_id).values(cases_json="[]"))
        batch.input_sha256 = ""
        shared = session.execute(select(Batch.id).where(Batch.input_sha256 == digest).limit(1)).first()
    if shared is None:  # the same file uploaded for another run keeps it
        open_storage(settings).discard([digest])


def purge_old_runs(settings: Settings, keep_days: int) -> int:
    """Remove what runs that are not their month's result left, ``keep_days`` after they ended; how many."""
    cutoff = utcnow() - timedelta(days=keep_days)
    with db_session(settings, read_only=True) as session:  # ended on a path that did not release them yet
        holding = list(session.execute(select(Batch.id).where(Batch.state.in_(ENDED), Batch.input_sha256 != ""))
                       .scalars())
    for batch_id in holding:
        release_input(settings, batch_id)
    with db_session(settings, read_only=True) as session:
        current = select(BatchMonth.batch_id)
        old = list(session.execute(select(Batch.id).where(
            Batch.state.in_(ENDED), Batch.finished_at < cutoff, Batch.id.not_in(current))).scalars())
    for batch_id in old:
        _purge(settings, batch_id)
    return len(old)


def _purge(settings: Settings, batch_id: str) -> None:
    with db_session(settings) as session:
        units = session.execute(select(BatchUnit.pdf_sha256, BatchUnit.docx_sha256, BatchUnit.summary_json).where(
            BatchUnit.batch_id == batch_id)).all()
        digests = {d for pdf, docx, _ in units for d in (pdf, docx) if d}
        rows = {json.loads(summary or "{}").get("rows_sha256") for _, _, summary in units} - {None}
        ledger = session.get(Batch, batch_id).ledger_sha256
        session.execute(delete(BatchUnit).where(BatchUnit.batch_id == batch_id))
        session.execute(update(Batch).where(Batch.id == batch_id).values(state="purged", ledger_sha256=None,
                                                                         counts_json="{}"))
        unused = [d for d in digests if not _referenced(session, d)]
        unused += [d for d in rows if session.execute(select(BatchUnit.id).where(
            BatchUnit.summary_json.contains(d)).limit(1)).first() is None]
        if ledger and session.execute(select(Batch.id).where(Batch.ledger_sha256 == ledger).limit(1)).first() is None:
            unused.append(ledger)
    open_storage(settings).discard(unused)
    LOG.info("batch %s purged after its keeping time (%d files)", batch_id, len(unused))


def _referenced(session, digest: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether an issued document or another run's unit still points at these bytes."""
    by_document = select(Document.id).where(or_(Document.pdf_sha256 == digest, Document.docx_sha256 == digest))
    by_unit = select(BatchUnit.id).where(or_(BatchUnit.pdf_sha256 == digest, BatchUnit.docx_sha256 == digest))
    return session.execute(by_document.limit(1)).first() is not None or \
        session.execute(by_unit.limit(1)).first() is not None
