"""Token organ codes; who issued a document (token id, 司法局 or not).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("organ_codes", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("created_token_id", sa.Integer))
        table.add_column(sa.Column("created_by_judicial", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.drop_column("created_by_judicial")
        table.drop_column("created_token_id")
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("organ_codes")
