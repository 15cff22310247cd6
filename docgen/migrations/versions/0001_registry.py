"""Document registry: numbering counters, documents, API tokens, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_counters",
        sa.Column("organ_code", sa.String(40), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("doc_type", sa.String(40), nullable=False, index=True),
        sa.Column("unit", sa.String(100), nullable=False, index=True),
        sa.Column("recipient", sa.String(100), index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("organ_code", sa.String(40)),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("seq", sa.Integer),
        sa.Column("number", sa.String(80), nullable=False, index=True),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verify_code", sa.String(16), nullable=False, unique=True),
        sa.Column("data_json", sa.Text, nullable=False),
        sa.Column("pdf_sha256", sa.String(64)),
        sa.Column("docx_sha256", sa.String(64)),
        sa.Column("pdf_size", sa.Integer),
        sa.Column("docx_size", sa.Integer),
        sa.Column("warnings_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True)),
        sa.Column("voided_by", sa.String(100)),
        sa.Column("void_reason", sa.String(500)),
        sa.UniqueConstraint("organ_code", "year", "seq", name="uq_documents_number"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("token_id", sa.Integer, sa.ForeignKey("api_tokens.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("documents")
    op.drop_table("api_tokens")
    op.drop_table("number_counters")
