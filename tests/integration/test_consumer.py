"""The idempotent consumer, catch-up and dead-lettering, in real nameko containers on a real
RabbitMQ and PostgreSQL. `thingowner` owns a log of `thing` events and serves it over RPC;
`thingprojector` consumes them and records each application in `applied`."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests
from kombu import Connection, Producer
from nameko.containers import ServiceContainer
from nameko.timer import timer
from psycopg.errors import DeadlockDetected
from sqlalchemy import (
    BigInteger,
    Column,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    select,
    text,
)
from sqlalchemy import Connection as DbConnection
from sqlalchemy.exc import OperationalError

from shared.consumer import Apply, Many, Outcome, Subscription
from shared.dependencies import Store, Subscriber
from shared.entrypoints import ServesEventLog, consume_events
from shared.events import Event, envelope
from shared.eventstore import EventStore
from tests.integration.helpers import append_things, message_count, wait_until

applied = Table(
    "applied",
    MetaData(),
    Column("n", Integer, Identity(), primary_key=True),  # the order of application
    Column("event_id", String, nullable=False),  # deliberately not unique: we count repeats
    Column("position", Integer, nullable=False),
    Column("tx", BigInteger, server_default=text("txid_current()"), nullable=False),
)

# Positions whose application fails (a poison event, a database that goes away mid-batch),
# and the positions each attempt reached: the containers run in this process.
failing: set[int] = set()
deadlocking: set[int] = set()  # fail once each, as PostgreSQL's deadlock victim would
attempted: list[int] = []


def record(conn: DbConnection, event: Event) -> None:
    attempted.append(event.position or 0)
    if event.position in failing:
        raise RuntimeError(f"applying position {event.position} fails")
    if event.position in deadlocking:
        deadlocking.discard(event.position)
        raise OperationalError("UPDATE …", {}, DeadlockDetected("deadlock detected"))
    conn.execute(applied.insert().values(event_id=str(event.event_id), position=event.position))


class ThingOwner(ServesEventLog):
    name = "thingowner"
    event_store = Store("thingowner")


class ThingProjector:
    name = "thingprojector"
    subscription = Subscriber("thingprojector", "thingprojector", {"thing": "thingowner"})

    @consume_events("thingprojector", ["thing"])
    def on_thing(self, event: Event) -> None:
        self.subscription.handle(event, record)

    # Eager: catch up at start. The long interval keeps the timer out of the gap test.
    @timer(interval=3600, eager=True)
    def catch_up(self) -> None:
        self.subscription.catch_up_all(record)


def record_many(conn: DbConnection, events: list[Event]) -> None:
    for event in events:
        record(conn, event)


class PromptProjector:
    """The projector with no timer at all: no catch-up at start, none later. What it applies
    it applies because a message woke it (the normal path)."""

    name = "thingprojector"
    subscription = Subscriber("thingprojector", "thingprojector", {"thing": "thingowner"})
    apply: Apply | Many = staticmethod(record)

    @consume_events("thingprojector", ["thing"])
    def on_thing(self, event: Event) -> None:
        self.subscription.handle(event, self.apply)


class PromptBatchProjector(PromptProjector):
    """The same, handing each batch to its apply at once (reporting's `Many`)."""

    apply = Many(record_many)


# Every guarantee holds on both queue types: classic (one node) and quorum (a cluster's).
@pytest.fixture(params=["classic", "quorum"])
def containers(
    store: EventStore, broker, database_url: str, monkeypatch, request
) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KECHUANG_QUEUE_TYPE", request.param)
    monkeypatch.setenv("KECHUANG_DB_URL_THINGOWNER", database_url)
    monkeypatch.setenv("KECHUANG_DB_URL_THINGPROJECTOR", database_url)
    applied.create(store.engine)
    failing.clear()
    deadlocking.clear()
    attempted.clear()
    broker.declare_queue("thingprojector")  # so the broker fixture removes it afterwards
    config = {"AMQP_URI": broker.uri, "max_workers": 4, "serializer": "json"}
    started = {
        "owner": ServiceContainer(ThingOwner, config),
        "projector": ServiceContainer(ThingProjector, config),
    }
    for container in started.values():
        container.start()
    for queue in (broker.queues[0].name, f"{broker.queues[0].name}.dead"):
        assert queue_type(broker, queue) == request.param
    yield started
    for container in started.values():
        container.stop()


def applications(store: EventStore) -> list[tuple[str, int]]:
    with store.engine.connect() as conn:
        return [
            (r.event_id, r.position)
            for r in conn.execute(select(applied).order_by(applied.c.position))
        ]


def applied_in_order(store: EventStore) -> list[int]:
    """Positions in the order they were applied (committed transactions only)."""
    with store.engine.connect() as conn:
        return list(conn.execute(select(applied.c.position).order_by(applied.c.n)).scalars())


def transactions(store: EventStore) -> int:
    with store.engine.connect() as conn:
        return len(set(conn.execute(select(applied.c.tx)).scalars()))


def checkpoint(store: EventStore) -> int:
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT position FROM consumer_checkpoint WHERE consumer = 'thingprojector'")
        ).scalar()
    return found or 0


def publish(broker, raw: Any, routing_key: str = "thing.ThingHappened", **kwargs: Any) -> None:
    with Connection(broker.uri) as conn:
        Producer(conn.default_channel).publish(
            raw, exchange=broker.exchange, routing_key=routing_key, **kwargs
        )


def test_the_same_message_delivered_twice_is_applied_once(store, broker, containers) -> None:
    first, second = append_things(store, 2)
    raw = store.read_log_raw(after=0)
    publish(broker, raw[0], serializer="json")
    publish(broker, raw[0], serializer="json")  # a redelivery
    publish(broker, raw[1], serializer="json")
    wait_until(lambda: len(applications(store)) >= 2, message="both applied")
    wait_until(lambda: message_count(broker, broker.queues[0]) == 0, message="queue drained")
    assert applications(store) == [(str(first), 1), (str(second), 2)]


def test_a_consumer_stopped_while_500_events_are_appended_catches_up(
    store, broker, containers
) -> None:
    containers["projector"].stop()
    appended = append_things(store, 500)
    # Whatever was published while it was down is lost too: only catch-up can heal this.
    with Connection(broker.uri) as conn:
        broker.queues[0](conn.default_channel).purge()

    restarted = ServiceContainer(ThingProjector, containers["projector"].config)
    restarted.start()
    try:
        wait_until(lambda: len(applications(store)) >= 500, message="500 applied")
    finally:
        restarted.stop()
    assert applications(store) == [(str(e), n) for n, e in enumerate(appended, start=1)]


def test_an_event_after_a_gap_makes_the_consumer_catch_up_in_order(
    store, broker, containers
) -> None:
    appended = append_things(store, 3)
    third = store.read_log_raw(after=2)[0]
    publish(broker, third, serializer="json")  # 1 and 2 were lost on the way
    wait_until(lambda: len(applications(store)) >= 3, message="all three applied")
    assert applications(store) == [(str(e), n) for n, e in enumerate(appended, start=1)]


def test_a_malformed_message_is_dead_lettered_and_the_consumer_keeps_running(
    store, broker, containers, caplog
) -> None:
    caplog.set_level(logging.ERROR, logger="kechuang.consumer")
    publish(broker, b"{not json", content_type="application/json", content_encoding="utf-8")
    publish(broker, {"hello": "world"}, serializer="json")
    publish(broker, ["a", "list"], serializer="json")
    dead = broker.queues[0].name + ".dead"
    wait_until(lambda: dead_count(broker, dead) == 3, message="three dead-lettered")
    assert sum("dead-lettering" in r.getMessage() for r in caplog.records) == 3

    append_things(store, 1)
    publish(broker, store.read_log_raw(after=0)[0], serializer="json")
    wait_until(lambda: len(applications(store)) == 1, message="a valid event still applied")


def queue_type(broker, name: str) -> str:  # type: ignore[no-untyped-def]
    """The queue's type as RabbitMQ reports it (management API)."""
    amqp = urlsplit(broker.uri)
    auth = (unquote(amqp.username or ""), unquote(amqp.password or ""))
    vhost = quote(amqp.path.lstrip("/"), safe="")
    url = f"http://{amqp.hostname}:15672/api/queues/{vhost}/{quote(name, safe='')}"
    return requests.get(url, auth=auth, timeout=10).json()["type"]  # type: ignore[no-any-return]


def dead_count(broker, name: str) -> int:  # type: ignore[no-untyped-def]
    with Connection(broker.uri) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


def test_events_are_applied_promptly_with_no_timer_at_all(store, broker, containers) -> None:
    containers["projector"].stop()
    prompt = ServiceContainer(PromptProjector, containers["projector"].config)
    prompt.start()
    try:
        for n in range(1, 6):
            append_things(store, 1)
            publish(broker, store.read_log_raw(after=n - 1)[0], serializer="json")
            started = time.monotonic()
            wait_until(lambda n=n: len(applications(store)) == n, timeout=5, message=f"{n}")
            assert time.monotonic() - started < 1
    finally:
        prompt.stop()
    assert applied_in_order(store) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("kind", [PromptProjector, PromptBatchProjector])
def test_out_of_order_deliveries_to_several_workers_and_processes_apply_in_order(
    store, broker, containers, kind
) -> None:
    containers["projector"].stop()
    # Two processes of one consumer on the queue (each its own subscription state), four
    # workers each, and no timer: order and completeness come from the checkpoint alone.
    projectors = [ServiceContainer(kind, containers["projector"].config) for _ in "ab"]
    for projector in projectors:
        projector.start()
    try:
        # Events keep coming while earlier ones are applied; each round's messages arrive
        # shuffled, some a round late, some twice.
        rng = random.Random(14)
        appended: list[Any] = []
        late: list[dict[str, Any]] = []
        for _ in range(60):
            appended += append_things(store, 5)
            raw = store.read_log_raw(after=len(appended) - 5)
            now = [item for item in raw if rng.random() > 0.3] + late
            late = [item for item in raw if item not in now] + rng.sample(raw, 1)
            rng.shuffle(now)
            for item in now:
                publish(broker, item, serializer="json")
        for item in late:
            publish(broker, item, serializer="json")
        wait_until(lambda: len(applications(store)) >= 300, message="300 applied")
        wait_until(lambda: message_count(broker, broker.queues[0]) == 0, message="drained")
    finally:
        for projector in projectors:
            projector.stop()
    assert applied_in_order(store) == list(range(1, 301))
    assert applications(store) == [(str(e), n) for n, e in enumerate(appended, start=1)]
    assert checkpoint(store) == 300


def test_a_backlog_is_applied_in_batches_each_one_transaction_with_its_checkpoint(
    store, broker, containers
) -> None:
    containers["projector"].stop()
    append_things(store, 1200)
    with Connection(broker.uri) as conn:
        broker.queues[0](conn.default_channel).purge()
    restarted = ServiceContainer(ThingProjector, containers["projector"].config)
    restarted.start()
    try:
        wait_until(lambda: len(applications(store)) >= 1200, message="1200 applied")
    finally:
        restarted.stop()
    assert applied_in_order(store) == list(range(1, 1201))
    assert transactions(store) == 3  # pages of 500: 500 + 500 + 200


def test_a_failure_mid_batch_leaves_the_checkpoint_at_the_last_committed_batch(
    store, broker, containers
) -> None:
    append_things(store, 3)
    publish(broker, store.read_log_raw(after=2)[0], serializer="json")
    wait_until(lambda: checkpoint(store) == 3, message="the first batch committed")

    containers["projector"].stop()
    append_things(store, 7)  # positions 4..10; applying 8 fails
    failing.add(8)
    attempted.clear()
    with Connection(broker.uri) as conn:
        broker.queues[0](conn.default_channel).purge()
    restarted = ServiceContainer(ThingProjector, containers["projector"].config)
    restarted.start()
    try:
        wait_until(lambda: 8 in attempted, message="the batch 4..10 attempted")
        time.sleep(0.5)
        # Nothing of the failed batch is kept, not even 4..7 applied before the failure.
        assert checkpoint(store) == 3
        assert applied_in_order(store) == [1, 2, 3]

        failing.clear()  # the fault is gone: the next wake-up applies the rest, once
        publish(broker, store.read_log_raw(after=9)[0], serializer="json")
        wait_until(lambda: checkpoint(store) == 10, message="the rest applied")
    finally:
        restarted.stop()
    assert applied_in_order(store) == list(range(1, 11))


def test_a_batch_chosen_as_a_deadlock_victim_is_tried_again_at_once(
    store, broker, containers, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="kechuang.consumer")
    containers["projector"].stop()
    prompt = ServiceContainer(PromptProjector, containers["projector"].config)
    prompt.start()
    try:
        append_things(store, 5)
        deadlocking.add(4)
        raw = store.read_log_raw(after=0)
        for item in raw:
            publish(broker, item, serializer="json")
        wait_until(lambda: checkpoint(store) == 5, timeout=5, message="all five applied")
    finally:
        prompt.stop()
    assert applied_in_order(store) == [1, 2, 3, 4, 5]
    assert attempted.count(4) == 2
    assert any("trying again" in r.getMessage() for r in caplog.records)
    assert not any("requeued" in r.getMessage() for r in caplog.records)


def test_an_owner_slow_to_answer_holds_up_no_other_source(store: EventStore) -> None:
    """Every source's batches take the consumer's advisory lock; the page of an owner's log
    is read before it. Were it read inside, an owner that does not answer (down: an RPC that
    times out after seconds) would hold up the sources that answer at once: here the fast
    source's catch-up would wait on the lock until `lock_timeout` failed it."""
    applied.create(store.engine)
    attempted.clear()
    append_things(store, 3)
    asked = threading.Event()
    answer = threading.Event()

    def fetch(source: str, after: int, limit: int) -> list[dict[str, Any]]:
        if source == "slow":
            asked.set()
            answer.wait(15)  # the owner does not answer until the test is done
            return []
        return store.read_log_raw(after=after, limit=limit)

    engine = create_engine(store.engine.url, connect_args={"options": "-c lock_timeout=3000"})
    subscription = Subscription(engine, "twosources", {"thing": "fast", "other": "slow"}, fetch)
    slow = threading.Thread(target=subscription.catch_up, args=("slow", record))
    slow.start()
    try:
        assert asked.wait(10), "the slow owner was never asked"
        assert subscription.catch_up("fast", record) == 3
        assert slow.is_alive() and not answer.is_set()  # the slow owner still has not answered
    finally:
        answer.set()
        slow.join(20)
        engine.dispose()
    assert applied_in_order(store) == [1, 2, 3]


def test_an_event_delivered_while_the_log_is_read_is_applied_after_it(
    store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The page is read outside the transaction, so an event can be delivered (and handed to
    the drainer) while it is read: the page cannot contain it, and that is no sign of a reset
    log. It is applied right after the page; were it taken for a position the log does not
    reach, it would be dropped and wait for the timer's catch-up."""
    applied.create(store.engine)
    attempted.clear()
    append_things(store, 2)
    delivered: list[int] = []

    def fetch(source: str, after: int, limit: int) -> list[dict[str, Any]]:
        page = store.read_log_raw(after=after, limit=limit)
        if not delivered:  # the third event is appended and delivered during the first read
            append_things(store, 1)
            late = envelope.load(store.read_log_raw(after=2)[0])
            delivered.append(late.position or 0)
            assert subscription.handle(late, record) is Outcome.HANDED_OVER
        return page

    subscription = Subscription(store.engine, "lateness", {"thing": "owner"}, fetch)
    assert subscription.catch_up("owner", record) == 3
    assert delivered == [3] and applied_in_order(store) == [1, 2, 3]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_process_behind_the_other_reads_the_log_from_the_stored_checkpoint(
    store: EventStore,
) -> None:
    """Two processes of one consumer share its queue, so each sees gaps where the other took
    the messages, and reads the owner's log. Its page starts at the checkpoint as stored, not
    at what it last applied itself, and of a page only what follows the checkpoint is loaded:
    here the events the other process applied come back mangled, and loading them would fail
    the batch. (Loading whole pages was a third of intake's CPU at the deadline rush.)"""
    applied.create(store.engine)
    attempted.clear()
    append_things(store, 5)

    def read(source: str, after: int, limit: int) -> list[dict[str, Any]]:
        return store.read_log_raw(after=after, limit=limit)

    first = Subscription(store.engine, "twoprocesses", {"thing": "owner"}, read)
    assert first.catch_up("owner", record) == 5
    append_things(store, 2)
    asked: list[int] = []

    def fetch(source: str, after: int, limit: int) -> list[dict[str, Any]]:
        asked.append(after)
        page = store.read_log_raw(after=0, limit=limit)  # an owner that sends too much
        return [item if item["position"] > 5 else item | {"type": "Unknown"} for item in page]

    second = Subscription(store.engine, "twoprocesses", {"thing": "owner"}, fetch)
    seventh = envelope.load(store.read_log_raw(after=6)[0])
    assert second.handle(seventh, record) is Outcome.APPLIED
    assert asked == [5]
    assert applied_in_order(store) == [1, 2, 3, 4, 5, 6, 7]
