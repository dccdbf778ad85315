"""The pure rules of a return for revision (退回修改) and of late exceptions (逾期补交)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.intake.domain import submission as domain
from services.screening.domain import returns
from shared.calls import Extension, extended, returned_until
from shared.errors import Refused
from tests.unit.test_submission_rules import CALL, IN_WINDOW, entry

AFTER_CLOSE = CALL.closes + timedelta(days=1)
DUE = CALL.closes + timedelta(days=3)


def _returned() -> domain.Submission:
    data = domain.return_for_revision(
        entry(status=domain.SUBMITTED), {"reasons": "电话有误", "due": DUE.isoformat()}, IN_WINDOW
    )
    returned = {"reasons": data["reasons"], "fields": data["fields"], "due": data["due"],
                "at": IN_WINDOW.isoformat(), "by": "staff"}  # fmt: skip
    return replace(entry(), status=domain.RETURNED, returned=returned)


def test_only_a_submitted_entry_is_returned_and_the_due_lies_ahead() -> None:
    with pytest.raises(Refused) as refused:
        domain.return_for_revision(entry(), {"reasons": "x", "due": DUE.isoformat()}, IN_WINDOW)
    assert refused.value.code == "invalid_state"
    past = (IN_WINDOW - timedelta(minutes=1)).isoformat()
    with pytest.raises(Refused) as refused:
        domain.return_for_revision(entry(status=domain.SUBMITTED), {"reasons": "x", "due": past},
                                   IN_WINDOW)  # fmt: skip
    assert refused.value.code == "validation_failed" and "due" in refused.value.fields


def test_a_returned_entry_is_edited_and_submitted_after_the_close_until_its_due() -> None:
    returned = _returned()
    until = returned.deadline(CALL, [])
    assert until == DUE
    assert domain.update(returned, {"title": "新"}, CALL, AFTER_CLOSE, until)["changed"] == [
        "title"
    ]
    assert domain.submit(returned, CALL, AFTER_CLOSE, until)["submission_id"] == returned.id
    with pytest.raises(Refused) as refused:
        domain.submit(returned, CALL, DUE + timedelta(seconds=1), until)
    assert refused.value.code == "call_closed" and "退回修改的期限" in refused.value.message


def test_a_return_never_shortens_the_call() -> None:
    """Issue #25 item 1: a return due before the close leaves the entry the whole call; one
    due after it gives more time; an extension of the district counts too."""
    early = CALL.closes - timedelta(days=18)
    assert returned_until(CALL, "巴州区", "s1", [], early) == CALL.closes
    assert returned_until(CALL, "巴州区", "s1", [], DUE) == DUE
    later = Extension(CALL.id, "巴州区", None, DUE + timedelta(days=1))
    assert returned_until(CALL, "巴州区", "s1", [later], early) == later.until
    data = domain.return_for_revision(
        entry(status=domain.SUBMITTED), {"reasons": "电话有误", "due": early.isoformat()},
        IN_WINDOW,
    )  # fmt: skip
    returned = replace(entry(), status=domain.RETURNED,
                       returned={"reasons": data["reasons"], "due": data["due"]})  # fmt: skip
    between = early + timedelta(days=5)  # after the due, before the close
    until = returned.deadline(CALL, [])
    assert until == CALL.closes
    assert domain.submit(returned, CALL, between, until)["submission_id"] == returned.id


def test_an_extension_covers_its_district_or_its_entry_and_only_gives_more_time() -> None:
    later = CALL.closes + timedelta(days=2)
    district = Extension(CALL.id, "巴州区", None, later)
    one = Extension(CALL.id, "恩阳区", "s9", later + timedelta(days=1))
    assert extended(CALL, "巴州区", "s1", [district, one]) == later
    assert extended(CALL, "恩阳区", "s1", [district, one]) == CALL.closes
    assert extended(CALL, "恩阳区", "s9", [district, one]) == later + timedelta(days=1)
    early = Extension(CALL.id, "巴州区", None, CALL.closes - timedelta(days=1))
    assert extended(CALL, "巴州区", "s1", [early]) == CALL.closes
    assert returned_until(CALL, "巴州区", "s1", [], DUE) == DUE
    assert extended(CALL, "巴州区", "s1", [], DUE) == DUE
    draft = entry()
    assert domain.submit(draft, CALL, AFTER_CLOSE, draft.deadline(CALL, [district]))


def test_a_return_lapses_by_the_resubmission_s_own_time_not_when_it_is_read() -> None:
    standing = returns.returned({"due": DUE.isoformat(), "reasons": "x"}, IN_WINDOW)
    assert not returns.lapsed(standing, DUE, DUE)
    assert returns.lapsed(standing, DUE, DUE + timedelta(seconds=1))
    in_time = returns.resubmitted(standing, DUE - timedelta(seconds=1))
    assert not returns.lapsed(in_time, DUE, DUE + timedelta(days=9))
    late = returns.resubmitted(standing, DUE + timedelta(seconds=1))
    assert returns.lapsed(late, DUE, DUE + timedelta(seconds=1))
    result = returns.not_resubmitted(DUE)
    assert result.state == "ineligible"
    assert result.findings[0].message.startswith("退回修改后未在2021年11月")
