"""The migrations build exactly the tables the code declares, for every service database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

from services.intake.adapters.tables import metadata as intake_tables
from shared import migrations
from shared.eventstore import metadata as store_tables


def declared(*parts: MetaData) -> MetaData:
    combined = MetaData()
    for part in parts:
        for table in part.tables.values():
            table.to_metadata(combined)
    return combined


@pytest.mark.parametrize(
    "service, tables",
    [("media", declared(store_tables)), ("intake", declared(store_tables, intake_tables))],
)
def test_migrations_build_the_tables_the_code_declares(
    database_url: str, service: str, tables: MetaData
) -> None:
    migrations.upgrade(database_url, service)
    migrations.upgrade(database_url, service)  # a second run changes nothing and does not fail
    engine = create_engine(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables)
    engine.dispose()
    assert differences == []
