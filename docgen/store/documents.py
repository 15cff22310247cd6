"""The document registry: issue (numbered, rendered, archived), read, list, void, verify."""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docgen.config import Settings
from docgen.dates import parse_iso_date
from docgen.errors import Conflict, Forbidden, NotFound
from docgen.filters import document_number
from docgen.generate import generate, prepare_cleaned
from docgen.render.marks import Marks, Verification
from docgen.store.archive import Archive
from docgen.store.db import session_scope
from docgen.store.models import Document, IdempotencyKey, utcnow
from docgen.store.numbering import allocate_number, lock_counter, number_taken
from docgen.store.tokens import Caller

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
WAIT_FOR_TWIN_SECONDS = 60


@dataclass(frozen=True)
class Filters:
    """List filters: type, unit (issuer or recipient), year, free text on number and title."""

    doc_type: str | None = None
    unit: str | None = None
    year: int | None = None
    q: str | None = None


def _request_hash(slug: str, data: dict[str, Any]) -> str:
    canonical = json.dumps({"type": slug, "data": data}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def issue_document(settings: Settings, caller: Caller, slug: str, data: Any, key: str | None = None) -> tuple[Document, bool]:
    """Validate, number, render and archive a document; (document, created). A retried key returns the first."""
    _, cleaned, context = prepare_cleaned(slug, data, settings)
    if caller.role != "judicial" and caller.unit != cleaned["issuer"]["name"]:
        raise Forbidden(f"本令牌只能以“{caller.unit}”名义制发文书")
    number = cleaned.get("doc_number")
    if number and not caller.may_use(number["organ_code"]):
        raise Forbidden(f"本令牌不能使用机关代字“{number['organ_code']}”（由管理员在创建令牌时指定）")
    request_hash = _request_hash(slug, cleaned)
    try:
        with session_scope(settings.effective_database_url) as session:
            twin = _twin(session, caller, key, request_hash)
            if twin is None:
                document = _reserve(session, caller, slug, cleaned, context["title"], key, request_hash)
    except IntegrityError:  # PostgreSQL: another request with the same key or number committed first
        with session_scope(settings.effective_database_url) as session:
            twin = _twin(session, caller, key, request_hash)
        if twin is None:
            raise Conflict("文号已被使用，请重试或更换文号", code="number_taken") from None
    if twin is not None:
        return _settled_twin(settings, twin), False
    return _render_and_archive(settings, document, slug, cleaned), True


def _twin(session: Session, caller: Caller, key: str | None, request_hash: str) -> str | None:
    """The document an earlier request with the same Idempotency-Key created, if any."""
    if not key:
        return None
    row = session.get(IdempotencyKey, (caller.token_id, key))
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise Conflict("该 Idempotency-Key 已用于内容不同的请求", code="idempotency_mismatch")
    return row.document_id


def _reserve(session: Session, caller: Caller, slug: str, data: dict[str, Any], title: str,
             key: str | None, request_hash: str) -> Document:
    """Take the number and record the document as pending, in one short transaction."""
    number = data.get("doc_number")
    organ, year, seq = (number["organ_code"], number["year"], number.get("seq")) if number else (None, None, None)
    if number and seq is not None:
        lock_counter(session, organ, year)  # wait for any allocation under way, then look
    if number and seq is not None and number_taken(session, organ, year, seq):
        raise Conflict(f"文号“{document_number(organ, year, seq)}”已被使用", code="number_taken")
    if number and seq is None:
        seq = allocate_number(session, organ, year)
    document = Document(
        id=uuid.uuid4().hex, doc_type=slug, unit=data["issuer"]["name"], recipient=data.get("recipient"),
        title=title, organ_code=organ, year=year or int(data["issue_date"][:4]), seq=seq,
        number=document_number(organ, year, seq) if number else "", issue_date=parse_iso_date(data["issue_date"]),
        status="pending", verify_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(10)),
        data_json=json.dumps(data, ensure_ascii=False), created_by=caller.name, created_token_id=caller.token_id,
        created_by_judicial=caller.role == "judicial",
    )
    session.add(document)
    if key:
        session.add(IdempotencyKey(token_id=caller.token_id, key=key, request_hash=request_hash, document_id=document.id))
    session.flush()
    return document


def _render_and_archive(settings: Settings, document: Document, slug: str, data: dict[str, Any]) -> Document:
    """Render with the allocated number and the verification mark; store files and hashes."""
    numbered = copy.deepcopy(data)
    if document.seq is not None:
        numbered["doc_number"]["seq"] = document.seq
    marks = Marks(verification=Verification(document.verify_code, f"{settings.public_url}/verify/{document.verify_code}"))
    try:
        result = generate(slug, numbered, settings=settings, marks=marks)
    except BaseException:  # also a worker being stopped: the record must not stay pending
        with session_scope(settings.effective_database_url) as session:
            session.get(Document, document.id).status = "failed"  # the number stays used, never given again
        raise
    archive = Archive(settings.effective_archive_dir)
    with session_scope(settings.effective_database_url) as session:
        row = session.get(Document, document.id)
        row.pdf_sha256, row.pdf_size = archive.put(result.files["pdf"]), len(result.files["pdf"])
        row.docx_sha256, row.docx_size = archive.put(result.files["docx"]), len(result.files["docx"])
        row.warnings_json = json.dumps(result.warnings, ensure_ascii=False)
        row.status = "issued"
    return row


def _settled_twin(settings: Settings, document_id: str) -> Document:
    """The first attempt's document once it is issued; a clear conflict if it failed or is still running."""
    deadline = time.monotonic() + WAIT_FOR_TWIN_SECONDS
    while True:
        with session_scope(settings.effective_database_url) as session:
            row = session.get(Document, document_id)
        if row.status in ("issued", "void"):
            return row
        if row.status == "failed":
            raise Conflict(f"该 Idempotency-Key 的首次请求生成失败（文号 {row.number or '无'} 已作废处理），请换用新的键重试",
                           code="issue_failed")
        if time.monotonic() > deadline:
            raise Conflict("该 Idempotency-Key 的首次请求仍在处理中，请稍后重试", code="in_progress")
        time.sleep(0.1)


def get_document(settings: Settings, caller: Caller, document_id: str) -> Document:
    """A document the caller may see; NotFound otherwise (existence does not leak)."""
    with session_scope(settings.effective_database_url) as session:
        row = session.get(Document, document_id)
    if row is None or not caller.sees(row.unit, row.recipient, row.created_by_judicial):
        raise NotFound()
    return row


def list_documents(settings: Settings, caller: Caller, filters: Filters, page: int) -> tuple[list[Document], int]:
    """One page of the documents the caller may see, newest first, and the total count."""
    query = select(Document).where(Document.status.in_(("issued", "void")))
    if caller.role != "judicial":
        query = query.where(or_(Document.unit == caller.unit,
                                (Document.recipient == caller.unit) & Document.created_by_judicial.is_(True)))
    if filters.doc_type:
        query = query.where(Document.doc_type == filters.doc_type)
    if filters.unit:
        query = query.where(or_(Document.unit == filters.unit, Document.recipient == filters.unit))
    if filters.year:
        query = query.where(Document.year == filters.year)
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Document.number.like(pattern, escape="\\"), Document.title.like(pattern, escape="\\")))
    with session_scope(settings.effective_database_url) as session:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(query.order_by(Document.created_at.desc(), Document.id)
                               .offset((page - 1) * settings.page_size).limit(settings.page_size)).scalars().all()
    return list(rows), int(total)


def void_document(settings: Settings, caller: Caller, document_id: str, reason: str) -> Document:
    """Mark a document 作废: the number stays used; who, when and why are recorded."""
    with session_scope(settings.effective_database_url) as session:
        row = session.get(Document, document_id)
        if row is None or not caller.sees(row.unit, row.recipient, row.created_by_judicial):
            raise NotFound()
        if caller.role != "judicial" and caller.unit != row.unit:
            raise Forbidden("只有制发单位或市司法局可以作废该文书")
        if row.status == "void":
            raise Conflict("该文书已作废", code="already_void")
        if row.status == "pending":
            raise Conflict("该文书尚未制发完成，不能作废", code="not_issued")
        row.status, row.voided_at, row.void_reason = "void", utcnow(), reason
        row.voided_by = f"{caller.name}（令牌 #{caller.token_id}）"
    return row


def find_by_code(settings: Settings, code: str) -> Document | None:
    """The document behind a verification code (public: the code itself is the secret)."""
    with session_scope(settings.effective_database_url) as session:
        return session.execute(select(Document).where(Document.verify_code == code.upper())).scalar_one_or_none()


def read_file(settings: Settings, document: Document, fmt: str) -> bytes:
    """The archived PDF or DOCX, checked against its stored hash."""
    digest = document.pdf_sha256 if fmt == "pdf" else document.docx_sha256
    if document.status not in ("issued", "void") or digest is None:
        raise NotFound("该文书的文件尚未生成")
    return Archive(settings.effective_archive_dir).get(digest)
