"""The entries report's columns of issue #13: platform listing number, applicant type and place,
the lead, technical level, review items apart from problems, and priority.

Added to every generation of the entries table that exists (the current one and any a rebuild
left behind). Rows already there get empty values: `kechuang rebuild reporting` after this
migration fills them from the owners' logs (and recounts `findings_count` as problems only).

Revision ID: reporting_0002
Revises: reporting_0001
"""

import sqlalchemy as sa

from shared.migrations import generations

revision = "reporting_0002"
down_revision = "reporting_0001"
branch_labels = None
depends_on = None
ENTRIES = "report_entries"


def _columns() -> list[sa.Column]:
    """Spelled out here (not imported from adapters.tables) so this revision keeps adding
    what it added when it was written. A NOT NULL column has a default only for the rows
    already there (`upgrade` drops it): the code always writes every column."""
    return [
        sa.Column("platform_listing_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("applicant_type", sa.String(30)),
        sa.Column("region_code", sa.String(20)),
        sa.Column("location", sa.Text(), nullable=False, server_default=""),
        sa.Column("lead_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("lead_affiliation", sa.Text(), nullable=False, server_default=""),
        sa.Column("tech_level", sa.String(30)),
        sa.Column("review_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("priority", sa.Boolean()),
    ]


def upgrade() -> None:
    generations.add_columns(ENTRIES, _columns)


def downgrade() -> None:
    generations.drop_columns(ENTRIES, [column.name for column in _columns()])
