"""The city's recommendation to the province (推荐省级). Pure: the use case finds who holds a
rank and appends what these return.

- Only a selected entry is recommended: the notice recommends "遴选出的优秀科创项目", so the
  recommendation stands on the city's standing selection (`selected`, not lapsed).
- A rank is unique within the call: two entries of one call never share a rank. Another entry
  holding it is refused (409), naming that entry; re-recommending an entry moves it to the new
  rank or gives it a new reason.
- Staff withdraw a recommendation with an optional reason; screening withdraws it itself
  (`lapsed`) when the selection it stands on lapses (an amendment, the office's withdrawal) or
  staff record `not_selected`: a recommendation of an entry the city no longer selects would
  send the province something the city did not choose.

Each decision returns the entry after it and the events to record (`tracked.Recorded`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.screening.domain.tracked import Recorded, Tracked
from shared.catalog.vocabulary import SELECTED
from shared.errors import Refused

UNSELECTED = "项目不再是入选状态，推荐省级随之撤销"


def selection_stands(tracked: Tracked) -> bool:
    """Whether the city's selection of the entry stands (selected and not lapsed)."""
    selection = tracked.selection or {}
    return selection.get("decision") == SELECTED and not selection.get("lapsed")


def recommend(
    tracked: Tracked,
    body: Mapping[str, Any],
    holder: str | None,
    by: str,
    at: datetime,
) -> tuple[Tracked, Recorded]:
    """Recommend the entry (`body`: {rank, reason}); `holder` is the other entry of the call
    that holds the rank now, if any."""
    if not selection_stands(tracked):
        raise Refused(
            "invalid_state", "只有已入选（selected）的项目可以推荐省级", state=tracked.state
        )
    rank = int(body["rank"])
    if holder is not None and holder != tracked.submission_id:
        raise Refused(
            "invalid_state",
            f"推荐排序 {rank} 已由项目 {holder} 占用，请先调整该项目的排序",
            {"rank": [f"已由项目 {holder} 占用"]},
            holder=holder,
        )
    data = {"rank": rank, "reason": str(body["reason"]), "entry_version": tracked.entry_version}
    recommended = replace(tracked, recommendation=data | {"by": by, "at": at.isoformat()})
    return recommended, ("EntryRecommended", data)


def withdraw(tracked: Tracked, reason: str) -> tuple[Tracked, Recorded]:
    """Staff withdraw the recommendation."""
    if tracked.recommendation is None:
        raise Refused("invalid_state", "该项目未被推荐省级，无可撤销的推荐", state=tracked.state)
    return replace(tracked, recommendation=None), (
        "RecommendationWithdrawn",
        {"reason": reason, "lapsed": False},
    )


def lapse(tracked: Tracked, reason: str) -> tuple[Tracked, list[Recorded]]:
    """The recommendation no longer stands because the selection does not (`reason` says why);
    nothing when there is none or the selection still stands."""
    if tracked.recommendation is None or selection_stands(tracked):
        return tracked, []
    ended = ("RecommendationWithdrawn", {"reason": reason, "lapsed": True})
    return replace(tracked, recommendation=None), [ended]
