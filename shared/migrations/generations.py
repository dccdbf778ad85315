"""Adding columns to every generation of a rebuilt projection's table (`report_entries_g1`,
`…_g2`: the current one and any a rebuild left behind), for the services' migrations.

Migrations import this, so it must keep doing what it does today: a revision that called it
once must add the same thing when it runs on a new database years later. Change it only by
adding a new function.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op


def generation_tables(prefix: str) -> list[str]:
    """The tables named `<prefix>_g<N>` in the current schema."""
    pattern = prefix.replace("_", "\\_") + "\\_g%"
    found = op.get_bind().execute(
        sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE :pattern"
        ),
        {"pattern": pattern},
    )
    return sorted(found.scalars().all())


def add_columns(prefix: str, columns: Callable[[], list[sa.Column]]) -> None:
    """Add the `columns()` to every generation (made anew for each table: a Column belongs to
    one). A NOT NULL column's server default is for the rows already there only: it is
    dropped after, as the code always writes every column."""
    for table in generation_tables(prefix):
        for column in columns():
            op.add_column(table, column)
            if column.server_default is not None:
                op.alter_column(table, column.name, server_default=None)


def drop_columns(prefix: str, names: list[str]) -> None:
    for table in generation_tables(prefix):
        for name in names:
            op.drop_column(table, name)
