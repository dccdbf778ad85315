"""The idempotent consumer with catch-up: how a service applies other services' events.

Guarantees
- **Exactly-once effect**: each consumer keeps, per source log, the position of the last event
  it applied (`consumer_checkpoint`), updated in the same transaction as the effect. A
  redelivered or replayed event is at or below the checkpoint and changes nothing.
- **In order, no gaps**: an event is applied only if it is the next position of its source. A
  message that arrives early (position > checkpoint + 1: an earlier one was lost, or overtaken)
  makes the consumer read what it missed from the source's log (`events_since` over RPC) and
  apply it in order. `catch_up` also runs on a timer and at start, so a consumer that was down,
  or whose last message was lost, heals itself without a new message.

Concurrency: the checkpoint row is locked `FOR UPDATE` for the length of the transaction, so
several workers (or processes) of one consumer never apply the same source concurrently.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from threading import Lock
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects.postgresql import insert

from shared.events import Event, envelope
from shared.eventstore import consumer_checkpoint

log = logging.getLogger("kechuang.consumer")

Apply = Callable[[Connection, Event], None]
# fetch(source, after_position, limit) -> serialised envelopes, in position order
Fetch = Callable[[str, int, int], list[dict[str, Any]]]


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    GAP = "gap"


class Subscription:
    def __init__(
        self,
        engine: Engine,
        consumer: str,
        stream_owners: dict[str, str],
        fetch: Fetch,
        batch: int = 500,
        gate: Lock | None = None,
    ) -> None:
        self.engine = engine
        self.consumer = consumer
        self.stream_owners = stream_owners
        self.fetch = fetch
        self.batch = batch
        # One catch-up at a time per process: when messages arrive after a gap, each of them
        # would otherwise start its own and hold a worker waiting on the owner.
        self.gate = gate or Lock()

    def source_of(self, event: Event) -> str:
        return self.stream_owners[event.stream_type]

    def checkpoint(self, source: str) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(consumer_checkpoint.c.position).where(
                    consumer_checkpoint.c.consumer == self.consumer,
                    consumer_checkpoint.c.source == source,
                )
            ).scalar()
        return found or 0

    def handle(self, event: Event, apply: Apply) -> Outcome:
        """Apply a delivered event once, in order; on a gap, catch up from its source."""
        source = self.source_of(event)
        outcome = self._apply_next(source, event, apply)
        if outcome is Outcome.GAP:
            if not self.gate.acquire(blocking=False):
                # A catch-up is under way; it (or the next timed one) reads this event from
                # the owner's log, which is where it lives for good.
                return outcome
            try:
                log.info("%s: gap before %s position %s; catching up", self.consumer, source,
                         event.position)  # fmt: skip
                self.catch_up(source, apply)
            finally:
                self.gate.release()
        return outcome

    def catch_up(self, source: str, apply: Apply) -> int:
        """Apply everything the source's log holds after our checkpoint. Returns the count."""
        applied = 0
        while True:
            raw = self.fetch(source, self.checkpoint(source), self.batch)
            for item in raw:
                if self._apply_next(source, envelope.load(item), apply) is Outcome.APPLIED:
                    applied += 1
            if len(raw) < self.batch:
                return applied

    def catch_up_all(self, apply: Apply) -> int:
        """Catch up from every source; one that does not answer now is tried next time."""
        if not self.gate.acquire(blocking=False):
            return 0  # a catch-up after a gap is running already
        applied = 0
        try:
            for source in sorted(set(self.stream_owners.values())):
                try:
                    applied += self.catch_up(source, apply)
                except Exception as exc:  # noqa: BLE001 - a source down is not our failure
                    log.warning("%s: catch-up from %s failed (%s); retrying later",
                                self.consumer, source, type(exc).__name__)  # fmt: skip
        finally:
            self.gate.release()
        return applied

    def _apply_next(self, source: str, event: Event, apply: Apply) -> Outcome:
        if event.position is None:
            raise ValueError("an event without a position cannot be consumed")
        with self.engine.begin() as conn:
            position = self._lock_checkpoint(conn, source)
            if event.position <= position:
                return Outcome.DUPLICATE
            if event.position > position + 1:
                return Outcome.GAP
            apply(conn, event)
            conn.execute(
                update(consumer_checkpoint)
                .where(
                    consumer_checkpoint.c.consumer == self.consumer,
                    consumer_checkpoint.c.source == source,
                )
                .values(position=event.position)
            )
        return Outcome.APPLIED

    def _lock_checkpoint(self, conn: Connection, source: str) -> int:
        conn.execute(
            insert(consumer_checkpoint)
            .values(consumer=self.consumer, source=source, position=0)
            .on_conflict_do_nothing()
        )
        return conn.execute(
            select(consumer_checkpoint.c.position)
            .where(
                consumer_checkpoint.c.consumer == self.consumer,
                consumer_checkpoint.c.source == source,
            )
            .with_for_update()
        ).scalar_one()
