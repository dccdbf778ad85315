"""Screening at a return's due and at an extension's end, from intake's events (fed to its
log): a returned entry not submitted again by its due is ineligible, the finding citing the
return; one submitted again after the call's close but before its due is screened as usual;
an entry of a district granted an extension is judged complete or not at the extension's end,
not at the call's close."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from shared.calls import beijing_time
from shared.catalog import call as call_catalog
from shared.catalog import submission as submission_catalog
from tests.integration import screening_fixtures
from tests.integration.helpers import wait_until
from tests.integration.screening_fixtures import ScreeningApi

screening_api = screening_fixtures.screening_api  # the fixture, used by name below


def _judged_closed(api: ScreeningApi, sid: str, state: str) -> None:
    """`sid` in `state`, judged as closed: the close timer (once a second) re-screens it after
    its close; until then it may show `state` still judged as open."""

    def closed() -> bool:
        shown = api.get(sid).json()
        return bool(shown["state"] == state and shown["window_closed"])

    wait_until(closed, 30, f"{sid} to be {state} and judged closed")


def _sleep_past(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 1.5)


def test_a_return_not_resubmitted_by_its_due_is_ineligible_citing_the_return(
    screening_api: ScreeningApi,
) -> None:
    feed, closes = screening_api.feed, screening_api.closes
    kept, missed = (feed.draft(call_id="closing-call") for _ in range(2))
    for sid in (kept, missed):
        for kind in ("promo_video", "introduction", "proof"):
            feed.material(sid, kind)
        feed.submit(sid, call_id="closing-call")
        screening_api.wait_for(sid, "in_review")
    due = closes + timedelta(seconds=4)
    for sid in (kept, missed):
        feed.submission(submission_catalog.SubmissionReturned, sid, reasons="请补充效益说明",
                        fields=["benefits"], due=due.isoformat())  # fmt: skip
        screening_api.wait_for(sid, "pending")
    _sleep_past(closes)
    feed.submit(kept, call_id="closing-call")  # after the close, before the due
    _sleep_past(due)
    screened = screening_api.wait_for(missed, "ineligible")
    (finding,) = screened["findings"]
    assert finding["rule"] == "returned_not_resubmitted" and finding["outcome"] == "fail"
    assert finding["message"].startswith("退回修改后未在") and "（北京时间）" in finding["message"]
    _judged_closed(screening_api, kept, "in_review")


def test_a_return_due_before_the_close_lapses_only_at_the_close(
    screening_api: ScreeningApi,
) -> None:
    """Issue #25 item 1: a return due before the call's close leaves the entry the whole call:
    handed in again after the due but before the close, it is screened as usual; not handed in
    again, it is ineligible citing the return only once the call has closed."""
    feed, closes = screening_api.feed, screening_api.closes
    fixed, idle = (feed.draft(call_id="closing-call") for _ in range(2))
    for sid in (fixed, idle):
        for kind in ("promo_video", "introduction", "proof"):
            feed.material(sid, kind)
        feed.submit(sid, call_id="closing-call")
        screening_api.wait_for(sid, "in_review")
    due = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
    assert due + timedelta(seconds=4) < closes
    for sid in (fixed, idle):
        feed.submission(submission_catalog.SubmissionReturned, sid, reasons="请补充效益说明",
                        fields=["benefits"], due=due.isoformat())  # fmt: skip
        screening_api.wait_for(sid, "pending")
    _sleep_past(due)
    time.sleep(1.5)  # the close timer runs once a second: give it its chance to misjudge
    screening_api.settle("intake")
    assert screening_api.get(idle).json()["state"] == "pending"
    feed.submit(fixed, call_id="closing-call")  # after the due, before the close
    screening_api.wait_for(fixed, "in_review")
    _sleep_past(closes)
    screened = screening_api.wait_for(idle, "ineligible")
    (finding,) = screened["findings"]
    assert finding["rule"] == "returned_not_resubmitted"
    assert beijing_time(closes) in finding["message"]  # the deadline it missed: the close
    _judged_closed(screening_api, fixed, "in_review")


def test_an_extension_moves_the_close_screening_judges_completeness_at(
    screening_api: ScreeningApi,
) -> None:
    feed, closes = screening_api.feed, screening_api.closes
    extended, other = (
        feed.draft(call_id="closing-call"),
        feed.draft(call_id="closing-call", district="恩阳区"),
    )
    until = closes + timedelta(seconds=8)
    granted = {
        "extension_id": str(uuid.uuid4()), "call_id": "closing-call", "district": "巴州区",
        "submission_id": None, "until": until.isoformat(), "reason": "暴雨停电",
    }  # fmt: skip
    feed._append(feed.intake, call_catalog.ExtensionGranted,
                 call_catalog.stream_id("closing-call"), granted)  # fmt: skip
    for sid in (extended, other):
        feed.submit(sid, call_id="closing-call")
        screening_api.wait_for(sid, "incomplete")
    _sleep_past(closes)
    screening_api.wait_for(other, "ineligible")
    screening_api.settle("intake")
    assert screening_api.get(extended).json()["state"] == "incomplete"
    for kind in ("promo_video", "introduction", "proof"):  # after the close, before `until`
        feed.material(extended, kind)
    _sleep_past(until)
    _judged_closed(screening_api, extended, "in_review")
