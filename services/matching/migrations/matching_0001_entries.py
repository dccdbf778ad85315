"""Matching's tables: the entries as matching reads them, and staff's decisions on matches.

Revision ID: matching_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "matching_0001"
down_revision = "0001"
branch_labels = ("matching",)
depends_on = None


def upgrade() -> None:
    # Spelled out here (not imported from adapters.tables) so this revision keeps creating
    # what it created when it was written.
    op.create_table(
        "match_entries",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("call_id", sa.String(100), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("benefits", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("keywords", JSONB(), nullable=False),
        sa.Column("industry_codes", JSONB(), nullable=False),
        sa.Column("cooperation_mode", sa.String(20)),
        sa.Column("region_code", sa.String(20)),
        sa.Column("terms", JSONB(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("match_entries_pool", "match_entries", ["status", "category"])
    op.create_table(
        "match_decisions",
        sa.Column("challenge_id", sa.String(36), primary_key=True),
        sa.Column("offer_id", sa.String(36), primary_key=True),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("match_decisions")
    op.drop_table("match_entries")
