"""The migrations build exactly the tables the code declares, for every service database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, inspect, text

from ops import schema
from services.identity.adapters.tables import metadata as identity_tables
from services.intake.adapters.tables import metadata as intake_tables
from services.matching.adapters.tables import metadata as matching_tables
from services.media.adapters.tables import metadata as media_tables
from services.reporting.adapters import notice_tables
from services.reporting.adapters import tables as reporting
from services.screening.adapters.tables import metadata as screening_tables
from shared import migrations
from shared.eventstore import metadata as store_tables


def declared(*parts: MetaData | Table) -> MetaData:
    combined = MetaData()
    for part in parts:
        for table in part.tables.values() if isinstance(part, MetaData) else [part]:
            table.to_metadata(combined)
    return combined


reporting.indexes(1)  # attaches the first generation's indexes to its table
SERVICE_TABLES = {
    "intake": declared(store_tables, intake_tables),
    "media": declared(store_tables, media_tables),
    "screening": declared(store_tables, screening_tables),
    "reporting": declared(
        store_tables,
        reporting.metadata,
        reporting.entries(1),
        reporting.counts(1),
        notice_tables.metadata,
    ),
    "matching": declared(store_tables, matching_tables),
    "identity": declared(store_tables, identity_tables),
}


@pytest.mark.parametrize("service, tables", SERVICE_TABLES.items(), ids=list(SERVICE_TABLES))
def test_migrations_build_the_tables_the_code_declares(
    database_url: str, service: str, tables: MetaData
) -> None:
    schema.upgrade(database_url, service)
    schema.upgrade(database_url, service)  # a second run changes nothing and does not fail
    engine = create_engine(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables)
    engine.dispose()
    assert differences == []


def test_entry_columns_reach_every_generation_a_rebuild_left(database_url: str) -> None:
    """A rebuild leaves the previous generation beside the current one; each later revision
    adds its columns to both (shared/migrations/generations.py)."""
    migrations.upgrade(database_url, *schema.revisions("reporting"), target="reporting_0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE report_entries_g2 (LIKE report_entries_g1)"))
    schema.upgrade(database_url, "reporting")
    with engine.connect() as conn:
        found = inspect(conn)
        columns = {gen: {c["name"] for c in found.get_columns(f"report_entries_g{gen}")}
                   for gen in (1, 2)}  # fmt: skip
    engine.dispose()
    declared_names = {c.name for c in reporting.entries(2).columns}
    assert columns[1] == columns[2] == declared_names
