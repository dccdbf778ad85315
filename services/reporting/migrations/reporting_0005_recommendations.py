"""The entries report's recommendation to the province (推荐省级): its rank and reason.

Added to every generation of the entries table that exists. Rows already there get no
recommendation: recommendations are newer than this column, so none is lost (a rebuild fills
them from screening's log anyway).

Revision ID: reporting_0005
Revises: reporting_0004
"""

import sqlalchemy as sa

from shared.migrations import generations

revision = "reporting_0005"
down_revision = "reporting_0004"
branch_labels = None
depends_on = None
ENTRIES = "report_entries"


def _columns() -> list[sa.Column]:
    """Spelled out here, as in reporting_0002, so this revision keeps what it added."""
    return [
        sa.Column("recommendation_rank", sa.Integer()),
        sa.Column("recommendation_reason", sa.Text(), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    generations.add_columns(ENTRIES, _columns)


def downgrade() -> None:
    generations.drop_columns(ENTRIES, [column.name for column in _columns()])
