"""The entries report's recommendation to the province (推荐省级): its rank and reason.

Added to every generation of the entries table that exists. Rows already there get no
recommendation: recommendations are newer than this column, so none is lost (a rebuild fills
them from screening's log anyway).

Revision ID: reporting_0005
Revises: reporting_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0005"
down_revision = "reporting_0004"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    """Spelled out here, as in reporting_0002, so this revision keeps what it added."""
    return [
        sa.Column("recommendation_rank", sa.Integer()),
        sa.Column("recommendation_reason", sa.Text(), nullable=False, server_default=""),
    ]


def _entry_tables() -> list[str]:
    found = op.get_bind().execute(
        sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE 'report\\_entries\\_g%'"
        )
    )
    return sorted(found.scalars().all())


def upgrade() -> None:
    for table in _entry_tables():
        for column in _columns():
            op.add_column(table, column)
            if column.server_default is not None:
                op.alter_column(table, column.name, server_default=None)


def downgrade() -> None:
    for table in _entry_tables():
        for column in _columns():
            op.drop_column(table, column.name)
