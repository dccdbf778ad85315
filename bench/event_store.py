"""Appends per second through the event store, against raw single-row INSERT + COMMIT.

Run by `make bench` (not by the tests). Every figure comes from the same run, on a throw-away
database of the local PostgreSQL, with each writer in its own process (as services scale: more
processes), one event per transaction:
- raw INSERT+COMMIT: psycopg, one event row into a table shaped like `events` (same columns
  and indexes), no checks at all: the baseline;
- counter-row: the same INSERT plus the position design we did not pick (every append locks
  one counter row until it commits), to show why shared/eventstore.py uses a sequencer;
- store append: `EventStore.append` with its expected-version check, through SQLAlchemy;
- + sequencing: the store's appends until every event has its position (what readers wait for).
"""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared import config, migrations
from shared.eventstore import EventStore
from tests.events_for_tests import thing

PER_WRITER = {1: 3000, 8: 600}

INSERT_ROW = (
    "INSERT INTO {table} (position, event_id, stream_id, stream_type, version, type,"
    " schema_version, occurred_at, actor, correlation_id, causation_id, data)"
    " VALUES (%s, %s, %s, 'thing', %s, 'ThingHappened', 2, now(), %s, %s, NULL, %s)"
)
ACTOR = json.dumps({"role": "system", "subject": "bench", "district": None})
DATA = json.dumps({"n": 1, "label": "#1"})


def plain_writer(url: str, table: str, counted: bool, count: int) -> Callable[[], None]:
    conn = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    stream = f"thing-{uuid.uuid4().hex[:8]}"

    def run() -> None:
        for i in range(count):
            event_id = uuid.uuid4()
            with conn.transaction():
                position = None
                if counted:
                    row = conn.execute("UPDATE counter SET n = n + 1 RETURNING n").fetchone()
                    position = row[0] if row else None
                conn.execute(
                    INSERT_ROW.format(table=table),  # type: ignore[arg-type]
                    (position, event_id, stream, i + 1, ACTOR, event_id, DATA),
                )

    return run


def store_writer(url: str, count: int) -> Callable[[], None]:
    engine = create_engine(url, pool_size=1)
    store = EventStore(engine)
    stream = f"thing-{uuid.uuid4().hex[:8]}"
    # Events are made (and validated) before the clock starts: that is the command's work.
    made = [thing(i, stream) for i in range(count)]

    def run() -> None:
        for i, event in enumerate(made):
            with engine.begin() as conn:
                store.append(conn, stream, [event], expected_version=i)

    return run


def _process(kind: str, url: str, count: int, ready, go) -> None:  # type: ignore[no-untyped-def]
    if kind == "store":
        run = store_writer(url, count)
    else:
        run = plain_writer(url, f"{kind}_events", kind == "counted", count)
    ready.release()
    go.wait()
    run()


def appends_per_second(kind: str, url: str, writers: int, per_writer: int) -> float:
    ready, go = multiprocessing.Semaphore(0), multiprocessing.Event()
    processes = [
        multiprocessing.Process(target=_process, args=(kind, url, per_writer, ready, go))
        for _ in range(writers)
    ]
    for p in processes:
        p.start()
    for _ in processes:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for p in processes:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a {kind} writer failed")
    return writers * per_writer / (time.perf_counter() - start)


def main() -> None:
    admin_url = config.load().db_url("test")
    name = f"kechuang_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    engine = create_engine(url)
    store = EventStore(engine)
    with engine.begin() as conn:
        for table in ("raw_events", "counted_events"):
            conn.execute(text(f"CREATE TABLE {table} (LIKE events INCLUDING ALL)"))
        conn.execute(text("CREATE TABLE counter (n bigint NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))

    print("appends/s, one event per transaction, each writer a process")
    print(
        f"{'writers':>7} {'raw INSERT+COMMIT':>18} {'counter-row':>12} {'store append':>13}"
        f" {'+ sequencing':>13} {'store/raw':>10}"
    )
    try:
        for writers, per_writer in PER_WRITER.items():
            raw = appends_per_second("raw", url, writers, per_writer)
            counted = appends_per_second("counted", url, writers, per_writer)
            start = time.perf_counter()
            appended = appends_per_second("store", url, writers, per_writer)
            while store.sequence():
                pass
            sequenced = writers * per_writer / (time.perf_counter() - start)
            print(
                f"{writers:>7} {raw:>16.0f}/s {counted:>10.0f}/s {appended:>11.0f}/s"
                f" {sequenced:>11.0f}/s {appended / raw:>10.2f}"
            )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
