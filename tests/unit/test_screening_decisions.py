"""Screening's own state and decisions (`services.screening.domain.tracked`, `.decisions`):
intake's and media's events folded into what screening knows of an entry, staff review only an
entry in review, the city selects only an eligible one, an amendment lapses both, and the
office's withdrawal stands against the city's selection whichever comes first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from services.screening.domain import decisions
from services.screening.domain.evidence import statuses
from services.screening.domain.tracked import Tracked, fold, relevant
from shared.errors import Refused

SID = "7f0c5e8e-0000-4000-8000-000000000001"
AT = datetime(2021, 10, 1, tzinfo=UTC)
FIELDS = {"title": "钙钛矿电池"}


def screened(state: str, **changes: Any) -> Tracked:
    """A submitted entry whose latest screening gave `state`."""
    tracked = Tracked(
        submission_id=SID, district="巴州区", call_id="c", category="achievement",
        fields=FIELDS, status="submitted", result={"state": state, "findings": []},
        entry_version=4,
    )  # fmt: skip
    return replace(tracked, **changes)


# -- the fold ---------------------------------------------------------------------------------


def test_intake_events_make_the_entry_known_and_follow_its_status() -> None:
    tracked = Tracked(submission_id=SID)
    assert not tracked.known and tracked.state == "pending"
    drafted = {"submission_id": SID, "district": "巴州区", "call_id": "c",
               "category": "achievement", "fields": FIELDS}  # fmt: skip
    tracked = fold(tracked, "SubmissionDrafted", drafted)
    assert tracked.known and (tracked.status, tracked.category) == ("draft", "achievement")
    tracked = fold(tracked, "SubmissionUpdated", {"submission_id": SID, "fields": {"title": "新"}})
    assert tracked.fields == {"title": "新"}
    assert fold(tracked, "SubmissionSubmitted", {"submission_id": SID}).status == "submitted"
    assert fold(tracked, "SubmissionWithdrawn", {"submission_id": SID}).status == "withdrawn"


def test_only_intake_and_media_events_about_the_entry_are_relevant() -> None:
    assert relevant("SubmissionUpdated") and relevant("MediaStored")
    assert not relevant("ServiceOfficerAssigned") and not relevant("ScreeningCompleted")


def test_a_stored_material_counts_even_when_a_replacement_was_requested() -> None:
    m = {"submission_id": SID, "kind": "promo_video"}
    tracked = Tracked(submission_id=SID)
    for type_, material_id in (("MaterialRequested", "a"), ("MaterialUploaded", "a"),
                               ("MaterialRequested", "b"), ("MediaStored", "a")):  # fmt: skip
        tracked = fold(tracked, type_, m | {"material_id": material_id, "filename": "v.mp4"})
    assert statuses(tracked.materials, None) == {"promo_video": "stored"}


def test_the_latest_material_of_a_kind_counts_unless_an_older_one_is_stored() -> None:
    items = [
        {"kind": "proof", "status": "rejected"},
        {"kind": "proof", "status": "verifying"},
        {"kind": "introduction", "status": "stored"},
        {"kind": "introduction", "status": "rejected"},
    ]
    assert statuses(items, None) == {"proof": "verifying", "introduction": "stored"}


# -- staff's decisions ------------------------------------------------------------------------


def test_staff_decide_only_on_a_submitted_screened_entry() -> None:
    decisions.check_decidable(screened("in_review"), "审核")
    for tracked, message in (
        (screened("in_review", status="withdrawn"), "项目已撤回，不能审核"),
        (screened("in_review", status="draft"), "项目尚未提交，尚无筛查结果"),
        (screened("in_review", result=None), "项目尚未提交，尚无筛查结果"),
    ):
        with pytest.raises(Refused) as refused:
            decisions.check_decidable(tracked, "审核")
        assert (refused.value.code, refused.value.message) == ("invalid_state", message)


def test_a_review_settles_an_entry_in_review() -> None:
    decision = {"decision": "eligible", "note": "材料属实"}
    after, recorded = decisions.review(screened("in_review"), decision, "staff-1", AT)
    made = decision | {"entry_version": 4}  # the entry version it was made on
    assert recorded == ("ReviewRecorded", made)
    assert after.review == made | {"by": "staff-1", "at": AT.isoformat()}


@pytest.mark.parametrize("state", ["incomplete", "eligible", "ineligible"])
def test_a_review_of_an_entry_not_in_review_is_refused(state: str) -> None:
    with pytest.raises(Refused) as refused:
        decisions.review(screened(state), {"decision": "eligible", "note": ""}, "s", AT)
    assert refused.value.code == "invalid_state" and refused.value.extra == {"state": state}


def test_only_an_eligible_entry_is_selected() -> None:
    decision = {"decision": "selected", "note": "推荐"}
    after, recorded = decisions.select(screened("eligible"), decision, "staff-1", AT)
    made = decision | {"lapsed": False, "entry_version": 4}
    assert recorded == ("SelectionRecorded", made)
    assert after.selection == made | {"by": "staff-1", "at": AT.isoformat()}
    for state in ("in_review", "incomplete", "ineligible"):
        with pytest.raises(Refused) as refused:
            decisions.select(screened(state), decision, "staff-1", AT)
        assert refused.value.code == "invalid_state"


def test_not_selected_may_be_recorded_for_any_screened_entry() -> None:
    decision = {"decision": "not_selected", "note": ""}
    _, recorded = decisions.select(screened("ineligible"), decision, "staff-1", AT)
    assert recorded == ("SelectionRecorded", decision | {"lapsed": False, "entry_version": 4})


# -- an amendment -----------------------------------------------------------------------------


def test_an_amendment_is_a_change_of_a_submitted_entrys_fields() -> None:
    before = screened("eligible")
    changed = replace(before, fields={"title": "改"})
    assert decisions.amended(before, changed, "SubmissionUpdated")
    assert not decisions.amended(before, before, "SubmissionUpdated")  # the same fields again
    assert not decisions.amended(replace(before, status="draft"), changed, "SubmissionUpdated")
    assert not decisions.amended(before, changed, "MediaStored")


def test_an_amendment_lapses_the_review_and_the_selection() -> None:
    tracked = screened(
        "eligible",
        review={"decision": "eligible", "note": "", "by": "s", "at": "t"},
        selection={"decision": "selected", "note": "", "lapsed": False, "by": "s", "at": "t"},
    )
    after, recorded = decisions.lapse(tracked, "screening", AT)
    lapsed = {"decision": "not_selected", "note": decisions.AMENDED, "lapsed": True}
    assert recorded == [
        ("ReviewLapsed", {"reason": decisions.AMENDED}),
        ("SelectionRecorded", lapsed),
    ]
    assert after.review is None
    assert after.selection == lapsed | {"by": "screening", "at": AT.isoformat()}
    # A selection already lapsed is not lapsed again, and nothing to lapse records nothing.
    again, recorded = decisions.lapse(after, "screening", AT)
    assert recorded == [] and again == after


# -- a withdrawal and a selection -------------------------------------------------------------

SELECTED = {"decision": "selected", "note": "推荐", "lapsed": False, "by": "s", "at": "t"}


def test_a_withdrawal_intake_accepted_lapses_a_selection_recorded_before_it() -> None:
    """Selection first, then the withdrawal: the withdrawal stands and the selection lapses."""
    selected = screened("eligible", review={"decision": "eligible", "note": "", "by": "s",
                                            "at": "t"}, selection=SELECTED)  # fmt: skip
    withdrawn = fold(selected, "SubmissionWithdrawn", {"submission_id": SID})
    assert decisions.withdrawn(selected, withdrawn)
    reason = decisions.lapse_reason(selected, withdrawn, "SubmissionWithdrawn")
    assert reason == decisions.WITHDRAWN_BY_OFFICE == "区县已撤回该项目"
    after, recorded = decisions.lapse(withdrawn, "screening", AT, reason)
    lapsed = {"decision": "not_selected", "note": "区县已撤回该项目", "lapsed": True}
    assert recorded == [
        ("ReviewLapsed", {"reason": "区县已撤回该项目"}),
        ("SelectionRecorded", lapsed),
    ]
    assert after.selection == lapsed | {"by": "screening", "at": AT.isoformat()}
    assert after.review is None and after.status == "withdrawn"


def test_a_selection_after_the_withdrawal_is_refused() -> None:
    """The withdrawal first, then the selection: refused, and nothing is recorded."""
    withdrawn = fold(screened("eligible"), "SubmissionWithdrawn", {"submission_id": SID})
    for act in ("遴选", "审核"):
        with pytest.raises(Refused) as refused:
            decisions.check_decidable(withdrawn, act)
        expected = ("invalid_state", f"项目已撤回，不能{act}")
        assert (refused.value.code, refused.value.message) == expected
        assert refused.value.extra == {"state": "eligible"}


def test_only_the_withdrawal_itself_lapses_and_other_events_do_not() -> None:
    entry = screened("eligible", selection=SELECTED)
    gone = replace(entry, status="withdrawn")
    # A withdrawal seen again (a replay) or a draft's withdrawal with nothing to lapse.
    assert decisions.lapse_reason(gone, gone, "SubmissionWithdrawn") is None
    assert decisions.lapse_reason(entry, entry, "MediaStored") is None
    assert decisions.lapse_reason(entry, replace(entry, fields={"title": "改"}),
                                  "SubmissionUpdated") == decisions.AMENDED  # fmt: skip
    draft = replace(entry, status="draft", selection=None, result=None)
    after, recorded = decisions.lapse(replace(draft, status="withdrawn"), "screening", AT,
                                      decisions.WITHDRAWN_BY_OFFICE)  # fmt: skip
    assert recorded == [] and after.selection is None


# -- the version a decision is made on (issue #25 item 9) -------------------------------------


def test_a_decision_on_a_version_screening_has_not_applied_or_has_passed_is_refused() -> None:
    tracked = screened("in_review")  # screening has applied entry version 4
    decisions.check_version(tracked, 4)
    decisions.check_version(tracked, None)  # no If-Match: on the version screening has
    decisions.check_version(replace(tracked, entry_version=0), 9)  # a row before versions
    for seen, words in ((5, "请稍后刷新后重试"), (3, "请刷新后重试")):
        with pytest.raises(Refused) as refused:
            decisions.check_version(tracked, seen)
        assert refused.value.code == "version_conflict" and words in refused.value.message
        assert refused.value.extra == {"current_version": 4}


def test_only_a_change_after_a_decision_lapses_it() -> None:
    decided = screened("eligible", review={"decision": "eligible", "entry_version": 4})
    amended = replace(decided, fields=FIELDS | {"summary": "改过"})
    assert decisions.lapse_reason(decided, amended, "SubmissionUpdated", 4) is None
    assert decisions.lapse_reason(decided, amended, "SubmissionUpdated", 5) == decisions.AMENDED
    # A decision from before versions were recorded lapses on any amendment, as it used to.
    old = replace(decided, review={"decision": "eligible"})
    assert decisions.lapse_reason(old, replace(old, fields=amended.fields),
                                  "SubmissionUpdated", 3) == decisions.AMENDED  # fmt: skip
