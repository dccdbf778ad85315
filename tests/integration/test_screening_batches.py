"""Screening's batched consumer (`Screening.apply_many`, issue #14) on real PostgreSQL: a batch
that mixes entries' events with a late exception (which re-screens rows through SQL in the
middle of the batch) leaves the same rows and appends the same screening events as the same
events applied one at a time. Without the flush before, and the reload after, the exception,
the batch would write back rows it read before the exception changed them."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from ops import schema
from services.screening.adapters import rows
from services.screening.commands import Screening
from shared.calls import Call
from shared.catalog import call as call_catalog
from shared.catalog import media as media_catalog
from shared.catalog import submission as submission_catalog
from shared.db import make_engine
from shared.events import Event, EventType, new_event
from shared.eventstore import EventStore
from tests.entries import full_body
from tests.integration.conftest import throwaway_database

NOW = datetime(2030, 11, 21, 4, 0, tzinfo=UTC)
CALL = Call("late-call", "测试征集", NOW - timedelta(days=30), NOW - timedelta(hours=1),
            ("achievement",), ("巴州区", "恩阳区"))  # fmt: skip


def _event(kind: EventType, stream: str, data: dict[str, Any]) -> Event:
    return new_event(kind, stream, data, occurred_at=NOW - timedelta(hours=2))


def _entry(district: str) -> tuple[str, list[Event]]:
    """An entry of `district` drafted and submitted before the close, without its materials
    (incomplete: ineligible at the close unless an exception gives it more time)."""
    sid = str(uuid.uuid4())
    stream = submission_catalog.stream_id(sid)
    fields = {k: v for k, v in full_body("achievement").items() if k != "call_id"}
    return sid, [
        _event(
            submission_catalog.SubmissionDrafted,
            stream,
            {
                "submission_id": sid,
                "district": district,
                "call_id": CALL.id,
                "category": "achievement",
                "fields": fields,
            },
        ),  # fmt: skip
        _event(
            submission_catalog.SubmissionSubmitted,
            stream,
            {"submission_id": sid, "call_id": CALL.id},
        ),  # fmt: skip
    ]


def _materials(sid: str) -> list[Event]:
    """The three required materials, requested after the close (within the exception)."""
    found = []
    for kind in ("promo_video", "introduction", "proof"):
        mid = str(uuid.uuid4())
        stream, digest = media_catalog.stream_id(mid), hashlib.sha256(mid.encode()).hexdigest()
        ids = {"material_id": mid, "submission_id": sid, "kind": kind}
        requested = ids | {"district": "巴州区", "filename": f"{kind}.pdf", "size": 1000,
                           "content_type": "application/pdf", "sha256": digest,
                           "object_key": f"materials/{mid}",
                           "expires_at": (NOW + timedelta(hours=1)).isoformat()}  # fmt: skip
        stored = ids | {"size": 1000, "sha256": digest, "content_type": "application/pdf"}
        for event_type, data in ((media_catalog.MaterialRequested, requested),
                                 (media_catalog.MaterialUploaded, ids),
                                 (media_catalog.MediaStored, stored)):  # fmt: skip
            found.append(
                new_event(event_type, stream, data, occurred_at=NOW - timedelta(minutes=5))
            )
    return found


def _batch() -> tuple[list[str], list[Event]]:
    extended, other = _entry("巴州区"), _entry("恩阳区")
    granted = {"extension_id": str(uuid.uuid4()), "call_id": CALL.id, "district": "巴州区",
               "submission_id": None, "until": (NOW + timedelta(days=1)).isoformat(),
               "reason": "暴雨停电"}  # fmt: skip
    exception = _event(call_catalog.ExtensionGranted, call_catalog.stream_id(CALL.id), granted)
    events = [*extended[1], *other[1], exception, *_materials(extended[0])]
    return [extended[0], other[0]], events


@pytest.fixture
def two_databases() -> Iterator[tuple[Screening, Screening]]:
    with throwaway_database() as one, throwaway_database() as other:
        engines = []
        for url in (one, other):
            schema.upgrade(url, "screening")
            engines.append(make_engine(url, 2))
        try:
            yield tuple(  # type: ignore[misc]
                Screening(EventStore(e), {CALL.id: CALL}, clock=lambda: NOW) for e in engines
            )
        finally:
            for engine in engines:
                engine.dispose()


def _outcome(screening: Screening, ids: list[str]) -> tuple[Any, ...]:
    with screening.store.engine.begin() as conn:
        found = rows.lock_many(conn, ids)
        appended = conn.execute(text(
            "SELECT stream_id, type, data->>'state' FROM events ORDER BY seq"
        )).all()  # fmt: skip
    states = {sid: (t.state, t.window_closed, len(t.materials)) for sid, t in found.items()}
    return states, [tuple(row) for row in appended]


def test_a_batch_with_a_late_exception_equals_its_events_one_at_a_time(
    two_databases: tuple[Screening, Screening],
) -> None:
    batched, one_by_one = two_databases
    ids, events = _batch()
    with batched.store.engine.begin() as conn:
        batched.apply_many(conn, events)
    for event in events:
        with one_by_one.store.engine.begin() as conn:
            one_by_one.apply_many(conn, [event])

    states, appended = _outcome(batched, ids)
    assert (states, appended) == _outcome(one_by_one, ids)
    extended, other = ids
    # The exception's district is judged at its end: complete now, in review; the other
    # district was judged at the call's close without its materials.
    assert states[extended] == ("in_review", False, 3)
    assert states[other][0] == "ineligible" and states[other][1]
