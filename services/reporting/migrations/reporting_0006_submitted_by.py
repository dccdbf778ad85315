"""The entries report's 填报人 (issue #19): the person who submitted the entry.

Added to every generation of the entries table that exists. Rows already there get an empty
value (their events named no person before accounts existed; `kechuang rebuild reporting`
fills it for any that did).

Revision ID: reporting_0006
Revises: reporting_0005
"""

import sqlalchemy as sa

from shared.migrations import generations

revision = "reporting_0006"
down_revision = "reporting_0005"
branch_labels = None
depends_on = None
ENTRIES = "report_entries"


def upgrade() -> None:
    generations.add_columns(
        ENTRIES, lambda: [sa.Column("submitted_by", sa.Text(), nullable=False, server_default="")]
    )


def downgrade() -> None:
    generations.drop_columns(ENTRIES, ["submitted_by"])
