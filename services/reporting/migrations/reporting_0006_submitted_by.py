"""The entries report's 填报人 (issue #19): the person who submitted the entry.

Added to every generation of the entries table that exists. Rows already there get an empty
value (their events named no person before accounts existed; `kechuang rebuild reporting`
fills it for any that did).

Revision ID: reporting_0006
Revises: reporting_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0006"
down_revision = "reporting_0005"
branch_labels = None
depends_on = None


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
        op.add_column(table, sa.Column("submitted_by", sa.Text(), nullable=False,
                                       server_default=""))  # fmt: skip
        op.alter_column(table, "submitted_by", server_default=None)


def downgrade() -> None:
    for table in _entry_tables():
        op.drop_column(table, "submitted_by")
