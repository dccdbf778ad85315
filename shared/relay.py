"""The outbox relay: publishes a service's events from its log to RabbitMQ.

Guarantee: every stored event is published at least once, in position order. The relay reads
events after its checkpoint, publishes each one persistent, `mandatory` and with publisher
confirms, and moves the checkpoint only after the broker confirmed. If it dies anywhere (even
with SIGKILL mid-batch) the next run starts from the checkpoint and publishes the unconfirmed
tail again; consumers drop the repeats by position. If RabbitMQ goes away it reconnects with
exponential backoff. Only one relay per log is active at a time (a session advisory lock), so
more can run as hot standbys.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kombu import Connection, Producer
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError

from shared import topology
from shared.eventstore import EventStore, relay_checkpoint

log = logging.getLogger("kechuang.relay")

_RELAY_LOCK = 0x72656C61
CHANNEL = "kechuang_events"  # notified by the log's trigger at each commit of an append


class Unroutable(Exception):
    """The broker returned a message: no queue is bound for its routing key."""


@dataclass
class Relay:
    store: EventStore
    amqp_uri: str
    exchange: str
    dead_letter_exchange: str
    name: str = "relay"
    batch: int = 500
    _returned: list[str] = field(default_factory=list)

    def checkpoint(self) -> int:
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(relay_checkpoint.c.position).where(relay_checkpoint.c.name == self.name)
            ).scalar()
        return found or 0

    def _save_checkpoint(self, position: int) -> None:
        stmt = insert(relay_checkpoint).values(name=self.name, position=position)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"position": stmt.excluded.position}
        )
        with self.store.engine.begin() as conn:
            conn.execute(stmt)

    def _on_return(self, exception: Exception, exchange: str, routing_key: str, message) -> None:  # type: ignore[no-untyped-def]
        self._returned.append(routing_key)

    def publish_pending(self, connection: Connection) -> int:
        """Publish one batch after the checkpoint; returns how many were confirmed."""
        # Rows go out as stored: the relay needs no knowledge of event types.
        pending = self.store.read_log_raw(after=self.checkpoint(), limit=self.batch)
        if not pending:
            return 0
        producer = Producer(connection.default_channel, on_return=self._on_return)
        for raw in pending:
            self._publish(producer, raw)
        self._save_checkpoint(pending[-1]["position"])
        return len(pending)

    def _publish(self, producer: Producer, raw: dict[str, Any]) -> None:
        self._returned.clear()
        routing_key = f"{raw['stream_type']}.{raw['type']}"
        # With confirm_publish, publish() blocks until the broker acks (or nacks -> raises).
        # A basic.return for this message always arrives before its ack.
        producer.publish(
            raw,
            exchange=self.exchange,
            routing_key=routing_key,
            serializer="json",
            delivery_mode=2,
            mandatory=topology.mandatory(raw["stream_type"]),
            message_id=raw["event_id"],
            headers={"position": raw["position"]},
        )
        if self._returned:
            raise Unroutable(f"no queue bound for {routing_key} (position {raw['position']})")

    def connect(self) -> Connection:
        connection = Connection(self.amqp_uri, transport_options={"confirm_publish": True})
        connection.ensure_connection(max_retries=1)
        topology.declare(
            connection,
            topology.standard_queues(self.exchange, self.dead_letter_exchange),
            self.exchange,
            self.dead_letter_exchange,
        )
        return connection

    def run(self, idle_sleep: float = 1.0, max_backoff: float = 5.0) -> None:
        """Publish forever. Waits for the relay lock first, so standbys take over on a crash.
        The lock lives as long as its database session: when that session is lost (a database
        restart, a dropped connection) a standby may already be active, so this relay stops
        publishing and queues up for the lock again."""
        while True:
            try:
                with self.store.engine.connect() as lock_conn:
                    self._acquire(lock_conn)
                    # Woken by the log's trigger (shared/migrations 0002) when events are
                    # committed; `idle_sleep` is only the longest wait should a wake-up be lost.
                    lock_conn.execute(text(f"LISTEN {CHANNEL}"))
                    lock_conn.commit()
                    log.info("relay %s active from position %d", self.name, self.checkpoint())
                    self._loop(idle_sleep, max_backoff, lambda: _alive(lock_conn),
                               lambda timeout: _woken(lock_conn, timeout))  # fmt: skip
            except LockLost:
                log.error("relay %s lost its lock; stopped publishing, waiting for it again",
                          self.name)  # fmt: skip
                # Give the free lock to a standby (it polls once a second): the session this
                # relay lost hints at trouble on its side, and one takeover beats a tug of war.
                time.sleep(2.0)
            except OperationalError as exc:  # the database is away: wait, then queue again
                log.warning("relay %s: database unavailable (%s)", self.name, exc.orig)
                time.sleep(1.0)

    def _acquire(self, lock_conn: Any) -> None:
        while not lock_conn.execute(
            text("SELECT pg_try_advisory_lock(:k, hashtext(:n))"),
            {"k": _RELAY_LOCK, "n": self.name},
        ).scalar():
            lock_conn.commit()
            time.sleep(1.0)
        lock_conn.commit()

    def _loop(
        self,
        idle_sleep: float,
        max_backoff: float,
        holds_lock: Callable[[], bool],
        wait: Callable[[float], None] = time.sleep,
    ) -> None:
        backoff = 0.1
        connection: Connection | None = None
        next_check = 0.0
        while True:
            if time.monotonic() >= next_check:  # at most once a second, between batches
                if not holds_lock():
                    if connection is not None:
                        with contextlib.suppress(Exception):
                            connection.release()
                    raise LockLost
                next_check = time.monotonic() + 1.0
            try:
                if connection is None:
                    connection = self.connect()
                    log.info("relay %s connected to the broker", self.name)
                sent = self.publish_pending(connection)
                backoff = 0.1
                if not sent:
                    wait(idle_sleep)
            except Exception as exc:  # noqa: BLE001 - any failure: back off and retry
                log.warning("relay %s: %s; retrying in %.1fs", self.name, exc, backoff)
                if connection is not None:
                    with contextlib.suppress(Exception):
                        connection.release()
                    connection = None
                time.sleep(backoff)
                backoff = min(backoff * 2, max_backoff)


class LockLost(Exception):
    """The session holding the relay lock is gone; another relay may be active."""


def _woken(lock_conn: Any, timeout: float) -> None:
    """Wait until events are committed to the log (a notification on `CHANNEL`) or `timeout`
    passes. Notifications that came while the session ran other statements (the lock check)
    are kept by psycopg and end the wait at once, so none is missed between a read of the log
    and this wait."""
    driver = lock_conn.connection.driver_connection
    for _ in driver.notifies(timeout=timeout, stop_after=1):
        pass
    # Later ones of the same burst: the next read of the log covers them.
    for _ in driver.notifies(timeout=0):
        pass


def _alive(lock_conn: Any) -> bool:
    try:
        lock_conn.execute(text("SELECT 1"))
        lock_conn.commit()
        return True
    except Exception:  # noqa: BLE001 - whatever broke the session also ended the lock
        with contextlib.suppress(Exception):
            lock_conn.invalidate()
        return False
