"""Notices (通知): the inbox with read marks, what the notices know of entries and extensions,
and the e-mail outbox (issue #16 item 5).

Revision ID: reporting_0004
Revises: reporting_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0004"
down_revision = "reporting_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Spelled out here (not imported from adapters.notice_tables) so this revision keeps
    # creating what it created when it was written.
    op.create_table(
        "notices",
        sa.Column("notice_id", sa.String(36), primary_key=True),
        sa.Column("recipient", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.String(36)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
    )
    op.create_index("notices_inbox", "notices", ["recipient", "created_at"])
    op.create_table(
        "notice_entries",
        sa.Column("submission_id", sa.String(36), primary_key=True),
        sa.Column("district", sa.String(50)),
        sa.Column("call_id", sa.String(100)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("email", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("screening_state", sa.String(20)),
    )
    op.create_table(
        "notice_extensions",
        sa.Column("call_id", sa.String(100), primary_key=True),
        sa.Column("district", sa.String(50), primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notice_outbox",
        sa.Column("notice_id", sa.String(36), primary_key=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
    )
    op.create_index("notice_outbox_pending", "notice_outbox", ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("notice_outbox")
    op.drop_table("notice_extensions")
    op.drop_table("notice_entries")
    op.drop_table("notices")
