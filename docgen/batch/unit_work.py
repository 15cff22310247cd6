"""One unit's notice in a batch: claimed under a lease, rendered (or issued into the registry), stored, settled.

The same function runs in the in-process pool and in a Celery task, so both
paths give the same files. Whatever kills a worker, the unit's lease runs out
and the next claim renders it again; a claim that lost the unit to another
never overwrites the other's result.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from docgen.clock import utcnow
from docgen.config import Settings
from docgen.errors import Conflict, DocgenError
from docgen.store import batches as batch_store
from docgen.store.archive import open_storage
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.models import Batch, BatchUnit, Document
from docgen.store.tokens import Caller

LOG = logging.getLogger(__name__)
SLUG = "disclosure"


class RetryLater(Exception):
    """The unit cannot be finished now: its registry document is held by another live process until ``until``."""

    def __init__(self, message: str, until: Any = None) -> None:
        super().__init__(message)
        self.until = until


def notice_data(batch: Batch, unit: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The disclosure document of one unit for the batch's month."""
    year, month = (int(part) for part in batch.period.split("-"))
    return {"issuer": {"name": unit}, "issue_date": batch.issue_date.isoformat(),
            "period": {"year": year, "month": month}, "cases": cases}


def render_unit(settings: Settings, unit_id: int) -> bool:
    """Claim, render and settle one unit; False when it was not this call's to do (done, failed or claimed)."""
    with db_session(settings) as session:
        attempt = batch_store.claim_unit(session, unit_id, settings.pending_timeout_s)
        if attempt is None:
            return False
        row = session.get(BatchUnit, unit_id)
        batch = session.get(Batch, row.batch_id)
        session.expunge_all()
    started = time.perf_counter()
    try:
        with _renewing(settings, unit_id, attempt):
            data = notice_data(batch, row.unit, json.loads(row.cases_json))
            if batch.issue:
                files, summary, document_id = _issue(settings, batch, row, attempt, data)
            else:
                rendered, summary = _render(settings, data)
                files, document_id = _store(settings, rendered), None
    except RetryLater as exc:  # not an attempt that failed: claimable again once the document's lease is over
        with db_session(settings) as session:
            batch_store.postpone_unit(session, unit_id, attempt, exc.until or utcnow())
        return True
    except DocgenError as error:
        LOG.warning("batch unit %s (%s) failed: %s %s %s", unit_id, row.unit, error.code, error.message,
                    [issue.as_dict() for issue in getattr(error, "issues", [])][:5])
        message = error.message if error.http_status < 500 else type(error).message
        if getattr(error, "issues", None):  # the first problem, in words an administrator can act on
            first = error.issues[0]
            message = f"{message}：{first.path} {first.message}"
        _failed(settings, unit_id, attempt, error.code, message, final=True)
        return True
    except Exception as exc:  # an engine crash: another attempt, then the unit fails with the reason
        LOG.exception("batch unit %s (%s) failed", unit_id, row.unit)
        _failed(settings, unit_id, attempt, "internal_error", f"内部错误（{type(exc).__name__}）",
                final=attempt >= batch_store.UNIT_MAX_ATTEMPTS)
        return True
    with db_session(settings) as session:
        if not batch_store.finish_unit(session, unit_id, attempt, files, summary, document_id):
            LOG.warning("batch unit %s was taken over while it rendered; the other result stands", unit_id)
    LOG.info("batch unit %s (%s): %d cases in %.2f s (pid %d)", unit_id, row.unit, row.case_count,
             time.perf_counter() - started, os.getpid())
    return True


@contextmanager
def _renewing(settings: Settings, unit_id: int, attempt: int) -> Iterator[None]:
    """Keep the unit's lease alive while it renders (a month of 2,000 cases takes longer than one lease)."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(max(1.0, settings.pending_timeout_s / 3)):
            try:
                with db_session(settings) as session:
                    if not batch_store.renew_unit(session, unit_id, attempt, settings.pending_timeout_s):
                        return
                    batch_store.renew_job_of_unit(session, unit_id, settings.pending_timeout_s)
            except Exception:  # the database away for a moment: the next round tries again
                LOG.warning("could not renew the lease of batch unit %s", unit_id, exc_info=True)

    thread = threading.Thread(target=renew, name=f"docgen-unit-{unit_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _failed(settings: Settings, unit_id: int, attempt: int, code: str, message: str, final: bool) -> None:
    with db_session(settings) as session:
        batch_store.fail_unit(session, unit_id, attempt, code, message, final)


def _render(settings: Settings, data: dict[str, Any]) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The notice's PDF and DOCX, and the summary the report needs (counts, withheld, late, public rows)."""
    from docgen.generate import prepare, render_prepared
    doctype, context = prepare(SLUG, data, settings)
    result = render_prepared(doctype, context, ("pdf", "docx"), settings)
    return result.files, _summary(settings, context, result.warnings)


def _summary(settings: Settings, context: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Counts, withheld and late cases; the public rows (the bulk) stored apart, so polling the batch stays light."""
    summary = dict(context["internal_summary"])
    rows = json.dumps(context["cases"], ensure_ascii=False).encode("utf-8")
    summary["rows_sha256"] = open_storage(settings).put(rows)
    summary["warnings"] = warnings
    return summary


def _store(settings: Settings, files: dict[str, bytes]) -> dict[str, tuple[str, int]]:
    storage = open_storage(settings)
    return {fmt: (storage.put(content), len(content)) for fmt, content in files.items()}


def _issue(settings: Settings, batch: Batch, row: BatchUnit, attempt: int,
           data: dict[str, Any]) -> tuple[dict[str, tuple[str, int]], dict[str, Any], str]:
    """Issue the unit's notice into the registry once: a retry takes its reserved document over."""
    from docgen import issuing
    from docgen.generate import prepare
    caller = Caller(token_id=batch.token_id or 0, name=batch.owner, role="judicial", unit=None)
    actor = Actor(name=batch.owner, source="batch", token_id=batch.token_id)
    document_id = row.document_id or _earlier_notice(settings, row.unit, batch.period)
    reused = document_id is not None and row.document_id is None
    if document_id is None:
        number = _unit_numbering(settings, row.unit)
        if number:
            data["doc_number"] = {"organ_code": number, "year": batch.issue_date.year}
        # The unit row learns its document in the reserving transaction: a retry takes it over, never reserves twice.
        reserved = issuing.reserve(settings, caller, SLUG, data, on_reserved=lambda session, document: (
            batch_store.set_unit_document(session, row.id, attempt, document.id)))
        document = issuing.render_reserved(settings, actor, reserved.id, reserved.attempts)
    else:  # issued already, or reserved by an attempt that died: taken over once its lease ran out
        document = issuing.resume(settings, actor, document_id)
    if document is None:
        raise RetryLater("该单位的公示正由另一进程制发", _lease_end(settings, document_id))
    if document.status != "issued":
        raise Conflict(f"该单位本月的公示已{'作废' if document.status == 'void' else '制发失败'}", code="notice_unusable")
    if reused and json.loads(document.data_json).get("cases") != data["cases"]:
        raise Conflict("本月公示已发布，本次数据与之不同（如新增、更正或不予公示的案件）：请先作废原公示，再重新运行",
                          code="published_notice_differs")
    _, context = prepare(SLUG, json.loads(document.data_json), settings)
    summary = _summary(settings, context, json.loads(document.warnings_json or "[]"))
    summary.update(number=document.number, verify_code=document.verify_code, document_id=document.id, reused=reused)
    files = {"pdf": (document.pdf_sha256, document.pdf_size), "docx": (document.docx_sha256, document.docx_size)}
    return files, summary, document.id


def _earlier_notice(settings: Settings, unit: str, period: str) -> str | None:
    """The unit's notice of this month already in the registry (issued by an earlier run or by hand)."""
    year, month = (int(part) for part in period.split("-"))
    with db_session(settings, read_only=True) as session:  # pending: another run is issuing it right now
        rows = session.execute(select(Document.id, Document.data_json).where(
            Document.doc_type == SLUG, Document.unit == unit, Document.status.in_(("issued", "pending")))).all()
    for document_id, data_json in rows:
        if json.loads(data_json).get("period") == {"year": year, "month": month}:
            return document_id
    return None


def _lease_end(settings: Settings, document_id: str | None) -> Any:
    """When the lease of the document another process renders runs out."""
    with db_session(settings, read_only=True) as session:
        row = session.get(Document, document_id) if document_id else None
        return row.lease_until if row is not None and row.lease_until else utcnow()


def _unit_numbering(settings: Settings, unit: str) -> str | None:
    """The 机关代字 of the unit's last numbered notice: a unit whose notices carry numbers keeps numbering them."""
    with db_session(settings, read_only=True) as session:
        return session.execute(select(Document.organ_code).where(
            Document.doc_type == SLUG, Document.unit == unit, Document.organ_code.is_not(None),
            Document.status == "issued").order_by(Document.created_at.desc()).limit(1)).scalar()
