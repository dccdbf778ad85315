"""The event store's guarantees, on a real PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import eventlet
import pytest
from sqlalchemy import text

from shared.eventstore import EventStore, VersionConflict
from tests.events_for_tests import thing


def append_one(store: EventStore, stream_id: str, n: int, expected: int | None):  # type: ignore[no-untyped-def]
    with store.engine.begin() as conn:
        return store.append(conn, stream_id, [thing(n, stream_id)], expected)


def test_append_at_a_stale_expected_version_is_a_conflict(store: EventStore) -> None:
    append_one(store, "thing-a", 1, expected=0)
    append_one(store, "thing-a", 2, expected=1)
    with pytest.raises(VersionConflict) as conflict:
        append_one(store, "thing-a", 3, expected=1)
    assert conflict.value.current == 2
    assert [e.data["n"] for e in store.read_stream("thing-a")] == [1, 2]


def test_concurrent_appends_at_the_same_version_let_exactly_one_win(store: EventStore) -> None:
    append_one(store, "thing-a", 0, expected=0)
    outcomes: list[str] = []

    def writer(n: int) -> None:
        try:
            append_one(store, "thing-a", n, expected=1)
            outcomes.append("ok")
        except VersionConflict:
            outcomes.append("conflict")

    pool = eventlet.GreenPool(20)
    for n in range(20):
        pool.spawn(writer, n)
    pool.waitall()
    assert sorted(outcomes) == ["conflict"] * 19 + ["ok"]
    assert [e.version for e in store.read_stream("thing-a")] == [1, 2]


def test_appending_the_same_event_ids_again_writes_nothing(store: EventStore) -> None:
    events = [thing(1, "thing-a"), thing(2, "thing-a")]
    with store.engine.begin() as conn:
        first = store.append(conn, "thing-a", events, expected_version=0)
    with store.engine.begin() as conn:
        again = store.append(conn, "thing-a", events, expected_version=0)
    assert [e.event_id for e in again] == [e.event_id for e in first]
    assert len(store.read_stream("thing-a")) == 2


def test_a_racing_writer_makes_the_whole_append_fail_and_nothing_half_written_stays(
    store: EventStore,
) -> None:
    append_one(store, "thing-a", 1, expected=0)
    mine = [thing(2, "thing-a"), thing(3, "thing-a")]
    with pytest.raises(VersionConflict), store.engine.begin() as conn:
        conn.execute(text("SELECT 1"))  # our transaction is open...
        with store.engine.begin() as other:  # ...when another writer takes version 2
            store.append(other, "thing-a", [thing(20, "thing-a")], expected_version=1)
        store.append(conn, "thing-a", mine, expected_version=1)
    assert [e.data["n"] for e in store.read_stream("thing-a")] == [1, 20]


def test_a_reader_never_skips_an_event_that_commits_late(store: EventStore) -> None:
    slow = store.engine.connect()
    slow_tx = slow.begin()
    store.append(slow, "thing-slow", [thing(1, "thing-slow")], expected_version=0)
    append_one(store, "thing-fast", 2, expected=0)  # inserted later, committed first

    seen = store.read_log(after=0)
    assert [(e.position, e.stream_id) for e in seen] == [(1, "thing-fast")]

    slow_tx.commit()
    slow.close()
    later = store.read_log(after=seen[-1].position or 0)
    assert [(e.position, e.stream_id) for e in later] == [(2, "thing-slow")]


def test_eight_writers_and_a_tailing_reader_see_every_event_once_in_order(
    store: EventStore,
) -> None:
    writers, per_writer = 8, 500
    appended: list[uuid.UUID] = []
    seen: list[tuple[int, uuid.UUID]] = []
    done = threading.Event()

    def writer(w: int) -> None:
        for n in range(per_writer):
            event = append_one(store, f"thing-{w}", n, expected=n)[0]
            appended.append(event.event_id)

    def reader() -> None:
        position = 0
        while True:
            finished = done.is_set()
            for event in store.read_log(after=position, limit=300):
                seen.append((event.position or 0, event.event_id))
                position = event.position or 0
            if finished and position == len(appended):
                return
            eventlet.sleep(0.005)

    tail = eventlet.spawn(reader)
    pool = eventlet.GreenPool(writers)
    for w in range(writers):
        pool.spawn(writer, w)
    pool.waitall()
    done.set()
    tail.wait()

    positions = [p for p, _ in seen]
    assert positions == list(range(1, writers * per_writer + 1))  # in order, no gap, no repeat
    assert sorted(e for _, e in seen) == sorted(appended)  # every event exactly once
