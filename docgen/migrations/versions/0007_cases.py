"""Supervision cases: the procedure from 意见书 to 整改报告 to 决定书 and 复查, its documents and reminders.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervision_cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("unit", sa.String(100), nullable=False, index=True),
        sa.Column("opinion_document_id", sa.String(32), nullable=False, unique=True),
        sa.Column("opinion_number", sa.String(80), nullable=False),
        sa.Column("opinion_issuer", sa.String(100), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False, index=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_result", sa.String(1000)),
        sa.Column("reviewed_on", sa.Date),
        sa.Column("reviewed_by", sa.String(200)),
    )
    op.create_table(
        "case_documents",
        sa.Column("case_id", sa.String(32), sa.ForeignKey("supervision_cases.id"), primary_key=True),
        sa.Column("document_id", sa.String(32), primary_key=True, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "case_reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("made_on", sa.Date, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("sent_to", sa.String(200)),
        sa.UniqueConstraint("case_id", "kind", "made_on", name="uq_case_reminders_day"),
    )
    with op.batch_alter_table("drafts") as table:
        table.add_column(sa.Column("case_id", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as table:
        table.drop_column("case_id")
    op.drop_table("case_reminders")
    op.drop_table("case_documents")
    op.drop_table("supervision_cases")
