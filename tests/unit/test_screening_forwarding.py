"""What a district forwarded, as screening judges the city's selection by it (issue #25 item 3,
`services/screening/domain/forwarding.py`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.screening.domain import forwarding
from services.screening.domain.tracked import Tracked
from shared.errors import Refused

SID = "9b2f7c1e-4d3a-4b8e-9f0a-000000000001"
STORED = [
    {"material_id": "v1", "kind": "promo_video", "status": "stored"},
    {"material_id": "d1", "kind": "introduction", "status": "stored"},
]
BATCH = {"batch_id": "b1", "number": 1}


def entry(**changes: object) -> Tracked:
    tracked = Tracked(
        submission_id=SID,
        district="巴州区",
        status="submitted",
        fields={"title": "原题"},
        materials=list(STORED),
        entry_version=3,
    )
    return replace(tracked, **changes)  # type: ignore[arg-type]


def forwarded_entry() -> Tracked:
    frozen = {"id": SID, "version": 3, "materials": [{"id": "v1"}, {"id": "d1"}]}
    return entry(forwarded=forwarding.forwarded(BATCH, frozen))


def test_an_entry_never_forwarded_is_refused_naming_the_supplement() -> None:
    with pytest.raises(Refused) as refused:
        forwarding.check_forwarded(entry(), "遴选")
    assert refused.value.code == "invalid_state"
    assert "尚未由区县汇总报送" in refused.value.message
    assert "报送补充批次" in refused.value.message


def test_a_forwarded_unchanged_entry_may_be_selected() -> None:
    forwarding.check_forwarded(forwarded_entry(), "遴选")
    # A replaced material that media stored before the batch: the latest of its kind counts.
    older = [{"material_id": "v0", "kind": "promo_video", "status": "stored"}, *STORED]
    forwarding.check_forwarded(replace(forwarded_entry(), materials=older), "遴选")


def test_an_amendment_after_the_batch_marks_it_changed_and_a_same_text_update_does_not() -> None:
    before = forwarded_entry()
    same = forwarding.after_change(before, before, "SubmissionUpdated", 4)
    assert same.forwarded is not None and not same.forwarded["changed"]
    amended = replace(before, fields={"title": "改题"})
    after = forwarding.after_change(amended, before, "SubmissionUpdated", 4)
    assert after.forwarded is not None and after.forwarded["changed"]
    with pytest.raises(Refused) as refused:
        forwarding.check_forwarded(after, "推荐省级")
    assert "报送（第1批）后已修改" in refused.value.message
    # The batch's own version is not a change after it; a 保姆 assigned is no change at all.
    assert not forwarding.after_change(amended, before, "SubmissionUpdated", 3).forwarded["changed"]  # type: ignore[index]
    officer = forwarding.after_change(before, before, "ServiceOfficerAssigned", 5)
    assert officer.forwarded is not None and not officer.forwarded["changed"]
    returned = forwarding.after_change(before, before, "SubmissionReturned", 5)
    assert returned.forwarded is not None and returned.forwarded["changed"]


def test_a_material_stored_after_the_batch_is_a_change() -> None:
    newer = [*STORED, {"material_id": "v2", "kind": "promo_video", "status": "stored"}]
    with pytest.raises(Refused):
        forwarding.check_forwarded(replace(forwarded_entry(), materials=newer), "遴选")
