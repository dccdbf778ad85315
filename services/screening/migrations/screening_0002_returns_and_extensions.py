"""An entry's standing return for revision, and the late exceptions granted on calls (from
intake's `call-<id>` streams): what the deadline timer judges an entry's close by.

Revision ID: screening_0002
Revises: screening_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "screening_0002"
down_revision = "screening_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("screenings", sa.Column("returned", postgresql.JSONB(), nullable=True))
    op.create_table(
        "extensions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("call_id", sa.String(100), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("submission_id", sa.String(36), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("extensions_call_district", "extensions", ["call_id", "district"])


def downgrade() -> None:
    op.drop_table("extensions")
    op.drop_column("screenings", "returned")
