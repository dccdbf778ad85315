"""Wake the relay when events are committed: a statement-level trigger on the log sends a
notification on the `kechuang_events` channel, delivered at commit (never for a rolled-back
append, and once per transaction however many events it appended). The relay listens on its
lock session instead of polling the log ten times a second (shared/relay.py).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION kechuang_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('kechuang_events', '');
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER events_notify AFTER INSERT ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION kechuang_events_notify()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER events_notify ON events")
    op.execute("DROP FUNCTION kechuang_events_notify()")
