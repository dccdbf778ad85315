"""The RabbitMQ topology, declared up front by every publisher and consumer.

One durable topic exchange carries every event, routed by `<stream_type>.<EventType>`. Each
consumer has one durable queue bound to the stream types it reads, with a dead-letter exchange,
so a message it cannot use lands in `<queue>.dead` instead of vanishing. Declaring queues before
anything is published matters: the relay publishes with `mandatory`, and a message no queue
would take comes back to it rather than being dropped. The queues' type (classic or quorum) is
the deployment's `KECHUANG_QUEUE_TYPE`, so every declarer declares the same queue.
"""

from __future__ import annotations

from typing import Any

from kombu import Connection, Exchange, Queue

from shared import config


def _typed(queue_type: str) -> dict[str, Any]:
    """The type argument; none for classic, so queues made before the setting existed (without
    the argument) still match when declared again."""
    return {"x-queue-type": queue_type} if queue_type != "classic" else {}


def events_exchange(name: str) -> Exchange:
    return Exchange(name, type="topic", durable=True)


def dead_letter_exchange(name: str) -> Exchange:
    return Exchange(name, type="direct", durable=True)


def consumer_queue(consumer: str, reads: list[str], exchange: str, dead_letter: str) -> Queue:
    """The queue of one consumer, bound to what it `reads`: stream types (every event of the
    type) or single routing keys (`media.MaterialUploaded`)."""
    from kombu import binding

    name = f"kechuang.{consumer}"
    return Queue(
        name,
        bindings=[
            binding(events_exchange(exchange), routing_key=key if "." in key else f"{key}.*")
            for key in reads
        ],
        durable=True,
        queue_arguments={
            "x-dead-letter-exchange": dead_letter,
            "x-dead-letter-routing-key": name,
            **_typed(config.load().queue_type),
        },
    )


def _arguments(queue: Queue) -> dict[str, Any]:
    return getattr(queue, "queue_arguments", None) or {}  # set by kombu's attrs, untyped


def dead_letter_queue(queue: Queue, dead_letter: str) -> Queue:
    """Where `queue`'s rejected messages go; of the same type as `queue`."""
    return Queue(
        f"{queue.name}.dead",
        exchange=dead_letter_exchange(dead_letter),
        routing_key=queue.name,
        durable=True,
        queue_arguments=_typed(_arguments(queue).get("x-queue-type", "classic")),
    )


def declare(connection: Connection, queues: list[Queue], exchange: str, dead_letter: str) -> None:
    """Declare the exchanges, the queues, their bindings and their dead-letter queues."""
    channel = connection.default_channel
    events_exchange(exchange)(channel).declare()
    dead_letter_exchange(dead_letter)(channel).declare()
    for queue in queues:
        queue(channel).declare()
        dead_letter_queue(queue, dead_letter)(channel).declare()


# Who reads which stream types. The relay declares these queues before it publishes anything.
CONSUMERS: dict[str, list[str]] = {
    "intake": ["media", "screening"],
    # `call`: the late exceptions (ExtensionGranted) screening judges completeness by.
    # `duplicate`: matching's suspicions and staff's marks of entries handed in twice.
    # `batch`: the district's batches (BatchSent): the city selects only what they forwarded.
    "screening": ["submission", "media", "call", "duplicate", "batch"],
    # `call`: the extensions granted, which reporting's notices tell the offices of.
    # `batch`: the district's batches (BatchSent), for an entry "changed after its batch".
    "reporting": ["submission", "media", "screening", "call", "batch"],
    "matching": ["submission"],
    # Media's own workers share this queue: one verification per uploaded material.
    "media-verify": ["media.MaterialUploaded"],
}

# Which service's log holds each stream type (where catch-up reads it from).
STREAM_OWNERS: dict[str, str] = {
    "submission": "intake",
    "call": "intake",
    "batch": "intake",
    "media": "media",
    "screening": "screening",
    "account": "identity",
    "match": "matching",
    "duplicate": "matching",
    # Who read personal data (shared/catalog/access.py): reporting's log is the record itself;
    # no relay publishes it and no one consumes it.
    "access": "reporting",
}

# Stream types every service process reads on a queue of its own (exclusive, gone with the
# process: `shared.revocation_feed`), not on a durable consumer queue. The relay publishes
# them without `mandatory`: when no process listens, nothing is lost, since every process
# reads the owner's log when it starts.
BROADCAST = {"account"}

# Stream types an owner publishes that no consumer reads yet (staff's MatchDecided): published
# without `mandatory` too, so the relay never stalls on them; whoever reads them later catches
# up from the owner's log. A type is either read by a consumer queue or named here (a test
# holds every owned type to that).
UNREAD = {"match", "access"}

# Stream types kept in their owner's log only: no relay publishes them (reporting runs none).
LOG_ONLY = {"access"}


def relayed_owners() -> set[str]:
    """The services whose logs a relay publishes (one `relay-<service>` process each)."""
    return {owner for kind, owner in STREAM_OWNERS.items() if kind not in LOG_ONLY}


def mandatory(stream_type: str) -> bool:
    """Whether the relay publishes events of `stream_type` with `mandatory`: a durable queue
    must take them, so a message no queue would take comes back rather than vanishing."""
    return stream_type not in BROADCAST and stream_type not in UNREAD


def standard_queues(exchange: str, dead_letter: str) -> list[Queue]:
    return [
        consumer_queue(name, stream_types, exchange, dead_letter)
        for name, stream_types in CONSUMERS.items()
    ]
