"""Tables of the document registry."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending → issued → void; failed
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


class ApiToken(Base):
    """An API token, stored only as its SHA-256; scoped to a unit unless its role is 司法局 (judicial)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # judicial | unit
    unit: Mapped[str | None] = mapped_column(String(100))
    organ_codes: Mapped[str] = mapped_column(Text, default="", server_default="")  # 机关代字 a unit may use, one per line
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
