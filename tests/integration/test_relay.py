"""The outbox relay's guarantee: every stored event is published at least once."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from shared.eventstore import EventStore
from shared.relay import _RELAY_LOCK, Relay, Unroutable
from tests.integration.helpers import (
    append_things,
    drain,
    message_count,
    relay_process,
    wait_until,
)


def relay_checkpoint(store: EventStore) -> int:
    return Relay(store, "", "", "", name="intake-relay").checkpoint()


def test_relay_killed_mid_batch_then_restarted_publishes_every_event(
    store: EventStore, broker, database_url: str, tmp_path: Path
) -> None:
    queue = broker.declare_queue("relay-kill")
    appended = append_things(store, 3000)

    with relay_process(broker, database_url, tmp_path / "relay.log", batch=500) as relay:
        wait_until(lambda: message_count(broker, queue) >= 700, message="700 published")
        relay.send_signal(signal.SIGKILL)
        relay.wait()
    published_before_kill = message_count(broker, queue)
    assert relay_checkpoint(store) < 3000 and published_before_kill < 3000, "killed too late"

    with relay_process(broker, database_url, tmp_path / "relay.log", batch=500):
        wait_until(lambda: relay_checkpoint(store) == 3000, message="relay caught up")
    received = [body["event_id"] for body in drain(broker, queue)]
    assert set(received) == {str(e) for e in appended}  # at least once: nothing missing


def test_a_committed_event_wakes_the_relay_at_once_without_polling(
    store: EventStore, broker, database_url: str, tmp_path: Path
) -> None:
    """The log's trigger notifies the relay at commit: with its fallback poll a minute apart,
    each event is still published within a second of being appended."""
    queue = broker.declare_queue("relay-wake")
    with relay_process(broker, database_url, tmp_path / "relay.log", idle=60):
        wait_until(lambda: "active from position" in (tmp_path / "relay.log").read_text(),
                   message="the relay holds its lock")  # fmt: skip
        time.sleep(0.5)  # the relay has read the empty log and waits
        for n in range(1, 6):
            append_things(store, 1)
            appended = time.monotonic()
            wait_until(lambda n=n: message_count(broker, queue) >= n, timeout=5,
                       message=f"event {n} published")  # fmt: skip
            assert time.monotonic() - appended < 1.0, f"event {n} waited for the poll"
            time.sleep(0.3)


def test_an_event_no_queue_would_take_is_not_marked_sent(store: EventStore, broker) -> None:
    relay = Relay(store, broker.uri, broker.exchange, broker.dead_letter_exchange, name="r")
    append_things(store, 1)
    connection = relay.connect()  # declares the standard queues; none reads `thing` events
    try:
        with pytest.raises(Unroutable):
            relay.publish_pending(connection)
        assert relay.checkpoint() == 0  # returned by the broker (mandatory): kept for later
        queue = broker.declare_queue("late-reader")
        assert relay.publish_pending(relay.connect()) == 1
        assert relay.checkpoint() == 1
        assert len(drain(broker, queue)) == 1
    finally:
        connection.release()


def test_a_relay_that_loses_its_lock_stops_publishing_while_the_standby_takes_over(
    store: EventStore, broker, database_url: str, tmp_path: Path
) -> None:
    """Single active relay: the lock is a database session's. When that session is cut (as
    in a database failover) the lock is free for the standby, so the first must stop and queue
    for the lock again; if it went on, both would publish every new event. Which of the two
    takes the free lock is a race, and either is right: exactly one may be active."""
    from sqlalchemy import create_engine, text

    queue = broker.declare_queue("relay-lock-lost")
    first_log, standby_log = tmp_path / "first.log", tmp_path / "standby.log"
    admin = create_engine(database_url)

    def lock_holders() -> list[int]:  # the relay lock's two-key form; the sequencer's has one
        with admin.connect() as conn:
            return list(conn.execute(text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND objsubid = 2 AND classid = :k"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ), {"k": _RELAY_LOCK}).scalars())  # fmt: skip

    def times_active() -> int:  # "relay intake active from position N", once per lock taken
        logs = (first_log, standby_log)
        return sum(log.read_text().count(" active from position") for log in logs if log.exists())

    with relay_process(broker, database_url, first_log):
        wait_until(lambda: times_active() == 1, message="first relay active")
        with relay_process(broker, database_url, standby_log):
            time.sleep(1.5)  # the standby is waiting for the lock
            assert times_active() == 1
            [holder] = lock_holders()
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
            wait_until(lambda: "lost its lock" in first_log.read_text(), message="first stopped")
            wait_until(lambda: times_active() == 2, message="one relay active again")
            [new_holder] = lock_holders()
            assert new_holder != holder

            appended = append_things(store, 300, per_stream=10)
            wait_until(lambda: relay_checkpoint(store) >= 300, message="published")
            time.sleep(1.0)  # what a second active relay would have sent arrives by now
    received = [body["event_id"] for body in drain(broker, queue)]
    assert sorted(received) == sorted(str(e) for e in appended)  # once each: one relay sent
    admin.dispose()
