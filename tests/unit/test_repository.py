"""The stream repository: load -> decide -> append at the expected version -> refold, against
an in-memory store that keeps the event store's version contract (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.errors import Refused
from shared.events import SYSTEM, Event
from shared.eventstore import VersionConflict
from shared.repository import Streams, conflict_refused, fold

STREAM = "tally-1"


@dataclass(frozen=True)
class Tally:
    """A state that counts what it was told: enough to see order, versions and refolding."""

    items: tuple[str, ...] = ()
    version: int = 0


def apply(state: Tally | None, event: Event) -> Tally:
    state = state or Tally()
    return replace(state, items=(*state.items, event.data["item"]), version=event.version)


def told(item: str) -> Event:
    return Event(event_id=uuid.uuid4(), stream_id=STREAM, stream_type="tally", version=0,
                 type="Told", schema_version=1, occurred_at=datetime.now(UTC), actor=SYSTEM,
                 data={"item": item}, correlation_id=uuid.uuid4())  # fmt: skip


class MemoryStore:
    """`EventStore.read_stream` and `append` as documented, in a dict."""

    def __init__(self) -> None:
        self.streams: dict[str, list[Event]] = {}

    def read_stream(self, stream_id: str, conn: Any = None) -> list[Event]:
        return list(self.streams.get(stream_id, []))

    def append(self, conn: Any, stream_id: str, events: list[Event], expected: int) -> list[Event]:
        stream = self.streams.setdefault(stream_id, [])
        if len(stream) != expected:
            raise VersionConflict(stream_id, expected, len(stream))
        stored = [replace(e, version=expected + n) for n, e in enumerate(events, 1)]
        stream.extend(stored)
        return stored


def streams_with(*items: str) -> tuple[Streams[Tally], MemoryStore]:
    store = MemoryStore()
    streams: Streams[Tally] = Streams(store, apply)
    if items:
        streams.append(None, STREAM, None, [told(i) for i in items])
    return streams, store


def test_a_state_is_its_events_folded_in_order() -> None:
    events = [replace(told(i), version=n) for n, i in enumerate("abc", 1)]
    assert fold(apply, None, events) == Tally(("a", "b", "c"), 3)
    assert fold(apply, None, []) is None


def test_a_new_stream_starts_at_version_zero_and_hands_back_its_first_state() -> None:
    streams, store = streams_with()
    assert streams.append(None, STREAM, None, [told("a")]) == Tally(("a",), 1)
    assert [e.version for e in store.streams[STREAM]] == [1]


def test_change_decides_on_the_folded_state_and_returns_it_refolded() -> None:
    streams, store = streams_with("a", "b")
    seen: list[Tally] = []

    def decide(state: Tally) -> list[Event]:
        seen.append(state)
        return [told("c"), told("d")]

    after = streams.change(None, STREAM, decide)
    assert seen == [Tally(("a", "b"), 2)]
    assert after == Tally(("a", "b", "c", "d"), 4)
    assert fold(apply, None, store.streams[STREAM]) == after


def test_a_decision_of_no_events_leaves_the_stream_as_it_was() -> None:
    streams, store = streams_with("a")
    assert streams.change(None, STREAM, lambda state: []) == Tally(("a",), 1)
    assert len(store.streams[STREAM]) == 1


def test_a_refusal_appends_nothing() -> None:
    streams, store = streams_with("a")

    def decide(state: Tally) -> list[Event]:
        raise Refused("invalid_state", "不行")

    with pytest.raises(Refused):
        streams.change(None, STREAM, decide)
    assert len(store.streams[STREAM]) == 1


def test_an_expected_version_the_stream_has_left_conflicts_before_any_decision() -> None:
    streams, _ = streams_with("a", "b")
    decided = []
    with pytest.raises(VersionConflict) as conflict:
        streams.change(None, STREAM, lambda s: decided.append(s) or [], expected_version=1)
    assert (conflict.value.expected, conflict.value.current) == (1, 2)
    assert decided == []
    assert streams.change(None, STREAM, lambda s: [told("c")], expected_version=2).version == 3


def test_appending_after_a_state_another_writer_moved_past_conflicts() -> None:
    streams, _ = streams_with("a")
    loaded = streams.load(None, STREAM)
    streams.append(None, STREAM, loaded, [told("b")])
    with pytest.raises(VersionConflict):
        streams.append(None, STREAM, loaded, [told("c")])


def test_a_command_on_an_empty_stream_is_a_bug_not_a_new_stream() -> None:
    streams, _ = streams_with()
    assert streams.load(None, STREAM) is None
    with pytest.raises(LookupError):
        streams.change(None, STREAM, lambda s: [told("a")])
    with pytest.raises(ValueError):
        streams.append(None, STREAM, None, [])


def test_a_version_conflict_is_refused_as_the_api_s_409_with_the_current_version() -> None:
    with pytest.raises(Refused) as refused, conflict_refused("项目已被他人修改，请刷新后重试"):
        raise VersionConflict(STREAM, 1, 2)
    assert refused.value.code == "version_conflict"
    assert refused.value.message == "项目已被他人修改，请刷新后重试"
    assert refused.value.extra == {"current_version": 2}


def test_other_errors_pass_through_the_conflict_mapping_unchanged() -> None:
    original = Refused("invalid_state", "项目已撤回")
    with pytest.raises(Refused) as refused, conflict_refused("…"):
        raise original
    assert refused.value is original
