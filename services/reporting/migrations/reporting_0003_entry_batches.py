"""The entries report's batch columns: the latest district batch (汇总报送) that included the
entry, the version and stored materials it froze, and whether intake changed the entry since
(for 报送后已修改).

Added to every generation of the entries table that exists. Rows already there get no batch:
`kechuang rebuild reporting` after this migration fills them from intake's log (BatchSent).

Revision ID: reporting_0003
Revises: reporting_0002
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from shared.migrations import generations

revision = "reporting_0003"
down_revision = "reporting_0002"
branch_labels = None
depends_on = None
ENTRIES = "report_entries"


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


def upgrade() -> None:
    generations.add_columns(ENTRIES, _columns)


def downgrade() -> None:
    generations.drop_columns(ENTRIES, [column.name for column in _columns()])
