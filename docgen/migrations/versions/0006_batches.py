"""Monthly batches: a run's input and state, one row per unit's notice, the current result of each month.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("period", sa.String(7), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("running_period", sa.String(60), unique=True),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("token_id", sa.Integer),
        sa.Column("issue", sa.Boolean, nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("input_name", sa.String(200), nullable=False),
        sa.Column("input_format", sa.String(8), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("ledger_sha256", sa.String(64)),
        sa.Column("counts_json", sa.Text, nullable=False),
        sa.Column("warnings_json", sa.Text, nullable=False),
        sa.Column("error_json", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "batch_units",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id"), nullable=False, index=True),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("case_count", sa.Integer, nullable=False),
        sa.Column("cases_json", sa.Text, nullable=False),
        sa.Column("pdf_sha256", sa.String(64)),
        sa.Column("docx_sha256", sa.String(64)),
        sa.Column("pdf_size", sa.Integer),
        sa.Column("docx_size", sa.Integer),
        sa.Column("summary_json", sa.Text),
        sa.Column("document_id", sa.String(32)),
        sa.Column("error_json", sa.Text),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("batch_id", "unit", name="uq_batch_units_unit"),
    )
    op.create_table(
        "batch_months",
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_months")
    op.drop_table("batch_units")
    op.drop_table("batches")
