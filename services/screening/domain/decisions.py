"""Staff's decisions on a screened entry, and what an amendment or a withdrawal does to them.
Pure: the use case loads the entry, calls these, and appends what they return.

- Staff review (审核) only an entry `in_review`: a review cannot override a `fail` or a
  `missing`, so it is refused rather than recorded unused.
- The city selects (遴选) only an `eligible` entry (and recommends to the province only a
  selected one: `recommendations`); `not_selected` may be recorded for any
  screened entry.
- An amendment of a submitted (or returned for revision) entry's fields lapses both: staff
  reviewed and the city selected the entry as it was, so neither decision may carry over to
  text they have not seen.
- A withdrawal lapses both too, and no decision is taken on a withdrawn entry: **the office's
  withdrawal stands.** An office may withdraw its entry until the city has selected it *and
  intake knows it* (intake refuses the withdrawal then); once intake has accepted a withdrawal
  the entry is out of the call, and a selection screening recorded before it heard of the
  withdrawal lapses (`not_selected`, `lapsed`, caused by the withdrawal's event). Why this
  rule: each fact is decided by its owner (intake owns the entry's status, screening the
  selection), so no cross-service lock or RPC is needed in the request path; the end state is
  the same whichever request arrives first (withdrawn, no standing selection); and the lapse is
  an event of its own in the entry's history, with its cause, actor, reason and time.

Each decision returns the entry after it and the events to record, as (event type name, data)
pairs without the submission id (the use case adds it, with the envelope).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.screening.domain import recommendations
from services.screening.domain.tracked import Recorded, Tracked
from shared.catalog.vocabulary import (
    ELIGIBLE,
    IN_REVIEW,
    NOT_SELECTED,
    RETURNED,
    SELECTED,
    SUBMITTED,
    WITHDRAWN,
)
from shared.errors import Refused

__all__ = ["Recorded"]  # the use cases read it from here
AMENDED = "项目提交后内容已修改，原审核、遴选结论不再适用，须重新审核"
WITHDRAWN_BY_OFFICE = "区县已撤回该项目"


def check_decidable(tracked: Tracked, act: str) -> None:
    """Staff decide (`act`: 审核, 遴选) on a submitted, screened entry only: a withdrawn entry
    is out of the call, whatever it was before."""
    if tracked.status == WITHDRAWN:
        raise Refused("invalid_state", f"项目已撤回，不能{act}", state=tracked.state)
    if tracked.status == RETURNED:
        raise Refused("invalid_state", f"项目已退回修改，重新提交后才能{act}", state=tracked.state)
    if tracked.status != SUBMITTED or tracked.result is None:
        raise Refused("invalid_state", "项目尚未提交，尚无筛查结果", state=tracked.state)


def check_version(tracked: Tracked, seen: int | None) -> None:
    """A decision names the entry version it was made on (`seen`: the version of intake's
    entry the staff member was shown, sent as `If-Match`). It is refused while screening has
    not yet applied that version (its rules, and any lapse the change causes, are still to
    come: accepting it now would let the change, arriving later, undo it), and once the entry
    has moved past it (the decision is about a text that no longer stands). Either way staff
    refresh and decide again on what screening now has. Without `If-Match` (older clients)
    the decision is on the version screening has applied; so is any decision on a row from
    before versions were kept (`entry_version` 0)."""
    current = tracked.entry_version
    if seen is None or current == 0 or seen == current:
        return
    if seen > current:
        raise Refused(
            "version_conflict",
            f"筛查尚未处理该项目的第 {seen} 版（目前为第 {current} 版），请稍后刷新后重试",
            current_version=current,
        )
    raise Refused(
        "version_conflict",
        f"项目已修改（目前为第 {current} 版，所见为第 {seen} 版），请刷新后重试",
        current_version=current,
    )


def review(
    tracked: Tracked, decision: Mapping[str, Any], by: str, at: datetime
) -> tuple[Tracked, Recorded]:
    """Staff settle the review items (`decision`: {decision, note}); the entry is then to be
    screened again with their settlement."""
    if tracked.state != IN_REVIEW:
        raise Refused("invalid_state", "只有待审核（in_review）的项目可以审核", state=tracked.state)
    data = dict(decision) | {"entry_version": tracked.entry_version}
    settled = replace(tracked, review=data | {"by": by, "at": at.isoformat()})
    return settled, ("ReviewRecorded", data)


def select(
    tracked: Tracked, decision: Mapping[str, Any], by: str, at: datetime
) -> tuple[Tracked, Recorded]:
    """The city's selection (`decision`: {decision, note})."""
    if decision["decision"] == SELECTED and tracked.state != ELIGIBLE:
        raise Refused(
            "invalid_state", "只有符合条件（eligible）的项目可以遴选", state=tracked.state
        )
    data = dict(decision) | {"lapsed": False, "entry_version": tracked.entry_version}
    selected = replace(tracked, selection=data | {"by": by, "at": at.isoformat()})
    return selected, ("SelectionRecorded", data)


def amended(before: Tracked, after: Tracked, event_type: str) -> bool:
    """Whether an intake event amended a submitted entry's fields. A settlement is staff's
    judgement of the review items (is it a real breakthrough? are the benefits evident?) on the
    text they read: when the fields change, that judgement is about another text. Materials do
    not count: no review item reads them, and intake sends an update only when the fields were
    patched."""
    return (
        event_type == "SubmissionUpdated"
        and before.status in (SUBMITTED, RETURNED)
        and after.fields != before.fields
    )


def withdrawn(before: Tracked, after: Tracked) -> bool:
    """Whether an intake event withdrew the entry (intake accepted the office's withdrawal)."""
    return after.status == WITHDRAWN and before.status != WITHDRAWN


def made_on(decision: Mapping[str, Any] | None) -> int:
    """The entry version a standing decision was made on (0: not known, an older one)."""
    value = (decision or {}).get("entry_version")
    return value if isinstance(value, int) else 0


def lapse_reason(
    before: Tracked, after: Tracked, event_type: str, version: int | None = None
) -> str | None:
    """Why an intake event (of entry `version`) voids staff's decisions on the entry, if it
    does. Only a change that comes after a decision voids it: an event of a version no later
    than every standing decision's was already seen when they were made."""
    standing = [d for d in (before.review, before.selection) if d is not None]
    if version is not None and standing and all(version <= made_on(d) for d in standing):
        return None
    if amended(before, after, event_type):
        return AMENDED
    if withdrawn(before, after):
        return WITHDRAWN_BY_OFFICE
    return None


def lapse(
    tracked: Tracked, by: str, at: datetime, reason: str = AMENDED
) -> tuple[Tracked, list[Recorded]]:
    """Staff's decisions no longer stand (`reason`: amended, withdrawn): the review is cleared
    (an amended entry goes back to review), and a selection not already lapsed becomes a
    `not_selected` recorded by screening itself (`lapsed`), and with it the recommendation to
    the province, if any (`recommendations.lapse`)."""
    recorded: list[Recorded] = []
    if tracked.review is not None:
        recorded.append(("ReviewLapsed", {"reason": reason}))
        tracked = replace(tracked, review=None)
    if tracked.selection is not None and not tracked.selection.get("lapsed"):
        lapsed = {"decision": NOT_SELECTED, "note": reason, "lapsed": True}
        recorded.append(("SelectionRecorded", lapsed))
        tracked = replace(tracked, selection=lapsed | {"by": by, "at": at.isoformat()})
    tracked, ended = recommendations.lapse(tracked, reason)
    return tracked, recorded + ended
