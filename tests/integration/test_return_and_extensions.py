"""Return for revision (退回修改) and late exceptions (逾期补交) through intake's and media's
HTTP entrypoints, on a call closing seconds ahead: a returned entry is edited and submitted
again after the call's close until the return's due, and refused after it; an extension lets a
district submit and open upload slots after the close, and no other district."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.entries import full_body
from tests.integration.intake_fixtures import Api, with_closing_call
from tests.integration.media_fixtures import MediaApi

CLOSES_AFTER = timedelta(seconds=12)


@pytest.fixture
def closes() -> datetime:
    return (datetime.now(UTC) + CLOSES_AFTER).replace(microsecond=0)


@pytest.fixture
def calls_file_text(closes: datetime) -> str:
    return with_closing_call(closes)


def _submitted(api: Api, district: str = "巴州区") -> str:
    body = full_body("achievement") | {"call_id": "closing-call"}
    created = api.call("POST", "/api/v1/submissions", json=body, district=district)
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    submitted = api.call("POST", f"/api/v1/submissions/{entry}/submit", district=district)
    assert submitted.status_code == 200, submitted.text
    return entry


def _sleep_past(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 1.2)


def test_a_returned_entry_is_edited_and_resubmitted_after_the_close_until_its_due(
    intake_api: Api, closes: datetime
) -> None:
    api = intake_api
    entry, late = _submitted(api), _submitted(api)
    path = f"/api/v1/submissions/{entry}/return"
    due = closes + timedelta(seconds=30)
    body = {"reasons": "联系电话有误", "fields": ["contact.phone"], "due": due.isoformat()}
    assert api.call("POST", path, json=body).json()["error"]["code"] == "forbidden"
    past = body | {"due": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
    refused = api.call("POST", path, role="staff", json=past)
    assert refused.status_code == 422 and "due" in refused.json()["error"]["fields"]
    returned = api.call("POST", path, role="staff", json=body)
    assert returned.status_code == 200, returned.text
    shown = returned.json()
    assert shown["status"] == "returned"
    assert shown["returned"]["reasons"] == "联系电话有误"
    assert shown["returned"]["fields"] == ["contact.phone"]
    again = api.call("POST", path, role="staff", json=body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    short = body | {"due": (closes + timedelta(seconds=2)).isoformat()}
    assert api.call("POST", f"/api/v1/submissions/{late}/return", role="staff",
                    json=short).status_code == 200  # fmt: skip

    _sleep_past(closes + timedelta(seconds=2))
    version = str(shown["version"])
    patched = api.call("PATCH", f"/api/v1/submissions/{entry}", json={"title": "改后的题目"},
                       headers={"If-Match": f'"{version}"'})  # fmt: skip
    assert patched.status_code == 200, patched.text
    resubmitted = api.call("POST", f"/api/v1/submissions/{entry}/submit")
    assert resubmitted.status_code == 200, resubmitted.text
    assert resubmitted.json()["status"] == "submitted"
    # Past its due the other returned entry can no longer be submitted.
    missed = api.call("POST", f"/api/v1/submissions/{late}/submit")
    assert missed.status_code == 409, missed.text
    assert missed.json()["error"]["code"] == "call_closed"
    assert "退回修改的期限" in missed.json()["error"]["message"]
    history = api.call("GET", f"/api/v1/submissions/{entry}/history").json()["items"]
    kinds = [item["type"] for item in history]
    assert kinds[-4:] == [
        "SubmissionSubmitted", "SubmissionReturned", "SubmissionUpdated", "SubmissionSubmitted",
    ]  # fmt: skip
    returned_event = history[-3]
    assert returned_event["actor"]["role"] == "staff"
    assert returned_event["data"]["reasons"] == "联系电话有误"


def test_an_extension_is_honoured_by_intake_and_media_for_its_district_only(
    media_api: MediaApi, closes: datetime
) -> None:
    api = media_api.api
    drafts = {}
    for district in ("巴州区", "恩阳区"):
        body = full_body("achievement") | {"call_id": "closing-call"}
        created = api.call("POST", "/api/v1/submissions", json=body, district=district)
        assert created.status_code == 201, created.text
        drafts[district] = created.json()["id"]
    path = "/api/v1/calls/closing-call/extensions"
    until = closes + timedelta(seconds=60)
    grant = {"district": "511902", "until": until.isoformat(), "reason": "暴雨停电，准予补交"}
    assert api.call("POST", path, json=grant).status_code == 403
    both = grant | {"submission_id": drafts["巴州区"]}
    assert api.call("POST", path, role="staff", json=both).status_code == 422
    granted = api.call("POST", path, role="staff", json=grant)
    assert granted.status_code == 201, granted.text
    assert granted.json()["district"] == "巴州区"
    assert api.call("POST", "/api/v1/calls/no-such-call/extensions", role="staff",
                    json=grant).status_code == 404  # fmt: skip
    assert [e["id"] for e in api.call("GET", path).json()["items"]] == [granted.json()["id"]]
    assert api.call("GET", path, district="恩阳区").json()["items"] == []
    assert api.call("GET", path, role="staff").json()["total"] == 1

    _sleep_past(closes)
    # Intake: the district's draft may still be submitted, the other's not.
    ok = api.call("POST", f"/api/v1/submissions/{drafts['巴州区']}/submit")
    assert ok.status_code == 200, ok.text
    closed = api.call("POST", f"/api/v1/submissions/{drafts['恩阳区']}/submit", district="恩阳区")
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "call_closed"
    # The calls list tells the office its new close and that it may still hand entries in
    # (the console's banner and its "new entry"); another district is closed (issue #25 #7).
    [mine] = [c for c in api.call("GET", "/api/v1/calls").json()["items"]
              if c["id"] == "closing-call"]  # fmt: skip
    assert (mine["is_open"], mine["accepts_entries"]) == (False, True)
    assert datetime.fromisoformat(mine["extended_until"]) == until.replace(microsecond=0)
    assert mine["extended_until_text"].endswith("（北京时间）")
    [theirs] = [c for c in api.call("GET", "/api/v1/calls", district="恩阳区").json()["items"]
                if c["id"] == "closing-call"]  # fmt: skip
    assert (theirs["accepts_entries"], theirs["extended_until"]) == (False, None)
    fresh = full_body("achievement") | {"call_id": "closing-call", "title": "延期内新建的项目"}
    created = api.call("POST", "/api/v1/submissions", json=fresh)
    assert created.status_code == 201, created.text
    new = api.call("POST", f"/api/v1/submissions/{created.json()['id']}/submit")
    assert new.status_code == 200, new.text
    # Media: a new slot for the district's entry, none for the other's.
    pdf = b"%PDF-1.4 extended"
    slot = media_api.slot(drafts["巴州区"], pdf, "proof", "application/pdf")
    assert slot.status_code == 201, slot.text
    other = media_api.slot(drafts["恩阳区"], pdf, "proof", "application/pdf", district="恩阳区")
    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "call_closed"


def test_a_return_due_before_the_close_never_shortens_the_call(
    intake_api: Api, closes: datetime
) -> None:
    """Issue #25 item 1: returned with a due before the call's close, the entry is fixed and
    handed in again between the due and the close (a fresh draft could be, too); refused only
    after both."""
    api = intake_api
    fixed, idle = _submitted(api), _submitted(api)
    due = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    assert due < closes
    body = {"reasons": "请补充效益说明", "fields": ["benefits"], "due": due.isoformat()}
    for entry in (fixed, idle):
        returned = api.call("POST", f"/api/v1/submissions/{entry}/return", role="staff",
                            json=body)  # fmt: skip
        assert returned.status_code == 200, returned.text
    version = str(returned.json()["version"])
    _sleep_past(due)  # the due has passed; the call is still open
    shown = api.call("GET", f"/api/v1/submissions/{fixed}").json()
    patched = api.call("PATCH", f"/api/v1/submissions/{fixed}", json={"benefits": "年增收百万"},
                       headers={"If-Match": f'"{shown["version"]}"'})  # fmt: skip
    assert patched.status_code == 200, patched.text
    again = api.call("POST", f"/api/v1/submissions/{fixed}/submit")
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "submitted"
    _sleep_past(closes)  # now both the due and the close have passed
    late = api.call("PATCH", f"/api/v1/submissions/{idle}", json={"benefits": "太迟了"},
                    headers={"If-Match": f'"{version}"'})  # fmt: skip
    assert late.status_code == 409 and late.json()["error"]["code"] == "call_closed"
    missed = api.call("POST", f"/api/v1/submissions/{idle}/submit")
    assert missed.status_code == 409 and missed.json()["error"]["code"] == "call_closed"
