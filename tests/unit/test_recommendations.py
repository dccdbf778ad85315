"""The city's recommendation to the province (`services.screening.domain.recommendations`):
only a selected entry is recommended, a rank held by another entry of the call is refused
naming it, re-recommending moves the rank, and the recommendation lapses with the selection
it stands on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from services.screening.domain import decisions, recommendations
from services.screening.domain.tracked import Tracked
from shared.errors import Refused

SID = "7f0c5e8e-0000-4000-8000-000000000001"
OTHER = "7f0c5e8e-0000-4000-8000-000000000002"
AT = datetime(2021, 11, 20, tzinfo=UTC)
SELECTED = {"decision": "selected", "note": "", "lapsed": False}


def selected(**changes: Any) -> Tracked:
    tracked = Tracked(
        submission_id=SID, district="巴州区", call_id="c", category="achievement",
        fields={"title": "钙钛矿电池"}, status="submitted",
        result={"state": "eligible", "findings": []}, selection=SELECTED,
    )  # fmt: skip
    return replace(tracked, **changes)


def test_a_selected_entry_is_recommended_with_its_rank_and_reason() -> None:
    after, (name, data) = recommendations.recommend(
        selected(), {"rank": 1, "reason": "技术领先"}, None, "staff-1", AT
    )
    made = {"rank": 1, "reason": "技术领先", "entry_version": 0}  # the entry version seen
    assert (name, data) == ("EntryRecommended", made)
    assert after.recommendation == made | {"by": "staff-1", "at": AT.isoformat()}


@pytest.mark.parametrize(
    "selection",
    [None, {"decision": "not_selected", "note": ""},
     {"decision": "not_selected", "note": "已修改", "lapsed": True}],
    ids=["never selected", "not selected", "selection lapsed"],
)  # fmt: skip
def test_only_a_standing_selection_may_be_recommended(selection: Any) -> None:
    with pytest.raises(Refused) as refused:
        recommendations.recommend(selected(selection=selection), {"rank": 1, "reason": "r"},
                                  None, "s", AT)  # fmt: skip
    assert refused.value.code == "invalid_state" and "入选" in refused.value.message


def test_a_rank_held_by_another_entry_of_the_call_is_refused_naming_it() -> None:
    with pytest.raises(Refused) as refused:
        recommendations.recommend(selected(), {"rank": 2, "reason": "r"}, OTHER, "s", AT)
    assert refused.value.code == "invalid_state"
    assert OTHER in refused.value.message and refused.value.extra["holder"] == OTHER


def test_re_recommending_an_entry_at_its_own_rank_or_another_changes_it() -> None:
    first, _ = recommendations.recommend(selected(), {"rank": 2, "reason": "a"}, None, "s", AT)
    again, (_, data) = recommendations.recommend(first, {"rank": 2, "reason": "b"}, SID, "s", AT)
    assert data == {"rank": 2, "reason": "b", "entry_version": 0}
    moved, (_, data) = recommendations.recommend(again, {"rank": 5, "reason": "b"}, None, "s", AT)
    assert moved.recommendation is not None and moved.recommendation["rank"] == 5


def test_staff_withdraw_a_recommendation_and_cannot_withdraw_none() -> None:
    recommended, _ = recommendations.recommend(selected(), {"rank": 1, "reason": "r"}, None,
                                               "s", AT)  # fmt: skip
    after, recorded = recommendations.withdraw(recommended, "名额调整")
    assert after.recommendation is None
    assert recorded == ("RecommendationWithdrawn", {"reason": "名额调整", "lapsed": False})
    with pytest.raises(Refused) as refused:
        recommendations.withdraw(after, "")
    assert refused.value.code == "invalid_state"


@pytest.mark.parametrize("reason", [decisions.AMENDED, decisions.WITHDRAWN_BY_OFFICE])
def test_a_lapsed_selection_lapses_the_recommendation(reason: str) -> None:
    recommended, _ = recommendations.recommend(selected(), {"rank": 1, "reason": "r"}, None,
                                               "s", AT)  # fmt: skip
    after, recorded = decisions.lapse(recommended, "screening", AT, reason)
    assert after.recommendation is None
    assert [name for name, _ in recorded] == ["SelectionRecorded", "RecommendationWithdrawn"]
    assert recorded[-1][1] == {"reason": reason, "lapsed": True}


def test_not_selected_over_a_selection_lapses_the_recommendation() -> None:
    recommended, _ = recommendations.recommend(selected(), {"rank": 1, "reason": "r"}, None,
                                               "s", AT)  # fmt: skip
    unselected, _ = decisions.select(recommended, {"decision": "not_selected", "note": ""},
                                     "s", AT)  # fmt: skip
    after, ended = recommendations.lapse(unselected, recommendations.UNSELECTED)
    assert after.recommendation is None and ended[0][1]["lapsed"] is True
    # A selection re-recorded as selected keeps it.
    reselected, _ = decisions.select(recommended, {"decision": "selected", "note": ""}, "s", AT)
    assert recommendations.lapse(reselected, "x") == (reselected, [])
