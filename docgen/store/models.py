"""Tables of the document registry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint, false, true)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from docgen.clock import utcnow

__all__ = ["Base", "NumberCounter", "Document", "ApiToken", "IdempotencyKey", "Unit", "OrganCode", "NumberWindow",
           "Job", "AuditEvent", "User", "WebSession", "Draft", "RescuedForm", "Batch", "BatchUnit", "BatchMonth", "Blob",
           "utcnow"]


class Base(DeclarativeBase):
    """Declarative base of all docgen tables."""


class NumberCounter(Base):
    """The last 发文顺序号 given for one 机关代字 in one year (the code implies the document type)."""

    __tablename__ = "number_counters"
    organ_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False)


class Document(Base):
    """An issued document: its number, its archived files and hashes, its status."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("organ_code", "year", "seq", name="uq_documents_number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(40), index=True)
    unit: Mapped[str] = mapped_column(String(100), index=True)
    recipient: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    organ_code: Mapped[str | None] = mapped_column(String(40))  # None: a document without a 文号 (公示)
    year: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80), index=True)
    issue_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending → issued → void; pending → failed
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    data_json: Mapped[str] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    docx_size: Mapped[int | None] = mapped_column(Integer)
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    created_token_id: Mapped[int | None] = mapped_column(Integer)
    created_by_judicial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by: Mapped[str | None] = mapped_column(String(100))
    void_reason: Mapped[str | None] = mapped_column(String(500))
    # While pending, the worker rendering it holds a lease; an expired lease means the worker is gone.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    job_id: Mapped[str | None] = mapped_column(String(32))  # the background job rendering it, if any


class ApiToken(Base):
    """An API token, stored only as its SHA-256; scoped to a unit unless its role is 司法局 (judicial)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # judicial | unit
    unit: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdempotencyKey(Base):
    """A client's Idempotency-Key and the document its first request created."""

    __tablename__ = "idempotency_keys"
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Unit(Base):
    """An issuing body as an administrator registered it: the 标志, the seal and the 机关代字 are its, not the request's."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # full name, as signed
    mark: Mapped[str] = mapped_column(String(100))  # 发文机关标志
    kind: Mapped[str] = mapped_column(String(16), default="enforcement")  # judicial | government | enforcement
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_mm: Mapped[float] = mapped_column(Float, default=42.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OrganCode(Base):
    """A 机关代字 and the one unit that may number documents under it."""

    __tablename__ = "organ_codes"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)


class NumberWindow(Base):
    """Hand-picked numbers an administrator allows for one 机关代字 and year (e.g. paper documents 1–6)."""

    __tablename__ = "number_windows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organ_code: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq_from: Mapped[int] = mapped_column(Integer)
    seq_to: Mapped[int] = mapped_column(Integer)
    open_until: Mapped[date | None] = mapped_column(Date)  # last day the window may be used; None: until closed
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A piece of background work (a large document, a batch): durable, leased, resumable."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16), index=True)  # queued → running → done | failed
    payload_json: Mapped[str] = mapped_column(Text)
    token_id: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(100))
    owner_unit: Mapped[str | None] = mapped_column(String(100))  # None: the 司法局 side
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    result_json: Mapped[str | None] = mapped_column(Text)
    error_json: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what to the registry, when and from where: issue, void, renumber, unit changes, tokens."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    token_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(100))  # client address, or cli:<user>
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail_json: Mapped[str] = mapped_column(Text, default="{}")


class User(Base):
    """A person who signs in to the workspace; acts through its own hidden API token (same scoping as the API)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # judicial | unit | admin
    unit: Mapped[str | None] = mapped_column(String(100))
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A browser session, kept on the server; the cookie carries only a random id (stored here hashed)."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Draft(Base):
    """An unfinished form of one user: kept until issued or deleted, whatever state its data is in."""

    __tablename__ = "drafts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    document_id: Mapped[str | None] = mapped_column(String(32))  # set once issued from this draft
    source_document_id: Mapped[str | None] = mapped_column(String(32))  # 以此为模板新建
    case_id: Mapped[str | None] = mapped_column(String(32))  # drafted within a supervision case


class RescuedForm(Base):
    """A form posted after its session ended: kept until its owner signs in again and gets it back as a draft."""

    __tablename__ = "rescued_forms"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # hash of the random cookie value
    doc_type: Mapped[str] = mapped_column(String(40))
    draft_id: Mapped[str | None] = mapped_column(String(32))
    data_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Batch(Base):
    """One run of a monthly batch (every unit's 公示 notice from one export): its input, state and row counts."""

    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # disclosure
    period: Mapped[str] = mapped_column(String(7), index=True)  # 2025-06
    state: Mapped[str] = mapped_column(String(16))  # planning → rendering → done | failed
    running_period: Mapped[str | None] = mapped_column(String(60), unique=True)  # "<kind>:<period>" while unfinished
    job_id: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(100))
    token_id: Mapped[int | None] = mapped_column(Integer)
    issue: Mapped[bool] = mapped_column(Boolean, default=False)  # also issue the notices into the registry
    issue_date: Mapped[date] = mapped_column(Date)
    input_name: Mapped[str] = mapped_column(String(200))
    input_format: Mapped[str] = mapped_column(String(8))
    input_sha256: Mapped[str] = mapped_column(String(64))
    ledger_sha256: Mapped[str | None] = mapped_column(String(64))  # every row's outcome (JSON lines), in the archive
    counts_json: Mapped[str] = mapped_column(Text, default="{}")
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    error_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BatchUnit(Base):
    """One unit's notice within a batch: its cases, its own lease and attempts, its files once rendered."""

    __tablename__ = "batch_units"
    __table_args__ = (UniqueConstraint("batch_id", "unit", name="uq_batch_units_unit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    unit: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued → running → done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    case_count: Mapped[int] = mapped_column(Integer, default=0)
    cases_json: Mapped[str] = mapped_column(Text, default="[]")
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    docx_size: Mapped[int | None] = mapped_column(Integer)
    summary_json: Mapped[str | None] = mapped_column(Text)  # counts, withheld and late cases, the public rows
    document_id: Mapped[str | None] = mapped_column(String(32))  # when the batch issues: the registry's document
    error_json: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BatchMonth(Base):
    """The current result of a month: replaced in one update when a newer run of the month completes."""

    __tablename__ = "batch_months"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Blob(Base):
    """An archived file (PDF or DOCX) stored in the database under its SHA-256 (DOCGEN_ARCHIVE_BACKEND=database)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # PostgreSQL bytea, SQLite blob
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SupervisionCase(Base):
    """A supervision procedure (监督案件): the 意见书 that opened it, its deadline, the 复查 that closed it."""

    __tablename__ = "supervision_cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(100), index=True)  # the supervised unit (the 意见书's 主送机关)
    opinion_document_id: Mapped[str] = mapped_column(String(32), unique=True)
    opinion_number: Mapped[str] = mapped_column(String(80))
    opinion_issuer: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)  # the rectification deadline the 意见书 set
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    review_result: Mapped[str | None] = mapped_column(String(1000))  # 复查
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))


class CaseDocument(Base):
    """A document issued within a case, and its role there (opinion, report, decision)."""

    __tablename__ = "case_documents"
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_cases.id"), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(32), primary_key=True, unique=True)
    role: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)  # when the registry received it (timeliness is judged by this)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseReminder(Base):
    """A reminder made for a case's deadline (listed, and e-mailed when SMTP is configured): once per case, kind, day."""

    __tablename__ = "case_reminders"
    __table_args__ = (UniqueConstraint("case_id", "kind", "made_on", name="uq_case_reminders_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # due_soon | overdue
    made_on: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16), default="list")  # list | email
    sent_to: Mapped[str | None] = mapped_column(String(200))
