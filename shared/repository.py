"""One stream at a time: load it, let the domain decide, append at the expected version, refold.

Every command of a service that owns streams takes the same steps, in one transaction:

1. load the stream's events and fold them into the state (`Streams.load`);
2. let the domain decide: a pure function of the state that returns the new events, or raises
   `shared.errors.Refused`;
3. append them at the version the state was loaded at, so that of two writers deciding on the
   same state one wins and the other gets `VersionConflict` instead of both being recorded;
4. fold the stored events onto the state (`Streams.append`);
5. upsert the service's row from the new state: left to the caller, whose table it is.

`Streams.change` does 1-4 for an existing stream. A caller that must do I/O between loading
and appending (media completes a multipart upload in MinIO) uses `load` and `append` itself.
`conflict_refused` turns a `VersionConflict` into the API's 409, where the API promises one.

    entries = Streams(store, domain.apply)
    with store.engine.begin() as conn, conflict_refused("项目已被他人修改，请刷新后重试"):
        entry = entries.change(conn, stream_id, decide, expected_version=if_match)
        upsert_row(conn, entry)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Connection

from shared.errors import Refused
from shared.events import Event
from shared.eventstore import EventStore, VersionConflict


class Versioned(Protocol):
    """A state folded from a stream: `version` is that of the last event folded into it."""

    @property
    def version(self) -> int: ...


S = TypeVar("S", bound=Versioned)
Apply = Callable[[S | None, Event], S]  # the state after one event (None: the stream's start)


def fold(apply: Apply[S], state: S | None, events: Iterable[Event]) -> S | None:
    """`state` after `events`, in order; None when there was neither a state nor an event."""
    for event in events:
        state = apply(state, event)
    return state


class Streams(Generic[S]):
    """The streams of one kind in one service's event store, each folded by `apply`."""

    def __init__(self, store: EventStore, apply: Apply[S]) -> None:
        self.store = store
        self.apply = apply

    def load(self, conn: Connection, stream_id: str) -> S | None:
        """The stream's state, None if it has no events."""
        return fold(self.apply, None, self.store.read_stream(stream_id, conn))

    def append(
        self, conn: Connection, stream_id: str, state: S | None, events: Sequence[Event]
    ) -> S:
        """Append `events` after `state` (None: a new stream) and return the state they lead to.

        Raises `VersionConflict` if the stream moved on since `state` was loaded."""
        stored = self.store.append(conn, stream_id, events, state.version if state else 0)
        after = fold(self.apply, state, stored)
        if after is None:
            raise ValueError(f"nothing to append to the new stream {stream_id}")
        return after

    def change(
        self,
        conn: Connection,
        stream_id: str,
        decide: Callable[[S], Sequence[Event]],
        expected_version: int | None = None,
    ) -> S:
        """Load the stream, let `decide` give the new events (it may raise `Refused`), append
        them and return the new state. `expected_version` is the version the client last saw
        (an `If-Match`): if the stream is elsewhere, `VersionConflict` before anything is
        decided. The caller has checked the stream exists (its row); an empty one is a bug."""
        state = self.load(conn, stream_id)
        if state is None:
            raise LookupError(f"no events in {stream_id}")
        if expected_version is not None and expected_version != state.version:
            raise VersionConflict(stream_id, expected_version, state.version)
        return self.append(conn, stream_id, state, decide(state))


@contextmanager
def conflict_refused(message: str) -> Iterator[None]:
    """A `VersionConflict` inside as the API's 409 `version_conflict`, with `message` and the
    stream's `current_version` (null when a racing writer aborted the transaction first)."""
    try:
        yield
    except VersionConflict as conflict:
        raise Refused("version_conflict", message, current_version=conflict.current) from None
