"""Screening's own table: one row per entry, its inputs, latest result, review and selection.

Revision ID: screening_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "screening_0001"
down_revision = "0001"
branch_labels = ("screening",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("district", sa.String(50), nullable=True),
        sa.Column("call_id", sa.String(100), nullable=True),
        sa.Column("category", sa.String(20), nullable=True),
        sa.Column("fields", postgresql.JSONB(), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column(
            "materials", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")
        ),
        sa.Column("state", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("result", postgresql.JSONB(), nullable=True),
        sa.Column("window_closed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("review", postgresql.JSONB(), nullable=True),
        sa.Column("selection", postgresql.JSONB(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "screenings_awaiting_deadline",
        "screenings",
        ["call_id"],
        postgresql_where=sa.text("status = 'submitted' AND NOT window_closed"),
    )


def downgrade() -> None:
    op.drop_table("screenings")
