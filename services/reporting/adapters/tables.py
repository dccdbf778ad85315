"""Reporting's tables (migrations: services/reporting/migrations).

Why generations: `kechuang rebuild reporting` builds a complete new set of projection tables
(`report_entries_g<N>`, `report_counts_g<N>`) next to the ones the service is answering from,
then switches the one-row pointer `report_generation` in the same transaction that moves the
consumer's checkpoints (see `adapters.rebuild`). Readers and the live consumer look the
generation up first, so they use the old tables until that commit and the new ones after it,
never a half-built set. The alternative, building into a second schema and renaming schemas,
needs the same pointer-like switch plus DDL on objects readers hold, and makes the tables'
names depend on the search path; a generation number in the table name is plainer.

- `report_entries_g<N>`: one row per entry (the folded `domain.projection.Entry`).
- `report_counts_g<N>`: entries per (district, category, state), kept in step with the rows
  by the live consumer so the summary reads at most a few hundred rows, never every entry.
- `report_generation`: the pointer (exactly one row).
- `report_source_heads`: the highest position seen from each owner, for `GET /reports/lag`
  when the owner cannot be asked.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

generation = Table(
    "report_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("switched_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("id = 1", name="report_generation_one_row"),
)

source_heads = Table(
    "report_source_heads",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

ENTRY_COLUMNS = (
    "submission_id",
    "known",
    "district",
    "category",
    "call_id",
    "title",
    "platform_listing_id",
    "applicant_name",
    "applicant_type",
    "region_code",
    "location",
    "lead_name",
    "lead_affiliation",
    "tech_level",
    "contact_name",
    "contact_phone",
    "status",
    "screening_state",
    "findings_count",
    "review_count",
    "priority",
    "selection",
    "officer_name",
    "officer_phone",
    "materials",
    "recommendation_rank",
    "recommendation_reason",
    "state",
    "created_at",
    "updated_at",
    *("batch_id", "batch_number", "batch_version", "batch_materials", "amended_after_batch"),
    "submitted_by",
)


def added_columns() -> list[Column[Any]]:
    """The columns issue #13 added to the entries table (migration reporting_0002 adds them
    to the generations that existed before it; a rebuild fills them)."""
    return [
        Column("platform_listing_id", Text, nullable=False),
        Column("applicant_type", String(30)),
        Column("region_code", String(20)),
        Column("location", Text, nullable=False),
        Column("lead_name", Text, nullable=False),
        Column("lead_affiliation", Text, nullable=False),
        Column("tech_level", String(30)),
        Column("review_count", Integer, nullable=False),
        Column("priority", Boolean),
    ]


def recommendation_columns() -> list[Column[Any]]:
    """The city's recommendation to the province (#16 item 4; migration reporting_0005)."""
    return [
        Column("recommendation_rank", Integer),
        Column("recommendation_reason", Text, nullable=False),
    ]


@functools.cache
def entries(gen: int) -> Table:
    """The entries table of generation `gen` (indexes are made by `create_generation`)."""
    return Table(
        f"report_entries_g{gen}",
        MetaData(),
        Column("submission_id", String(36), primary_key=True),
        Column("known", Boolean, nullable=False),
        Column("district", String(50)),
        Column("category", String(20)),
        Column("call_id", String(100)),
        Column("title", Text, nullable=False),
        Column("applicant_name", Text, nullable=False),
        Column("contact_name", Text, nullable=False),
        Column("contact_phone", Text, nullable=False),
        Column("status", String(20), nullable=False),
        Column("screening_state", String(20)),
        Column("findings_count", Integer, nullable=False),
        *added_columns(),
        Column("selection", String(20)),
        Column("officer_name", Text),
        Column("officer_phone", Text),
        Column("materials", JSONB, nullable=False),
        *recommendation_columns(),
        Column("state", String(20), nullable=False),
        Column("created_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True)),
        *batch_columns(),
        Column("submitted_by", Text, nullable=False),  # migration reporting_0006
    )


def batch_columns() -> list[Column[Any]]:
    """The entry's latest district batch (migration reporting_0003 adds them to the
    generations that existed before it; a rebuild fills them)."""
    return [
        Column("batch_id", String(36)),
        Column("batch_number", Integer),
        Column("batch_version", Integer),
        Column("batch_materials", JSONB, nullable=False),
        Column("amended_after_batch", Boolean, nullable=False),
    ]


@functools.cache
def counts(gen: int) -> Table:
    return Table(
        f"report_counts_g{gen}",
        MetaData(),
        Column("district", String(50), primary_key=True),
        Column("category", String(20), primary_key=True),
        Column("state", String(20), primary_key=True),
        Column("n", BigInteger, nullable=False),
    )


@functools.cache
def indexes(gen: int) -> tuple[Index, ...]:
    """Made once per generation: an `Index` attaches itself to its table."""
    table = entries(gen)
    c = table.c
    # Reports list by district (offices always filter on it) in creation order; the
    # filters of api.md narrow by category and state within a district.
    return (
        Index(f"report_entries_g{gen}_list", c.district, c.created_at, c.submission_id),
        Index(f"report_entries_g{gen}_filter", c.district, c.category, c.state),
    )


def create_generation(conn: Connection, gen: int, with_indexes: bool = True) -> None:
    """Create generation `gen`'s tables. The rebuild creates the indexes after its bulk load
    (`create_indexes`): building an index once is far cheaper than keeping it up per row."""
    entries(gen).create(conn)
    counts(gen).create(conn)
    if with_indexes:
        create_indexes(conn, gen)


def create_indexes(conn: Connection, gen: int) -> None:
    for index in indexes(gen):
        index.create(conn)


def drop_generation(conn: Connection, gen: int) -> None:
    counts(gen).drop(conn, checkfirst=True)
    entries(gen).drop(conn, checkfirst=True)


def current(conn: Connection, lock: bool = False) -> int:
    """The generation readers and the consumer use now."""
    query = select(generation.c.generation).where(generation.c.id == 1)
    if lock:
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())
