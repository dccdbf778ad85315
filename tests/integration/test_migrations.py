"""The migrations build exactly the tables the code declares."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from shared import migrations
from shared.eventstore import metadata


def test_migrations_build_the_tables_the_code_declares(database_url: str) -> None:
    migrations.upgrade(database_url)
    migrations.upgrade(database_url)  # a second run changes nothing and does not fail
    engine = create_engine(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []
