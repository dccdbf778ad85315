"""A district's batch that names thousands of entries is applied to the reports in one go, on
real PostgreSQL. One multi-row INSERT for all of them passes the protocol's 65,535 parameters
(36 columns a row) and would fail every time the consumer tried it again: reports stuck at
that event for good."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from ops import schema
from services.reporting.adapters import live, tables
from shared.catalog import batch as batch_catalog
from shared.catalog import submission as submission_catalog
from shared.db import make_engine
from shared.events import Event, new_event
from tests.integration.conftest import throwaway_database

ENTRIES = 2500  # past 65,535 / 36 = 1,820 rows


@pytest.fixture
def reporting() -> Iterator[Engine]:
    with throwaway_database() as url:
        schema.upgrade(url, "reporting")
        engine = make_engine(url, 2)
        yield engine
        engine.dispose()


def _submitted(sid: str) -> list[Event]:
    stream = submission_catalog.stream_id(sid)
    drafted = {"submission_id": sid, "district": "巴州区", "call_id": "c",
               "category": "achievement", "fields": {"title": f"项目{sid[:8]}"}}  # fmt: skip
    return [
        new_event(submission_catalog.SubmissionDrafted, stream, drafted),
        new_event(submission_catalog.SubmissionSubmitted, stream, {"submission_id": sid,
                                                                   "call_id": "c"}),
    ]  # fmt: skip


def test_a_batch_of_thousands_of_entries_is_applied_at_once(reporting: Engine) -> None:
    ids = sorted(str(uuid.uuid4()) for _ in range(ENTRIES))
    events = [event for sid in ids for event in _submitted(sid)]
    manifest = {"entries": [{"id": sid, "version": 2, "materials": []} for sid in ids]}
    sent = {"batch_id": str(uuid.uuid4()), "number": 1, "call_id": "c", "district": "巴州区",
            "manifest": manifest, "sha256": "0" * 64}  # fmt: skip
    for start in range(0, len(events), 500):  # the consumer's batches
        with reporting.begin() as conn:
            live.apply_many(conn, events[start : start + 500])
    with reporting.begin() as conn:  # the batch's one event, in a consumer batch of its own
        live.apply_many(conn, [new_event(batch_catalog.BatchSent, "batch-1", sent)])
    with reporting.connect() as conn:
        table = tables.entries(tables.current(conn))
        batched = conn.execute(
            select(func.count()).where(table.c.batch_number == 1, table.c.status == "submitted")
        ).scalar_one()
    assert batched == ENTRIES
