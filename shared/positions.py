"""The figures of `/metrics` that live elsewhere, read just before a scrape, beside the health
checks that ask the same two parts (shared/health.py): each consumer queue's depth and
consumers (the broker), the service's log head, its relay's position and each consumer's
position per source (its database). Sets the gauges declared in shared/observability.py."""

from __future__ import annotations

import logging

from kombu import Connection
from sqlalchemy import Engine, func, select

from shared.eventstore import consumer_checkpoint, events, relay_checkpoint
from shared.observability import (
    CONSUMER_POSITION,
    LOG_HEAD,
    QUEUE_CONSUMERS,
    QUEUE_MESSAGES,
    RELAY_POSITION,
)

log = logging.getLogger("kechuang.metrics")


def refresh(service: str, engine: Engine, amqp_uri: str, queues: list[str], owns_log: bool) -> None:
    """Read the queues' and the tables' figures. A part that does not answer leaves its
    figures as they were."""
    try:
        with Connection(amqp_uri, connect_timeout=2) as connection:
            channel = connection.channel()
            for queue in queues:
                _, messages, consumers = channel.queue_declare(queue=queue, passive=True)
                QUEUE_MESSAGES.labels(service, queue).set(messages)
                QUEUE_CONSUMERS.labels(service, queue).set(consumers)
    except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the broker does not
        log.warning("metrics: queue figures unavailable (%s)", type(exc).__name__)
    try:
        with engine.connect() as conn:
            for consumer, source, position in conn.execute(select(consumer_checkpoint)):
                CONSUMER_POSITION.labels(service, consumer, source).set(position)
            if owns_log:
                LOG_HEAD.labels(service).set(
                    conn.execute(select(func.max(events.c.position))).scalar() or 0
                )
                relayed = conn.execute(select(func.max(relay_checkpoint.c.position))).scalar()
                RELAY_POSITION.labels(service).set(relayed or 0)
    except Exception as exc:  # noqa: BLE001
        log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
