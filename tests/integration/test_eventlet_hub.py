"""psycopg 3 must not block the eventlet hub (stack notes: it only detects gevent)."""

import eventlet
from sqlalchemy import text

from shared.eventstore import EventStore


def test_database_calls_do_not_block_the_eventlet_hub(store: EventStore) -> None:
    ticks = 0
    querying = True

    def ticker() -> None:
        nonlocal ticks
        while querying:
            ticks += 1
            eventlet.sleep(0.01)

    tick = eventlet.spawn(ticker)
    eventlet.sleep(0)  # let the ticker start
    with store.engine.connect() as conn:
        before = ticks
        conn.execute(text("SELECT pg_sleep(0.5)"))
        during = ticks - before
    querying = False
    tick.wait()
    # A blocked hub would run the ticker not at all while the query waits (during == 0).
    assert during >= 10
