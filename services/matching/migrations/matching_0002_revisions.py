"""Each entry's revision, from one sequence: the in-memory index (adapters.index) reads only
the rows changed since it last looked. Staff's decisions by offer, for an offer's matches. And
the suspected duplicates and staff's decisions on them, one row per pair (its ids in order).

Revision ID: matching_0002
Revises: matching_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "matching_0002"
down_revision = "matching_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE match_entries_revision")
    op.add_column(
        "match_entries",
        sa.Column(
            "revision",
            sa.BigInteger(),
            nullable=False,
            server_default=sa.text("nextval('match_entries_revision')"),
        ),
    )
    op.create_index("match_entries_revision_idx", "match_entries", ["revision"])
    op.create_index("match_decisions_offer", "match_decisions", ["offer_id"])
    op.create_table(
        "duplicate_decisions",
        sa.Column("first_id", sa.String(36), primary_key=True),
        sa.Column("second_id", sa.String(36), primary_key=True),
        sa.Column("submission_id", sa.String(36), nullable=False),
        sa.Column("other_id", sa.String(36), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "duplicate_suspicions",
        sa.Column("first_id", sa.String(36), primary_key=True),
        sa.Column("second_id", sa.String(36), primary_key=True),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("suspected_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("duplicate_suspicions")
    op.drop_table("duplicate_decisions")
    op.drop_index("match_decisions_offer", "match_decisions")
    op.drop_index("match_entries_revision_idx", "match_entries")
    op.drop_column("match_entries", "revision")
    op.execute("DROP SEQUENCE match_entries_revision")
