"""Units registry, number windows, leases on pending documents, background jobs, audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("mark", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seal_png", sa.LargeBinary),
        sa.Column("seal_mm", sa.Float, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "organ_codes",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    )
    op.create_table(
        "number_windows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("organ_code", sa.String(40), nullable=False, index=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq_from", sa.Integer, nullable=False),
        sa.Column("seq_to", sa.Integer, nullable=False),
        sa.Column("open_until", sa.Date),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("token_id", sa.Integer),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("owner_unit", sa.String(100)),
        sa.Column("document_id", sa.String(32), index=True),
        sa.Column("progress_done", sa.Integer, nullable=False),
        sa.Column("progress_total", sa.Integer, nullable=False),
        sa.Column("result_json", sa.Text),
        sa.Column("error_json", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("token_id", sa.Integer),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail_json", sa.Text, nullable=False),
    )
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="1"))
        table.add_column(sa.Column("failure_reason", sa.String(500)))
        table.add_column(sa.Column("job_id", sa.String(32)))
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("organ_codes")
    # The automatic number is never below the highest number used, also for documents issued before this revision
    # (including codes that only ever had hand-given numbers and so no counter row).
    op.execute("INSERT INTO number_counters (organ_code, year, last_seq) SELECT d.organ_code, d.year, MAX(d.seq) "
               "FROM documents d WHERE d.organ_code IS NOT NULL AND d.seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
               "number_counters c WHERE c.organ_code = d.organ_code AND c.year = d.year) GROUP BY d.organ_code, d.year")
    op.execute("UPDATE number_counters SET last_seq = (SELECT MAX(d.seq) FROM documents d WHERE d.organ_code = "
               "number_counters.organ_code AND d.year = number_counters.year) WHERE last_seq < (SELECT MAX(d.seq) "
               "FROM documents d WHERE d.organ_code = number_counters.organ_code AND d.year = number_counters.year)")
    # Documents left pending by a killed worker before leases existed: failed, with the reason.
    op.execute("UPDATE documents SET status = 'failed', failure_reason = '升级前遗留的未完成制发（进程中断）' "
               "WHERE status = 'pending'")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("organ_codes", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("documents") as table:
        table.drop_column("job_id")
        table.drop_column("failure_reason")
        table.drop_column("attempts")
        table.drop_column("lease_until")
    op.drop_table("audit_events")
    op.drop_table("jobs")
    op.drop_table("number_windows")
    op.drop_table("organ_codes")
    op.drop_table("units")
