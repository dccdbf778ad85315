"""Media at a call's close (domain.md: the deadline is judged on evidence): no new upload slot
for the call's entries once it has closed, refused with `call_closed` naming the deadline in
Beijing time; a slot opened before the close may still be uploaded to and completed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from shared.calls import beijing_time
from shared.catalog import media as media_catalog
from shared.eventstore import EventStore
from tests.entries import full_body
from tests.integration.intake_fixtures import with_closing_call
from tests.integration.media_fixtures import MediaApi, make_video

# Long enough to start intake, media and a relay, make an entry and open a slot.
CLOSES_AFTER = timedelta(seconds=20)


@pytest.fixture
def closes() -> datetime:
    return (datetime.now(UTC) + CLOSES_AFTER).replace(microsecond=0)


@pytest.fixture
def calls_file_text(closes: datetime) -> str:
    return with_closing_call(closes)


def test_after_the_close_no_new_slot_opens_but_one_opened_before_completes(
    media_api: MediaApi, closes: datetime, tmp_path: Path, other_database_url: str
) -> None:
    body = full_body("achievement") | {"call_id": "closing-call"}
    created = media_api.api.call("POST", "/api/v1/submissions", json=body)
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    video = make_video(tmp_path / "推介.mp4")
    before = media_api.slot(entry, video, "promo_video", "video/mp4")
    assert before.status_code == 201, before.text
    assert datetime.now(UTC) < closes, "the call closed before the test could open a slot"

    time.sleep((closes - datetime.now(UTC)).total_seconds() + 1.2)
    late = media_api.slot(entry, b"%PDF-1.4 late", "proof", "application/pdf")
    assert late.status_code == 409, late.text
    error = late.json()["error"]
    assert error["code"] == "call_closed"
    assert error["message"] == f"征集已于{beijing_time(closes)}截止，不能再上传材料"
    assert "（北京时间）" in error["message"]
    # Another call's entries still get slots.
    open_entry = media_api.entry()
    assert media_api.slot(open_entry, b"%PDF-1.4", "proof", "application/pdf").status_code == 201

    # The slot opened before the close is uploaded to and completed after it, and stored.
    material_id = before.json()["material_id"]
    done = media_api.upload(before.json(), video)
    completed = media_api.call("POST", f"/api/v1/materials/{material_id}/complete", json=done)
    assert completed.status_code == 202, completed.text
    assert media_api.settled(material_id)["status"] == "stored"
    # By the events' own times, which screening counts by: requested before the close,
    # uploaded after it and within the slot's lifetime.
    store = EventStore(create_engine(other_database_url))
    requested, uploaded, *_ = store.read_stream(media_catalog.stream_id(material_id))
    assert requested.occurred_at <= closes < uploaded.occurred_at
    assert uploaded.occurred_at <= datetime.fromisoformat(requested.data["expires_at"])
