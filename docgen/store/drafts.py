"""Drafts: a user's unfinished forms, kept whatever state their data is in, and forms rescued from ended sessions."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docgen.clock import utcnow
from docgen.store.models import Draft, RescuedForm

MAX_DRAFTS_LISTED = 50


def save_draft(session: Session, user_id: int, doc_type: str, draft_id: str | None, data: dict[str, Any],
               label: str, source_document_id: str | None = None, case_id: str | None = None) -> Draft:
    """Update the user's open draft ``draft_id`` (its case kept), or start a new one in ``case_id``; never another's or an issued one."""
    row = session.get(Draft, draft_id) if draft_id and len(draft_id) <= 32 else None
    if row is None or row.user_id != user_id or row.document_id is not None or row.doc_type != doc_type:
        row = Draft(id=uuid.uuid4().hex, user_id=user_id, doc_type=doc_type, source_document_id=source_document_id,
                    case_id=case_id)
        session.add(row)
    row.data_json = json.dumps(data, ensure_ascii=False)
    row.label = label[:200]
    row.updated_at = utcnow()
    session.flush()
    return row


def get_draft(session: Session, user_id: int, draft_id: str) -> Draft | None:
    """One of the user's drafts (another user's draft does not exist for them)."""
    row = session.get(Draft, draft_id) if len(draft_id) <= 32 else None
    return row if row is not None and row.user_id == user_id else None


def open_drafts(session: Session, user_id: int) -> list[Draft]:
    """The user's drafts not yet issued, most recently changed first."""
    return list(session.execute(select(Draft).where(Draft.user_id == user_id, Draft.document_id.is_(None))
                                .order_by(Draft.updated_at.desc()).limit(MAX_DRAFTS_LISTED)).scalars())


def mark_issued(session: Session, draft_id: str, document_id: str) -> None:
    row = session.get(Draft, draft_id)
    if row is not None:
        row.document_id = document_id


def delete_draft(session: Session, user_id: int, draft_id: str) -> bool:
    return bool(session.execute(delete(Draft).where(Draft.id == draft_id, Draft.user_id == user_id)).rowcount)


def _rescue_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def rescue_form(session: Session, token: str, doc_type: str, draft_id: str | None, data: dict[str, Any]) -> None:
    """Keep a form posted after its session ended, under a token only that browser holds."""
    session.merge(RescuedForm(id=_rescue_id(token), doc_type=doc_type, draft_id=(draft_id or None) and draft_id[:32],
                              data_json=json.dumps(data, ensure_ascii=False)))


def claim_rescued(session: Session, token: str, user_id: int, label_of: Any) -> Draft | None:
    """After signing in again: the rescued form becomes (or updates) a draft of this user."""
    row = session.get(RescuedForm, _rescue_id(token))
    if row is None:
        return None
    data = json.loads(row.data_json)
    session.delete(row)
    return save_draft(session, user_id, row.doc_type, row.draft_id, data, label_of(row.doc_type, data))


def remove_old_rescues(session: Session, days: int = 2) -> int:
    """Rescued forms nobody came back for."""
    cutoff = utcnow() - timedelta(days=days)
    return session.execute(delete(RescuedForm).where(RescuedForm.created_at < cutoff)).rowcount or 0
