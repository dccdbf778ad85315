"""Alembic environment for the tables every service database has: the event store (which is
also the outbox), the relay checkpoint and the consumer checkpoints. Run through
`kechuang migrate`, which passes the service's database URL."""

from alembic import context
from sqlalchemy import create_engine

from shared.eventstore import metadata

url = context.config.get_main_option("sqlalchemy.url")
assert url, "kechuang migrate passes sqlalchemy.url"
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
