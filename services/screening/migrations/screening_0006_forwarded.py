"""The district batch that forwarded each entry to the city (intake's `BatchSent`), on the
entry's row: the city selects and recommends only an entry its district forwarded, in the
version forwarded (四(二), issue #25 item 3).

Screening starts reading intake's batches with this revision; batches sent before it are not
read again (the subscription's position in intake's log is past them), so an entry forwarded
only by such a batch needs a supplementary batch (补充报送) before it can be selected.

Revision ID: screening_0006
Revises: screening_0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "screening_0006"
down_revision = "screening_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("screenings", sa.Column("forwarded", postgresql.JSONB(none_as_null=True)))


def downgrade() -> None:
    op.drop_column("screenings", "forwarded")
