"""What the 司法局 asks of a month: how a batch is doing, and which units have published their notice.

A unit has published when its notice for the month is issued in the registry
(by a batch with issuing on, or by hand). Every unit must publish by the 30th
(the last day of February); a case published after its 7 / 20 working-day
deadline (国办发〔2018〕118号) is listed as late.
"""

from __future__ import annotations

import calendar
import functools
import json
from datetime import date
from typing import Any

from sqlalchemy import select

from docgen.batch.report import ledger_rows
from docgen.clock import aware, today
from docgen.config import Settings
from docgen.errors import NotFound
from docgen.store import batches as batch_store
from docgen.store.archive import open_storage
from docgen.store.db import db_session
from docgen.store.models import Batch, Document, Job

REJECTED_SHOWN = 200


def describe_batch(settings: Settings, batch_id: str, links: dict[str, str] | None = None) -> dict[str, Any]:
    """A batch as JSON: state, progress per unit, row counts, rejected rows (the first 200), links."""
    with db_session(settings, read_only=True) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFound("没有找到该批次")
    if batch.state in ("planning", "rendering"):  # a run whose job ended is settled here; an ended one is read only
        with db_session(settings) as session:
            batch_store.settle_orphaned(session, batch.kind, batch.period)
    with db_session(settings, read_only=True) as session:
        batch = session.get(Batch, batch_id)
        units = batch_store.units_of(session, batch_id)
        job = session.get(Job, batch.job_id)
        current = batch_store.current(session, batch.kind, batch.period)
    unit_rows = [_describe_unit(unit) for unit in units]
    done = sum(1 for unit in units if unit.state in batch_store.SETTLED)
    error = json.loads(batch.error_json) if batch.error_json else None
    if error is None and job is not None and job.state == "failed" and job.error_json:
        error = json.loads(job.error_json)
    return {
        "id": batch.id, "kind": batch.kind, "period": batch.period, "state": batch.state, "issue": batch.issue,
        "issue_date": batch.issue_date.isoformat(), "input": {"name": batch.input_name, "format": batch.input_format},
        "counts": json.loads(batch.counts_json or "{}"), "warnings": json.loads(batch.warnings_json or "[]"),
        "progress": {"done": done, "total": len(units)}, "units": unit_rows,
        "rejected": _rejected_rows(settings, batch), "error": error, "job_id": batch.job_id,
        "current": current is not None and current.id == batch.id,
        "created_at": aware(batch.created_at).isoformat(),
        "finished_at": aware(batch.finished_at).isoformat() if batch.finished_at else None, "links": links or {},
    }


def _describe_unit(unit: Any) -> dict[str, Any]:
    summary = json.loads(unit.summary_json or "{}")
    return {"unit": unit.unit, "state": unit.state, "cases": unit.case_count, "attempts": unit.attempts,
            "published": summary.get("published"), "withheld": len(summary.get("withheld", [])),
            "late": len(summary.get("late", [])), "number": summary.get("number"),
            "document_id": unit.document_id, "warnings": summary.get("warnings", []),
            "error": json.loads(unit.error_json) if unit.error_json else None}


def _rejected_rows(settings: Settings, batch: Batch) -> list[dict[str, Any]]:
    return list(_rejected_preview(settings, batch.ledger_sha256)) if batch.ledger_sha256 else []


@functools.lru_cache(maxsize=16)
def _rejected_preview(settings: Settings, ledger_sha256: str) -> tuple[dict[str, Any], ...]:
    """The first rejected rows of a ledger (stored once under its hash, never changed: read once per process)."""
    shown = []
    for row in ledger_rows(open_storage(settings).get(ledger_sha256)):
        if row["outcome"] == "rejected":
            shown.append({key: row[key] for key in ("row", "unit", "decision_number", "column", "code", "reason")})
            if len(shown) >= REJECTED_SHOWN:
                break
    return tuple(shown)


def month_deadline(year: int, month: int) -> date:
    """The 30th of the month, or its last day when it has fewer."""
    return date(year, month, min(30, calendar.monthrange(year, month)[1]))


def disclosure_status(settings: Settings, period: str, on: date | None = None) -> dict[str, Any]:
    """Per unit: published (with its late cases), not yet published, or overdue; the reminder list before the 30th."""
    from docgen.batch.run import parse_period, registry
    year, month = parse_period(period)
    on = on or today()
    deadline = month_deadline(year, month)
    published = _published_notices(settings, year, month)
    generated = _generated_units(settings, f"{year}-{month:02d}")
    units = []
    for name in registry(settings).publishing:
        notice = published.get(name)
        state = "published" if notice else ("overdue" if on > deadline else "missing")
        units.append({"unit": name, "state": state, "document_id": notice["id"] if notice else None,
                      "issue_date": notice["issue_date"] if notice else None, "generated": name in generated,
                      "late_cases": notice["late"] if notice else []})
    days_left = (deadline - on).days
    return {
        "period": f"{year}-{month:02d}", "deadline": deadline.isoformat(), "today": on.isoformat(),
        "days_left": days_left,
        "deadline_note": f"还有 {days_left} 天" if days_left > 0 else ("今天截止" if days_left == 0 else f"已过 {-days_left} 天"),
        "units": units,
        "counts": {state: sum(1 for u in units if u["state"] == state) for state in ("published", "missing", "overdue")},
        "late_cases": sum(len(u["late_cases"]) for u in units),
        "reminders": [u["unit"] for u in units if u["state"] != "published"],  # to urge: before the 30th or late
    }


def _published_notices(settings: Settings, year: int, month: int) -> dict[str, dict[str, Any]]:
    """Each unit's issued notice of the month, with the cases it published late."""
    with db_session(settings, read_only=True) as session:
        rows = session.execute(select(Document).where(
            Document.doc_type == "disclosure", Document.status == "issued",
            Document.issue_date >= date(year, month, 1)).order_by(Document.created_at)).scalars().all()
        session.expunge_all()
    notices: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.unit in notices or _period_of(row.data_json) != (year, month):
            continue
        notices[row.unit] = {"id": row.id, "issue_date": row.issue_date.isoformat(),
                             "late": list(_late_cases(settings, row.id))}
    return notices


def _period_of(data_json: str) -> tuple[int, int] | None:
    period = json.loads(data_json).get("period") or {}
    return (period.get("year"), period.get("month")) if period else None


@functools.lru_cache(maxsize=1024)
def _late_cases(settings: Settings, document_id: str) -> tuple[dict[str, Any], ...]:
    """The cases an issued notice published after their deadline (its data never changes: computed once)."""
    from docgen.generate import prepare
    with db_session(settings, read_only=True) as session:
        data_json = session.get(Document, document_id).data_json
    _, context = prepare("disclosure", json.loads(data_json), settings)
    return tuple(context["internal_summary"]["late"])


def _generated_units(settings: Settings, period: str) -> set[str]:
    """Units whose notice the month's current batch rendered (published or not)."""
    with db_session(settings, read_only=True) as session:
        batch = batch_store.current(session, "disclosure", period)
        if batch is None:
            return set()
        return {unit.unit for unit in batch_store.units_of(session, batch.id) if unit.state == "done"}
