"""The city's recommendation to the province (推荐省级) on each entry's row.

Revision ID: screening_0003
Revises: screening_0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "screening_0003"
down_revision = "screening_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("screenings", sa.Column("recommendation", postgresql.JSONB(), nullable=True))
    # The ranks of a call are read together (uniqueness, the ranked list): only recommended
    # rows are indexed.
    op.create_index(
        "screenings_recommended",
        "screenings",
        ["call_id"],
        postgresql_where=sa.text("recommendation IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("screenings_recommended", "screenings")
    op.drop_column("screenings", "recommendation")
