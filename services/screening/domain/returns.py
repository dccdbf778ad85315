"""A return for revision (退回修改) as screening judges it.

Intake owns the return (`SubmissionReturned`: reasons, fields, due); screening keeps the
standing one on the entry and decides one thing from it: an entry not submitted again by the
return's due time (or a later extension granted to it or its district) is ineligible, with a
finding that cites the return. It is decided from the events' own times, never from when
screening read them: a resubmission counts when intake's `SubmissionSubmitted` occurred by the
deadline, however late screening hears of it (the timer may have judged the entry ineligible
meanwhile; the resubmission's screening then replaces that verdict). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.screening.domain.rules import FAIL, Finding
from services.screening.domain.rulesets import RULESET_VERSION
from services.screening.domain.screening import Result
from shared.calls import beijing_time, past
from shared.catalog.vocabulary import INELIGIBLE

RULE = "returned_not_resubmitted"
CLAUSE = "退回修改"


def returned(data: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """The standing return after a `SubmissionReturned` with `data` that occurred `at`."""
    return {
        "due": data["due"],
        "reasons": data["reasons"],
        "fields": list(data.get("fields", [])),
        "at": at.isoformat(),
        "resubmitted_at": None,
    }


def resubmitted(standing: Mapping[str, Any], at: datetime | None) -> dict[str, Any]:
    """The return once the entry was submitted again at `at` (the event's time)."""
    return dict(standing) | {"resubmitted_at": at.isoformat() if at else None}


def due(standing: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(standing["due"])


def lapsed(standing: Mapping[str, Any] | None, deadline: datetime | None, now: datetime) -> bool:
    """Whether the entry missed its return's `deadline` (the due, or a later extension): not
    submitted again by then, judged at the resubmission's own time if there was one, else
    now."""
    if standing is None or deadline is None:
        return False
    again = standing.get("resubmitted_at")
    if again:
        return past(deadline, datetime.fromisoformat(again))
    return past(deadline, now)


def not_resubmitted(deadline: datetime) -> Result:
    """The screening of an entry that missed its return's deadline."""
    when = beijing_time(deadline)
    finding = Finding(
        rule=RULE,
        clause=CLAUSE,
        outcome=FAIL,
        message=f"退回修改后未在{when}前重新提交",
        message_en=f"Returned for revision and not resubmitted by {deadline.isoformat()}",
    )
    return Result(state=INELIGIBLE, ruleset=RULESET_VERSION, findings=(finding,), priority=False)


def awaiting_resubmission() -> dict[str, Any]:
    """The screening of a returned entry until it is submitted again, as ScreeningCompleted's
    data: `pending`, no finding. The result before the return no longer stands, and saying so
    in screening's own log means a reader of that log alone (reporting) never shows it for a
    returned entry, whichever owner's log it reads first."""
    return {"state": "pending", "ruleset": RULESET_VERSION, "findings": [], "priority": False}
