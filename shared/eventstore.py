"""A PostgreSQL event store: one per owning service, in that service's own database.

Guarantees
- **Optimistic concurrency**: `append` at an expected version that is not the stream's current
  one raises `VersionConflict` (the HTTP layer answers 409 with `current_version`).
- **Idempotent append**: appending events whose `event_id`s are already stored returns the
  stored events and writes nothing, so a retried command never duplicates an event.
- **Gap-free positions in commit order**: a reader tailing `read_log(after=p)` never skips an
  event, even one whose transaction commits late.

How positions are given (and why): writers insert events with `position` NULL and an insertion
`seq` from an identity column, so concurrent appends never wait for one another and PostgreSQL
can group their commits. `sequence()` then numbers *committed* unpositioned rows, in `seq`
order, continuing from the highest position, under a transaction-level advisory lock so only
one sequencer runs at a time. A row is numbered only after it is committed and numbers only
grow, so position N+1 is never visible before position N, and no number is skipped or reused.
The usual alternative, one counter row locked by every append until it commits, gives the same
guarantee but serialises every writer including its commit flush; we measured it in
bench/event_store.py and kept the sequencer (see the figures there).

The store is also the transactional outbox: an event is queued for publishing by the very
INSERT that stores it, and the relay (`shared.relay`) publishes by position and records its
progress in `relay_checkpoint` only after the broker confirmed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.exc import IntegrityError

from shared.events import Event, envelope

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("position", BigInteger, unique=True, nullable=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("stream_id", String(200), nullable=False),
    Column("stream_type", String(50), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", JSONB, nullable=False),
    Column("correlation_id", UUID(as_uuid=True), nullable=False),
    Column("causation_id", UUID(as_uuid=True), nullable=True),
    Column("data", JSONB, nullable=False),
    UniqueConstraint("stream_id", "version", name="events_stream_version"),
    # The sequencer's work list: small, because rows leave it as soon as they are numbered.
    Index("events_unsequenced", "seq", postgresql_where=text("position IS NULL")),
)

relay_checkpoint = Table(
    "relay_checkpoint",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

consumer_checkpoint = Table(
    "consumer_checkpoint",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("source", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# One statement checks the stream's version, numbers the event and inserts it: each round
# trip and each array adaptation showed up in bench/event_store.py, so this stays one plain row.
_APPEND = text(
    """
    INSERT INTO events (event_id, stream_id, stream_type, version, type, schema_version,
                        occurred_at, actor, correlation_id, causation_id, data)
    SELECT :event_id, :stream_id, :stream_type, head.version + 1, :type, :schema_version,
           :occurred_at, CAST(:actor AS jsonb), :correlation_id, :causation_id,
           CAST(:data AS jsonb)
    FROM (SELECT coalesce(max(version), 0) AS version FROM events WHERE stream_id = :stream_id)
         AS head
    WHERE CAST(:expected AS int) IS NULL OR head.version = CAST(:expected AS int)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING version
    """
)

# A page of the log as one JSON text made by PostgreSQL, each event as the array
# [position, type, schema_version, occurred_at (ISO 8601), data, actor]: what a fold reads.
# `actor` only when a person acted (else null: the page stays small), for "who did it".
_LOG_PAGE = text(
    """
    SELECT coalesce(json_agg(json_build_array(position, type, schema_version, occurred_at, data,
                                              CASE WHEN actor ? 'person_id' THEN actor END)
                             ORDER BY position), '[]')::text
    FROM (SELECT * FROM events WHERE position > :after ORDER BY position LIMIT :limit) AS page
    """
)

# Any constant unique to this purpose; only sequencers of the same database compete for it.
_SEQUENCER_LOCK = 0x6B656368


class VersionConflict(Exception):
    """The stream is not at the version the writer expected. `current` is None when a
    concurrent writer won the race and aborted our transaction (read it after rolling back)."""

    def __init__(self, stream_id: str, expected: int | None, current: int | None) -> None:
        super().__init__(f"stream {stream_id}: expected version {expected}, current {current}")
        self.stream_id = stream_id
        self.expected = expected
        self.current = current


def _row(event: Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "stream_type": event.stream_type,
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_at": event.occurred_at,
        "actor": json.dumps(event.actor.stored(), ensure_ascii=False),
        "correlation_id": event.correlation_id,
        "causation_id": event.causation_id,
        "data": json.dumps(event.data, ensure_ascii=False),
    }


def _raw(row: Any) -> dict[str, Any]:
    """A stored row in the envelope's serialised form, as it was written (no upcasting)."""
    return {
        "event_id": str(row.event_id),
        "stream_id": row.stream_id,
        "stream_type": row.stream_type,
        "version": row.version,
        "position": row.position,
        "type": row.type,
        "schema_version": row.schema_version,
        "occurred_at": row.occurred_at.isoformat(),
        "actor": row.actor,
        "correlation_id": str(row.correlation_id),
        "causation_id": str(row.causation_id) if row.causation_id else None,
        "data": row.data,
    }


def _event(row: Any) -> Event:
    return envelope.load(_raw(row))  # upcasts old schema versions on the way out


class EventStore:
    """Append to and read from one service's event log. Methods that write take the caller's
    `Connection`, so a command's events and any other effect commit in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- writing -------------------------------------------------------------------------

    def current_version(self, conn: Connection, stream_id: str) -> int:
        found = conn.execute(
            select(events.c.version)
            .where(events.c.stream_id == stream_id)
            .order_by(events.c.version.desc())
            .limit(1)
        ).scalar()
        return found or 0

    def append(
        self,
        conn: Connection,
        stream_id: str,
        new_events: Sequence[Event],
        expected_version: int | None,
    ) -> list[Event]:
        """Append `new_events` to `stream_id` after `expected_version` (None: at the end).

        Returns the events as stored. Raises `VersionConflict` if the stream moved on; if that
        was a writer racing us to the same version, the transaction is aborted and the caller
        must roll it back (as after any failed statement), so nothing half-written survives.
        """
        if not new_events:
            return []
        stored: list[Event] = []
        try:
            for n, event in enumerate(new_events):
                expected = None if expected_version is None else expected_version + n
                version = conn.execute(
                    _APPEND, {**_row(event), "stream_id": stream_id, "expected": expected}
                ).scalar()
                if version is None:
                    break
                stored.append(replace(event, stream_id=stream_id, version=version))
        except IntegrityError:
            # (stream_id, version) is taken: a concurrent writer committed first. The
            # transaction is aborted, so the winner's version cannot be read here.
            raise VersionConflict(stream_id, expected_version, None) from None
        if len(stored) == len(new_events):
            return stored
        # Nothing inserted for this event: its id is stored already, or the version moved.
        earlier = self._stored(conn, [e.event_id for e in new_events])
        if not stored and earlier is not None:
            return earlier  # every event was stored already: an idempotent retry
        if stored or earlier is not None:
            raise ValueError("some of these events are stored already and some are not")
        raise VersionConflict(stream_id, expected_version, self.current_version(conn, stream_id))

    def _stored(self, conn: Connection, ids: list[uuid.UUID]) -> list[Event] | None:
        rows = conn.execute(
            select(events).where(events.c.event_id.in_(ids)).order_by(events.c.seq)
        ).all()
        if not rows:
            return None
        if len(rows) != len(ids):
            raise ValueError("some of these events are stored already and some are not")
        return [_event(r) for r in rows]

    # -- sequencing ----------------------------------------------------------------------

    def sequence(self, batch: int = 5000) -> int:
        """Give positions to committed, unpositioned events. Returns how many were numbered."""
        with self.engine.begin() as conn:
            # Serialise sequencers; the UPDATE below takes its snapshot after the lock is
            # held (READ COMMITTED), so it sees the previous sequencer's committed numbers.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEQUENCER_LOCK})
            numbered = conn.execute(
                text(
                    """
                    WITH head AS (SELECT coalesce(max(position), 0) AS p FROM events),
                    pending AS (
                        SELECT seq, row_number() OVER (ORDER BY seq) AS n
                        FROM events WHERE position IS NULL ORDER BY seq LIMIT :batch
                    )
                    UPDATE events e SET position = head.p + pending.n
                    FROM head, pending WHERE e.seq = pending.seq
                    """
                ),
                {"batch": batch},
            ).rowcount
        return numbered

    # -- reading -------------------------------------------------------------------------

    def read_stream(self, stream_id: str, conn: Connection | None = None) -> list[Event]:
        query = select(events).where(events.c.stream_id == stream_id).order_by(events.c.version)
        if conn is not None:
            return [_event(r) for r in conn.execute(query)]
        with self.engine.connect() as own:
            return [_event(r) for r in own.execute(query)]

    def read_log(self, after: int, limit: int = 1000) -> list[Event]:
        """Events with position > `after`, in position order, at most `limit`."""
        return [envelope.load(raw) for raw in self.read_log_raw(after, limit)]

    def read_log_raw(self, after: int, limit: int = 1000) -> list[dict[str, Any]]:
        """Like `read_log`, but the rows as stored, serialised: what the relay publishes and
        catch-up serves. Readers that know the event types upcast them (`envelope.load`)."""
        self.sequence()
        query = (
            select(events)
            .where(events.c.position > bindparam("after"))
            .order_by(events.c.position)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_raw(r) for r in conn.execute(query, {"after": after})]

    def read_log_page(self, after: int, limit: int = 1000) -> str:
        """Like `read_log_raw`, for readers that fold a whole log (a projection's rebuild):
        one JSON array text made by PostgreSQL, each event `[position, type, schema_version,
        occurred_at, data, actor]` as stored (upcast with `events.current_data`; `actor` null
        unless a person acted). The owner neither
        decodes the rows nor encodes them again, and the reader decodes half the text of the
        full envelopes, as one string (measured in bench/reporting.py)."""
        self.sequence()
        with self.engine.connect() as conn:
            return str(conn.execute(_LOG_PAGE, {"after": after, "limit": limit}).scalar_one())

    def head(self) -> int:
        """The highest position given so far (0 for an empty log)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(events.c.position))).scalar() or 0
