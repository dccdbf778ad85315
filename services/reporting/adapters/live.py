"""Applying events to the projection tables, one at a time, inside the subscription's
transaction (live consumption and the last stretch of a rebuild).

Each call makes sure the entry's row exists before locking it, so two owners' events about a
new entry (say intake's draft and media's first upload, consumed by two workers at once) are
folded one after the other instead of the second overwriting the first. The summary counts move
in the same transaction; their rows are updated in sorted key order so two transactions never
wait on each other's counts in opposite orders (no deadlock).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from services.reporting.adapters import tables
from services.reporting.domain.projection import RELEVANT, Entry, fold
from shared.events import Actor, Event

_FIELDS = tuple(c for c in tables.ENTRY_COLUMNS if c != "state")


def to_row(entry: Entry) -> dict[str, Any]:
    row = {name: getattr(entry, name) for name in _FIELDS}
    row["state"] = entry.state
    return row


def from_row(row: Any) -> Entry:
    mapping = row._mapping
    return Entry(**{name: mapping[name] for name in _FIELDS})


def apply(conn: Connection, event: Event) -> None:
    """The subscription's `apply`: into whichever generation is current. Read after the
    subscription locked its checkpoint, so a rebuild's switch (which takes those locks) is
    either wholly before this or wholly after it."""
    apply_change(conn, tables.current(conn), event.type, event.data, event.occurred_at,
                 event.actor.label())  # fmt: skip


def person_of(actor: dict[str, Any] | None) -> str | None:
    """The person a stored actor names, as shown (None: no person, or an older event)."""
    if not actor or not actor.get("person_name"):
        return None
    return Actor(str(actor.get("role")), str(actor.get("subject")), actor.get("district"),
                 actor.get("person_id"), actor["person_name"]).label()  # fmt: skip


def apply_change(
    conn: Connection,
    gen: int,
    type_: str,
    data: dict[str, Any],
    at: datetime,
    person: str | None = None,
) -> None:
    if type_ not in RELEVANT:
        return
    table = tables.entries(gen)
    submission_id = data["submission_id"]
    conn.execute(
        insert(table).values(to_row(Entry(submission_id=submission_id))).on_conflict_do_nothing()
    )
    row = conn.execute(
        select(table).where(table.c.submission_id == submission_id).with_for_update()
    ).one()
    before = from_row(row)
    after = fold(before, type_, data, at, person)
    if after is None or after is before:
        return
    values = to_row(after)
    conn.execute(table.update().where(table.c.submission_id == submission_id).values(**values))
    old, new = before.count_key, after.count_key
    if old != new:
        moves = [(key, delta) for key, delta in ((old, -1), (new, 1)) if key is not None]
        for key, delta in sorted(moves):
            _bump(conn, gen, key, delta)


def _bump(conn: Connection, gen: int, key: tuple[str, str, str], delta: int) -> None:
    table = tables.counts(gen)
    district, category, state = key
    statement = insert(table).values(district=district, category=category, state=state, n=delta)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.district, table.c.category, table.c.state],
            set_={"n": table.c.n + statement.excluded.n},
        )
    )
