"""Each entry's lead (负责人, achievements and promotions), which the duplicate check reads, and
its sentence embedding (services/matching/domain/semantic.py: 384 float32, little-endian),
derived when it is handed in like its words and signature (issue #26). Rows handed in before
have none: the index embeds them once when it loads them and stores what it computed.

Revision ID: matching_0003
Revises: matching_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "matching_0003"
down_revision = "matching_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "match_entries", sa.Column("lead_name", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "match_entries",
        sa.Column("embedding", sa.LargeBinary(), nullable=False, server_default=sa.text("''")),
    )


def downgrade() -> None:
    op.drop_column("match_entries", "embedding")
    op.drop_column("match_entries", "lead_name")
