"""The late exceptions (逾期补交) granted on intake's calls, beside their events.

Revision ID: intake_0002
Revises: intake_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extensions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("call_id", sa.String(100), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("extensions_call_district", "extensions", ["call_id", "district"])


def downgrade() -> None:
    op.drop_table("extensions")
