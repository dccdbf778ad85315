"""Matching's suspicions and staff's marks of entries handed in twice, on each entry's row.

Revision ID: screening_0004
Revises: screening_0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "screening_0004"
down_revision = "screening_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "screenings",
        sa.Column(
            "duplicates",
            postgresql.JSONB(),
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
    )


def downgrade() -> None:
    op.drop_column("screenings", "duplicates")
