"""The entry version (intake's `submission-<id>` stream version) screening has applied, on each
entry's row: staff's decisions name the version they were made on and are refused while
screening has not applied it, or once the entry has moved past it.

Rows from before this revision hold 0 (not known): a decision on them is taken as before, on
the version screening has, until intake's next event of the entry sets it.

Revision ID: screening_0005
Revises: screening_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "screening_0005"
down_revision = "screening_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "screenings",
        sa.Column("entry_version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("screenings", "entry_version")
