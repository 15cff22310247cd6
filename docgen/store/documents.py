"""The document registry: read, list, void, verify. Issuing itself is the procedure in docgen.issuing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from docgen.config import Settings
from docgen.errors import Conflict, Forbidden, NotFound
from docgen.store import audit
from docgen.store.archive import open_storage
from docgen.store.audit import Actor
from docgen.store.db import db_session
from docgen.store.models import Document, utcnow
from docgen.store.tokens import Caller

STATUSES = ("pending", "issued", "void", "failed")


@dataclass(frozen=True)
class Filters:
    """List filters: type, unit (issuer or recipient), year, status, free text on number and title."""

    doc_type: str | None = None
    unit: str | None = None
    year: int | None = None
    q: str | None = None
    status: str | None = None
    recipient: str | None = None
    date_from: date | None = None  # 成文日期 from … to, both included
    date_to: date | None = None


def get_document(settings: Settings, caller: Caller, document_id: str) -> Document:
    """A document the caller may see; NotFound otherwise (existence does not leak)."""
    with db_session(settings, read_only=True) as session:
        row = session.get(Document, document_id)
    if row is None or not caller.sees(row.unit, row.recipient, _addressed(row)):
        raise NotFound()
    return row


def _addressed(row: Document) -> bool:
    """A recipient sees a document once the 司法局 side has issued it (not while pending or after a failure)."""
    return row.created_by_judicial and row.status in ("issued", "void")


def list_documents(settings: Settings, caller: Caller, filters: Filters, page: int) -> tuple[list[Document], int]:
    """One page of the documents the caller may see, newest first, and the total count."""
    query = select(Document)
    if filters.status:
        query = query.where(Document.status == filters.status)
    if caller.role != "judicial":
        query = query.where(or_(Document.unit == caller.unit,
                                (Document.recipient == caller.unit) & Document.created_by_judicial.is_(True)
                                & Document.status.in_(("issued", "void"))))
    if filters.doc_type:
        query = query.where(Document.doc_type == filters.doc_type)
    if filters.unit:
        query = query.where(or_(Document.unit == filters.unit, Document.recipient == filters.unit))
    if filters.year:
        query = query.where(Document.year == filters.year)
    if filters.recipient:
        query = query.where(Document.recipient == filters.recipient)
    if filters.date_from:
        query = query.where(Document.issue_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Document.issue_date <= filters.date_to)
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Document.number.like(pattern, escape="\\"), Document.title.like(pattern, escape="\\")))
    with db_session(settings, read_only=True) as session:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(query.order_by(Document.created_at.desc(), Document.id)
                               .offset((page - 1) * settings.page_size).limit(settings.page_size)).scalars().all()
    return list(rows), int(total)


def void_document(settings: Settings, caller: Caller, actor: Actor, document_id: str, reason: str) -> Document:
    """Mark an issued document 作废: the number stays used; who, when and why are recorded."""
    with db_session(settings) as session:
        row = session.get(Document, document_id)
        if row is None or not caller.sees(row.unit, row.recipient, _addressed(row)):
            raise NotFound()
        if caller.role != "judicial" and caller.unit != row.unit:
            raise Forbidden("只有制发单位或市司法局可以作废该文书")
        if row.status == "void":
            raise Conflict("该文书已作废", code="already_void")
        if row.status != "issued":  # a pending or failed document has no files and no public entry to void
            raise Conflict("该文书尚未制发成功，不能作废", code="not_issued")
        row.status, row.voided_at, row.void_reason = "void", utcnow(), reason
        row.voided_by = f"{caller.name}（令牌 #{caller.token_id}）"
        audit.record(session, actor, "document.void", row.number or row.title, document_id=row.id, reason=reason)
    return row


def find_by_code(settings: Settings, code: str) -> Document | None:
    """The issued (or since voided) document behind a verification code (public: the code itself is the secret)."""
    with db_session(settings, read_only=True) as session:
        return session.execute(select(Document).where(
            Document.verify_code == code.upper(), Document.status.in_(("issued", "void")),
            Document.pdf_sha256.is_not(None))).scalar_one_or_none()


def read_file(settings: Settings, document: Document, fmt: str) -> bytes:
    """The archived PDF or DOCX, checked against its stored hash."""
    digest = document.pdf_sha256 if fmt == "pdf" else document.docx_sha256
    if document.status not in ("issued", "void") or digest is None:
        raise NotFound("该文书的文件尚未生成")
    return open_storage(settings).get(digest)
