"""Reporting's tables: the generation pointer, the owners' heads and generation 1 of the
projection (one row per entry, counts per district × category × state).

Revision ID: reporting_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0001"
down_revision = "0001"
branch_labels = ("reporting",)
depends_on = None


def _generation_tables(gen: int) -> None:
    # Spelled out here (not imported from adapters.tables) so this revision keeps creating
    # what it created when it was written; the rebuild makes later generations from the code.
    op.create_table(
        f"report_entries_g{gen}",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("district", sa.String(50)),
        sa.Column("category", sa.String(20)),
        sa.Column("call_id", sa.String(100)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("screening_state", sa.String(20)),
        sa.Column("findings_count", sa.Integer(), nullable=False),
        sa.Column("selection", sa.String(20)),
        sa.Column("officer_name", sa.Text()),
        sa.Column("officer_phone", sa.Text()),
        sa.Column("materials", sa.dialects.postgresql.JSONB(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        f"report_entries_g{gen}_list",
        f"report_entries_g{gen}",
        ["district", "created_at", "submission_id"],
    )
    op.create_index(
        f"report_entries_g{gen}_filter", f"report_entries_g{gen}", ["district", "category", "state"]
    )
    op.create_table(
        f"report_counts_g{gen}",
        sa.Column("district", sa.String(50), primary_key=True),
        sa.Column("category", sa.String(20), primary_key=True),
        sa.Column("state", sa.String(20), primary_key=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "report_generation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("switched_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="report_generation_one_row"),
    )
    op.create_table(
        "report_source_heads",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    _generation_tables(1)
    op.execute("INSERT INTO report_generation (id, generation, switched_at) VALUES (1, 1, now())")


def downgrade() -> None:
    bind = op.get_bind()
    gens = bind.execute(sa.text("SELECT generation FROM report_generation")).scalars().all()
    for gen in {1, *gens}:
        op.execute(f"DROP TABLE IF EXISTS report_counts_g{gen}")
        op.execute(f"DROP TABLE IF EXISTS report_entries_g{gen}")
    op.drop_table("report_source_heads")
    op.drop_table("report_generation")
