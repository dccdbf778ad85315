"""The entries report's batch columns: the latest district batch (汇总报送) that included the
entry, the version and stored materials it froze, and whether intake changed the entry since
(for 报送后已修改).

Added to every generation of the entries table that exists. Rows already there get no batch:
`kechuang rebuild reporting` after this migration fills them from intake's log (BatchSent).

Revision ID: reporting_0003
Revises: reporting_0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "reporting_0003"
down_revision = "reporting_0002"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    """Spelled out here (not imported from adapters.tables) so this revision keeps adding
    what it added when it was written; a NOT NULL column's default is for the rows already
    there only (`upgrade` drops it): the code always writes every column."""
    return [
        sa.Column("batch_id", sa.String(36)),
        sa.Column("batch_number", sa.Integer()),
        sa.Column("batch_version", sa.Integer()),
        sa.Column("batch_materials", JSONB(), nullable=False, server_default="[]"),
        sa.Column("amended_after_batch", sa.Boolean(), nullable=False, server_default="false"),
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
