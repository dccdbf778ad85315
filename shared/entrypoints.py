"""nameko entrypoints shared by the services: event consumption, the event-log RPC, health.

`consume_events` differs from nameko's `event_handler` where nameko can lose messages:
- the queue is declared up front with a dead-letter exchange (`shared.topology`);
- a message that cannot be decoded or is not a valid event envelope is rejected into the
  dead-letter queue, with the reason logged, and the consumer keeps running (nameko's own
  consumer would crash its consumer thread on a decode error);
- a handler that raises gets the message back once (a transient failure such as a database
  restart); a second failure dead-letters it. Either way catch-up re-reads the event from its
  owner's log, so nothing is skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from amqp.exceptions import AMQPError
from kombu.exceptions import OperationalError as BrokerUnreachable
from kombu.message import Message
from marshmallow import ValidationError
from nameko import rpc as nameko_rpc
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from nameko.web.handlers import HttpRequestHandler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine
from werkzeug import Request, Response

from shared import config, health, observability, positions, topology
from shared.errors import Refused
from shared.events import envelope
from shared.http import refusal

log = logging.getLogger("kechuang.consumer")


class HttpEntrypoint(HttpRequestHandler):
    """nameko's `@http`, except when no worker can run the request: a container being killed
    (it lost its broker connection; the supervisor starts it again) answers 503 unavailable
    in the documented shape, so the client retries, instead of nameko's plain-text 500."""

    def response_from_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ContainerBeingKilled):
            answer = refusal(Refused("unavailable", "服务正在重启，请稍后重试"))
            answer.headers["Retry-After"] = "1"
            return answer
        return super().response_from_exception(exc)  # type: ignore[no-any-return]


http = HttpEntrypoint.decorator

# What a message's connection lost to the broker raises when the message is settled or
# answered: the socket's error, py-amqp's, or kombu's after its retries.
_CONNECTION_LOST = (OSError, AMQPError, BrokerUnreachable)


class RpcEntrypoint(nameko_rpc.Rpc):
    """nameko's `@rpc`, except that a reply the broker cannot take (it restarted while the
    worker ran) is logged, not raised. Raised, it ended the whole container: the fault tests'
    RabbitMQ restart made intake and screening exit, their HTTP with them, until the
    supervisor started them again. The request stays unacknowledged on the lost connection, so
    the broker gives it again; the caller waits with a timeout and asks again anyway. Every RPC
    here reads (the log, digests, an owner), so answering one twice is harmless."""

    def handle_result(self, message, worker_ctx, result, exc_info):  # type: ignore[no-untyped-def]
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except _CONNECTION_LOST as exc:
            log.warning(
                "could not answer %s (%r); the caller asks again",
                worker_ctx.entrypoint.method_name,
                exc,
            )
            return result, exc_info


rpc = RpcEntrypoint.decorator


class DeadLetteringQueueConsumer(QueueConsumer):
    def get_consumers(self, consumer_cls, channel):  # type: ignore[no-untyped-def]
        consumers = super().get_consumers(consumer_cls, channel)
        for consumer in consumers:
            consumer.on_decode_error = self._reject_undecodable
        return consumers

    def _reject_undecodable(self, message: Message, exc: Exception) -> None:
        log.error(
            "dead-lettering undecodable message %s: %s",
            message.delivery_info.get("routing_key"),
            exc,
        )
        message.reject(requeue=False)


def _settle(message: Message, what: str, settle: Callable[[Message], None]) -> None:
    """Acknowledges, requeues or rejects `message`, which may fail: the broker dropped the
    connection it came on (a restart, a network cut) while the handler ran. nameko catches
    py-amqp's error for that but not the socket's (`ConnectionResetError`), and an error out
    of a worker kills the whole container: CI saw reporting exit so when RabbitMQ restarted.
    Nothing is lost by going on: the broker gives an unsettled message again, and the
    checkpoint makes a redelivered event change nothing."""
    try:
        settle(message)
    except _CONNECTION_LOST as exc:
        log.warning(
            "could not %s message %s (%r); the broker delivers it again",
            what,
            message.delivery_info.get("routing_key"),
            exc,
        )


class EventConsumer(Consumer):
    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, consumer: str, stream_types: list[str] | None = None, **kwargs: Any):
        self.consumer = consumer
        self.stream_types = stream_types or topology.CONSUMERS[consumer]
        super().__init__(queue=None, **kwargs)

    def setup(self) -> None:
        settings = config.load()
        self.queue = topology.consumer_queue(
            self.consumer, self.stream_types, settings.exchange, settings.dead_letter_exchange
        )
        # Declaring the dead-letter queue here too means a consumer never starts without one.
        from kombu import Connection

        with Connection(self.container.config["AMQP_URI"]) as connection:
            topology.declare(
                connection, [self.queue], settings.exchange, settings.dead_letter_exchange
            )
        super().setup()

    def handle_message(self, body: Any, message: Message) -> None:
        try:
            if not isinstance(body, dict):
                raise ValidationError("the message body is not a JSON object")
            event = envelope.load(body)
            if event.position is None:
                raise ValidationError({"position": ["missing"]})
        except ValidationError as exc:
            log.error(
                "dead-lettering invalid event %s: %s",
                message.delivery_info.get("routing_key"),
                exc.messages,
            )
            message.reject(requeue=False)
            return
        handle_result = partial(self.handle_result, message)
        self.container.spawn_worker(self, (event,), {}, handle_result=handle_result)

    def handle_message_processed(self, message: Message, result=None, exc_info=None):  # type: ignore[no-untyped-def]
        if exc_info is None:
            _settle(message, "acknowledge", self.queue_consumer.ack_message)
        elif not message.delivery_info.get("redelivered"):
            log.warning("handler failed (%s); the message is requeued once", exc_info[1])
            _settle(message, "requeue", self.queue_consumer.requeue_message)
        else:
            log.error("handler failed again (%s); dead-lettering", exc_info[1])
            _settle(message, "dead-letter", lambda m: m.reject(requeue=False))


consume_events = EventConsumer.decorator

MAX_EVENTS_PER_CALL = 1000
# `log_page` serves bulk readers: bigger pages mean fewer round trips (see bench/reporting.py).
MAX_EVENTS_PER_PAGE = 5000


class Observed(DependencyProvider):
    """Gives a worker handling an event the event's correlation id (for its log lines and for
    the events it appends) and counts what each consumer handled. HTTP requests get theirs in
    `shared.http.endpoint`."""

    def worker_setup(self, worker_ctx: Any) -> None:
        if isinstance(worker_ctx.entrypoint, EventConsumer):
            worker_ctx.data["kechuang.started"] = time.perf_counter()
            observability.correlation.set(worker_ctx.args[0].correlation_id)

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        entrypoint = worker_ctx.entrypoint
        if isinstance(entrypoint, EventConsumer):
            seconds = time.perf_counter() - worker_ctx.data["kechuang.started"]
            event = worker_ctx.args[0]
            observability.observe_event(self.container.service_name, entrypoint.consumer,
                                        event, exc_info is not None, seconds)  # fmt: skip
            log.info("%s handled %s %s at %s", entrypoint.consumer, event.type, event.stream_id,
                     event.position, extra={"failed": exc_info is not None,
                                            "duration_ms": round(seconds * 1000, 1)})  # fmt: skip

    def worker_teardown(self, worker_ctx: Any) -> None:
        observability.correlation.set(None)


class ServesHealth:
    """Mixin: `GET /healthz`, 200 when the service's database and the broker answer;
    `GET /metrics` for Prometheus (not routed by the front door: scraped on the service's own
    port)."""

    name: str
    observed = Observed()
    owns_log = False

    def health_engine(self) -> Engine:
        raise NotImplementedError

    @http("GET", "/healthz")
    def healthz(self, request: Request) -> tuple[int, dict[str, str], str]:
        return health.check(self.health_engine(), config.load().amqp_uri, self.name)

    @http("GET", "/metrics")
    def metrics(self, request: Request) -> tuple[int, dict[str, str], str]:
        queues = [f"kechuang.{c}" for c in topology.CONSUMERS
                  if c == self.name or c.startswith(f"{self.name}-")]  # fmt: skip
        positions.refresh(self.name, self.health_engine(), config.load().amqp_uri,
                          queues, self.owns_log)  # fmt: skip
        return 200, {"Content-Type": CONTENT_TYPE_LATEST}, generate_latest().decode()


class ServesEventLog(ServesHealth):
    """Mixin for an owning service: serves its log by position for consumers' catch-up, and
    its health. The class must have an `event_store` dependency (`shared.dependencies.Store`)."""

    event_store: Any
    owns_log = True

    def health_engine(self) -> Engine:
        return self.event_store.engine  # type: ignore[no-any-return]

    @rpc
    def events_since(self, position: int, limit: int = 500) -> list[dict[str, Any]]:
        if not isinstance(position, int) or not isinstance(limit, int) or position < 0:
            raise ValueError("position and limit must be non-negative integers")
        limit = max(1, min(limit, MAX_EVENTS_PER_CALL))
        return self.event_store.read_log_raw(after=position, limit=limit)  # type: ignore[no-any-return]

    @rpc
    def log_page(self, position: int, limit: int = MAX_EVENTS_PER_PAGE) -> str:
        """Up to `MAX_EVENTS_PER_PAGE` events after `position` for a reader folding the whole
        log, as one JSON text (`EventStore.read_log_page`): for a projection's rebuild, where
        decoding and encoding every envelope in the owner and the reply's nested objects in
        the reader cost more than reading the rows."""
        if not isinstance(position, int) or not isinstance(limit, int) or position < 0:
            raise ValueError("position and limit must be non-negative integers")
        limit = max(1, min(limit, MAX_EVENTS_PER_PAGE))
        return self.event_store.read_log_page(after=position, limit=limit)  # type: ignore[no-any-return]
