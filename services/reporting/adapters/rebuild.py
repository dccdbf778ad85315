"""`kechuang rebuild reporting`: drop the projection and build it again from every owner's log.

How it stays available: the new projection is built into the next generation's tables
(`adapters.tables`) while the service keeps answering from, and the live consumer keeps
writing to, the current ones. Then one transaction
1. locks the live consumer's checkpoint rows of every source (the consumer takes the same lock
   before each event, so it pauses here for a moment),
2. folds into the new tables whatever the owners logged since the bulk read (`live.apply_change`,
   the same fold as live consumption),
3. sets the checkpoints to the positions the new tables hold,
4. points `report_generation` at the new generation;
and the old generation's tables are dropped after that commit. Readers look the generation up
per request, so they see the old tables or the new ones, never a mix. A rebuild that fails
part-way leaves the current generation untouched; the next rebuild drops the leftovers.

Speed: the bulk part folds events in memory (one `Entry` per submission, `domain.projection.
fold`), loads the rows with COPY, builds the counts with one GROUP BY and the indexes once at
the end. The logs are read ahead on threads while the reader folds: every source from the
start, `window` pages at once per source (positions are gap-free, so page k starts at
`k * batch`). Over RPC the pages come as one JSON text each (`log_page`), so neither the owner
nor the reader handles every event as nested objects twice (measured in bench/reporting.py).
Events are decoded without the envelope schema (measured: ~140 µs per event, more than the
whole budget): the owners validated every event with its schema when they stored it, and a page
holds only the fields a fold reads; an event of an older schema version still goes through its
upcasters (`events.current_data`), and types the projection does not use are skipped unread.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.dialects.postgresql import insert

from services.reporting.adapters import live, tables
from services.reporting.domain.projection import RELEVANT, Entry, fold, per_entry
from shared.events import current_data, lookup
from shared.eventstore import consumer_checkpoint

log = logging.getLogger("kechuang.reporting.rebuild")

# One event of a log page (`log_page`): [position, type, schema_version, occurred_at, data].
Item = Sequence[Any]
# fetch(source, after_position, limit) -> the page's items in position order (`log_page`)
Fetch = Callable[[str, int, int], list[Item]]
CONSUMER = "reporting"
SOURCES = ("intake", "media", "screening")
# Only one rebuild at a time per database (any constant unique to this purpose).
_REBUILD_LOCK = 0x72707431


@dataclass(frozen=True)
class Result:
    generation: int
    events: int
    entries: int
    seconds: float
    positions: dict[str, int]


Change = tuple[str, dict[str, Any], datetime, str | None]  # ..., the person (填报人)


def decode(item: Item) -> Change | None:
    """(type, data, occurred_at) of a stored event, or None when the projection ignores it."""
    _, type_, version, at, data = item[:5]
    if type_ not in RELEVANT:
        return None
    event_type = lookup(type_)
    if version != event_type.schema_version:
        data = current_data(event_type, data, version)  # an older shape: the one upcast
    # The 6th item: the actor when a person acted (`read_log_page`), for 填报人.
    return (
        type_,
        data,
        datetime.fromisoformat(at),
        live.person_of(item[5] if len(item) > 5 else None),
    )


def _pages(
    fetch: Fetch, source: str, after: int, page: int, pool: Executor, window: int
) -> Iterator[list[Item]]:
    """The source's log after `after`, page by page, in order, with `window` pages asked at
    once. Positions are gap-free, so the k-th page ahead is the `page` events after
    `after + k * page` and can be asked before the pages before it arrive. The first answer
    is asked at once (the call does not wait for the caller's first `next`). A page shorter
    than asked (the log's head, or an owner serving fewer per call) leaves the pages asked
    beyond it unused and starts again from where it ended; the first empty answer ends."""
    position = after
    ahead = after  # where the next page to ask starts

    def ask() -> deque[Future[list[Item]]]:
        nonlocal ahead
        ahead = position + window * page
        return deque(pool.submit(fetch, source, position + k * page, page) for k in range(window))

    asked = ask()

    def read() -> Iterator[list[Item]]:
        nonlocal position, ahead, asked
        try:
            while asked:
                raw = asked.popleft().result()
                if not raw:
                    return
                yield raw
                position = raw[-1][0]
                if len(raw) < page:
                    for future in asked:
                        future.cancel()
                    asked = ask()
                else:
                    asked.append(pool.submit(fetch, source, ahead, page))
                    ahead += page
        finally:
            for future in asked:
                future.cancel()

    return read()


def fold_log(
    fetch: Fetch,
    sources: Sequence[str],
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
    window: int = 4,
) -> tuple[dict[str, Entry], dict[str, int], int]:
    """Every source's whole log folded in memory: (entries by id, positions reached, events).
    `fetch` is called from several threads at once (`window` pages ahead per source, every
    source from the start), so it must be safe to call concurrently."""
    state: dict[str, Entry] = {}
    positions = {}
    count = 0
    pool = ThreadPoolExecutor(window * len(sources), thread_name_prefix="fetch")
    try:
        logs = {source: _pages(fetch, source, 0, batch, pool, window) for source in sources}
        for source, pages in logs.items():
            position = 0
            for raw in pages:
                for item in raw:
                    if item[0] != position + 1:
                        raise RuntimeError(f"{source}: log jumps from {position} to {item[0]}")
                    position = item[0]
                    change = decode(item)
                    if change is not None:
                        type_, whole, at, person = change
                        for one, data in per_entry(type_, whole):
                            key = data["submission_id"]
                            entry = fold(state.get(key), one, data, at, person)
                            if entry is not None:
                                state[key] = entry
                count += len(raw)
                if progress is not None:
                    progress(len(raw))
            positions[source] = position
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure: ask no more pages
    return state, positions, count


def _copy_rows(conn: Connection, gen: int, entries: dict[str, Entry]) -> None:
    columns = ", ".join(tables.ENTRY_COLUMNS)
    raw = conn.connection.driver_connection
    assert raw is not None
    statement = f"COPY report_entries_g{gen} ({columns}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
        for entry in entries.values():
            row = live.to_row(entry)
            row["materials"] = Jsonb(row["materials"])
            row["batch_materials"] = Jsonb(list(row["batch_materials"]))
            copy.write_row([row[c] for c in tables.ENTRY_COLUMNS])
    conn.execute(
        text(
            f"INSERT INTO report_counts_g{gen} (district, category, state, n) "
            f"SELECT district, category, state, count(*) FROM report_entries_g{gen} "
            "WHERE known GROUP BY district, category, state"
        )
    )


def _lock_checkpoints(conn: Connection, sources: Sequence[str]) -> dict[str, int]:
    found = {}
    for source in sorted(sources):  # always the same order: no deadlock with another locker
        conn.execute(
            insert(consumer_checkpoint)
            .values(consumer=CONSUMER, source=source, position=0)
            .on_conflict_do_nothing()
        )
        found[source] = conn.execute(
            select(consumer_checkpoint.c.position)
            .where(consumer_checkpoint.c.consumer == CONSUMER)
            .where(consumer_checkpoint.c.source == source)
            .with_for_update()
        ).scalar_one()
    return found


def rebuild(
    engine: Engine,
    fetch: Fetch,
    sources: Sequence[str] = SOURCES,
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
    before_switch: Callable[[int], None] | None = None,
    window: int = 4,
) -> Result:
    """Build the next generation from the owners' logs and switch to it (see the module doc).
    `before_switch(generation)` runs when the new tables are complete, before the switch."""
    started = time.perf_counter()
    with engine.connect() as guard:
        guard.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _REBUILD_LOCK})
        try:
            with engine.begin() as conn:
                old = tables.current(conn)
                gen = old + 1
                tables.drop_generation(conn, gen)  # leftovers of a rebuild that failed
                tables.create_generation(conn, gen, with_indexes=False)
            state, positions, count = fold_log(fetch, sources, batch, progress, window)
            with engine.begin() as conn:
                _copy_rows(conn, gen, state)
                tables.create_indexes(conn, gen)
            with engine.connect() as conn:
                conn.execute(text(f"ANALYZE report_entries_g{gen}"))
                conn.commit()
            if before_switch is not None:
                before_switch(gen)
            count += _switch(engine, fetch, sources, gen, positions, batch, progress)
            with engine.begin() as conn:
                tables.drop_generation(conn, old)
        finally:
            guard.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _REBUILD_LOCK})
            guard.commit()
    seconds = time.perf_counter() - started
    log.info("rebuilt generation %s from %s events in %.1f s", gen, count, seconds)
    return Result(gen, count, len(state), seconds, positions)


def _switch(
    engine: Engine,
    fetch: Fetch,
    sources: Sequence[str],
    gen: int,
    positions: dict[str, int],
    batch: int,
    progress: Callable[[int], None] | None,
) -> int:
    """The last stretch and the switch, in one transaction (steps 1-4 of the module doc)."""
    count = 0
    with engine.begin() as conn:
        _lock_checkpoints(conn, sources)
        for source in sources:
            while raw := fetch(source, positions[source], batch):
                for item in raw:
                    change = decode(item)
                    if change is not None:
                        live.apply_change(conn, gen, *change)
                    positions[source] = item[0]
                count += len(raw)
                if progress is not None:
                    progress(len(raw))
            conn.execute(
                update(consumer_checkpoint)
                .where(consumer_checkpoint.c.consumer == CONSUMER)
                .where(consumer_checkpoint.c.source == source)
                .values(position=positions[source])
            )
        tables.current(conn, lock=True)
        conn.execute(
            update(tables.generation)
            .where(tables.generation.c.id == 1)
            .values(generation=gen, switched_at=text("now()"))
        )
    return count
