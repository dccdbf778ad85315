"""A consumer whose broker restarts while it applies an event keeps running. It stops
RabbitMQ's application for everyone on this machine, so it lives with the fault tests."""

from __future__ import annotations

import time

from nameko.containers import ServiceContainer
from sqlalchemy import Connection as DbConnection

from shared.events import Event
from shared.eventstore import EventStore
from tests.faults.test_relay_across_a_broker_restart import rabbitmqctl
from tests.integration.helpers import append_things, message_count, wait_until
from tests.integration.test_consumer import (
    PromptProjector,
    ThingOwner,
    applied,
    applied_in_order,
    attempted,
    publish,
    record,
)

slow: dict[int, float] = {}  # position -> seconds its application takes


def record_slowly(conn: DbConnection, event: Event) -> None:
    time.sleep(slow.get(event.position or 0, 0))
    record(conn, event)


class SlowProjector(PromptProjector):
    apply = staticmethod(record_slowly)


def test_a_broker_restart_while_an_event_is_applied_leaves_the_consumer_running(
    store: EventStore, broker, database_url: str, monkeypatch
) -> None:
    """The worker acknowledges its message after applying it, on a connection the restart
    closed. Here the broker's close reaches the client first and nameko skips the
    acknowledgement; when the socket is reset instead, the acknowledgement raises, which ended
    the whole service until `shared.entrypoints._settle` (tests/unit/test_settling_messages.py;
    CI saw reporting exit so). Either way the consumer keeps running, the broker gives the
    message again, and the checkpoint makes it change nothing."""
    monkeypatch.setenv("KECHUANG_DB_URL_THINGOWNER", database_url)
    monkeypatch.setenv("KECHUANG_DB_URL_THINGPROJECTOR", database_url)
    applied.create(store.engine)
    attempted.clear()
    queue = broker.declare_queue("thingprojector")
    config = {"AMQP_URI": broker.uri, "max_workers": 4, "serializer": "json"}
    owner, projector = ServiceContainer(ThingOwner, config), ServiceContainer(SlowProjector, config)
    owner.start()
    projector.start()
    try:
        append_things(store, 1)
        slow[1] = 8.0  # outlasts the restart: acknowledged on the old connection
        publish(broker, store.read_log_raw(after=0)[0], serializer="json")
        wait_until(lambda: 1 in attempted, message="being applied")
        rabbitmqctl("stop_app")
        try:
            time.sleep(2)
        finally:
            rabbitmqctl("start_app")
        wait_until(lambda: applied_in_order(store) == [1], message="the first applied")
        time.sleep(2)  # its acknowledgement has failed by now
        append_things(store, 1)
        publish(broker, store.read_log_raw(after=1)[0], serializer="json")
        wait_until(lambda: applied_in_order(store) == [1, 2], message="the consumer still runs")
        assert not projector._died.ready()  # nameko's "the container was killed"
        wait_until(lambda: message_count(broker, queue) == 0, message="the first redelivered")
        assert applied_in_order(store) == [1, 2]  # the redelivery changed nothing
    finally:
        slow.clear()
        projector.stop()
        owner.stop()
