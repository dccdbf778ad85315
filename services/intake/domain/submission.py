"""An entry (申报项目) as intake sees it, and the commands a district office or staff give it.

Pure: the state is folded from the entry's events, and each command checks its rules and
returns the data of the event it produces (the service layer appends it). Nothing here does
I/O; time and the call come in as arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.intake.domain.entry import (
    EntryInvalid,
    load_draft,
    merge,
    missing_for_submit,
    with_region_code,
)
from services.intake.domain.revision import in_future, load_return
from shared.calls import Call, Extension, beijing_time, extended, past, returned_until
from shared.catalog.upcast import upcast_fields
from shared.catalog.vocabulary import DRAFT, RETURNED, SUBMITTED, WITHDRAWN
from shared.catalog.vocabulary import SUBMISSION_STATUS_LABELS as STATUS_NAMES
from shared.errors import Refused
from shared.events import Event


@dataclass(frozen=True)
class Submission:
    id: str
    district: str
    call_id: str
    category: str
    fields: dict[str, Any]
    status: str = DRAFT
    version: int = 0
    officer: dict[str, str] | None = None
    # The 保姆 the office proposed, awaiting staff's confirmation: {name, phone, by, at}.
    officer_proposal: dict[str, str] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    changed: list[str] = field(default_factory=list)
    # The latest return for revision: {reasons, fields, due, at, by}; kept after the entry is
    # submitted again, since its due time still bounds when materials count (`closes`).
    returned: dict[str, Any] | None = None

    @property
    def return_due(self) -> datetime | None:
        return datetime.fromisoformat(self.returned["due"]) if self.returned else None

    def deadline(self, call: Call, extensions: Iterable[Extension]) -> datetime:
        """Until when the office may submit or amend it: a returned entry until the return's
        due (even after the call's close), any other until the call's close; an extension
        granted to the entry or its district moves either later."""
        extensions = list(extensions)
        due = self.return_due
        if self.status == RETURNED and due is not None:
            return returned_until(call, self.district, self.id, extensions, due)
        return extended(call, self.district, self.id, extensions)


def apply(entry: Submission | None, event: Event) -> Submission:
    """The entry after `event` (the first event must be SubmissionDrafted)."""
    data, at = event.data, event.occurred_at
    if event.type == "SubmissionDrafted":
        return Submission(
            id=data["submission_id"],
            district=data["district"],
            call_id=data["call_id"],
            category=data["category"],
            fields=upcast_fields(data["fields"]),
            version=event.version,
            created_at=at,
            updated_at=at,
        )
    if entry is None:
        raise ValueError(f"{event.type} before SubmissionDrafted in {event.stream_id}")
    entry = replace(entry, version=event.version, updated_at=at)
    if event.type == "SubmissionUpdated":
        return replace(entry, fields=upcast_fields(data["fields"]))
    if event.type == "SubmissionSubmitted":
        return replace(entry, status=SUBMITTED, submitted_at=at)
    if event.type == "SubmissionReturned":
        returned = {
            "reasons": data["reasons"],
            "fields": list(data.get("fields", [])),
            "due": data["due"],
            "at": at.isoformat(),
            "by": event.actor.subject,
        }
        return replace(entry, status=RETURNED, returned=returned)
    if event.type == "SubmissionWithdrawn":
        return replace(entry, status=WITHDRAWN)
    if event.type == "ServiceOfficerAssigned":
        officer = {"name": data["name"], "phone": data["phone"]}
        return replace(entry, officer=officer, officer_proposal=None)
    if event.type == "ServiceOfficerProposed":
        proposal = {"name": data["name"], "phone": data["phone"], "by": event.actor.subject,
                    "at": at.isoformat()}  # fmt: skip
        return replace(entry, officer_proposal=proposal)
    return entry  # an event type intake does not act on


def replay(events: list[Event]) -> Submission | None:
    entry = None
    for event in events:
        entry = apply(entry, event)
    return entry


def _refuse_invalid(error: EntryInvalid) -> Refused:
    return Refused("validation_failed", "项目信息有误", error.fields)


def draft(submission_id: str, district: str, call: Call, body: Any) -> dict[str, Any]:
    """A new draft in `district` for `call`. A draft may lack required fields."""
    if district not in call.districts:
        raise Refused("forbidden", f"{district}不在本次征集（{call.title}）的范围内")
    try:
        fields = load_draft(body)
    except EntryInvalid as error:
        raise _refuse_invalid(error) from None
    if fields["category"] not in call.categories:
        raise Refused(
            "validation_failed", "本次征集不接受该类别", {"category": ["本次征集不接受该类别"]}
        )
    fields.pop("call_id", None)
    fields = with_region_code(fields, fields)
    return {
        "submission_id": submission_id,
        "district": district,
        "call_id": call.id,
        "category": fields["category"],
        "fields": fields,
    }


def update(
    entry: Submission, patch: Any, call: Call, now: datetime, until: datetime | None = None
) -> dict[str, Any]:
    """Change fields. A submitted entry may be amended until its deadline (`until`: the
    call's close or an extension) and must stay complete; a returned one may be edited until
    the return's due, even after the call closed, and is checked when submitted again; a
    withdrawn one is closed."""
    until = until or call.closes
    if entry.status == WITHDRAWN:
        raise Refused("invalid_state", "项目已撤回，不能修改")
    if entry.status == RETURNED and past(until, now):
        raise Refused("call_closed", f"退回修改的期限已于{beijing_time(until)}截止，不能再修改")
    if entry.status == SUBMITTED and past(until, now):
        raise Refused("call_closed", f"征集已于{beijing_time(until)}截止，已提交的项目不能再修改")
    if isinstance(patch, dict) and "call_id" in patch and patch["call_id"] != entry.call_id:
        raise Refused("validation_failed", "不能修改所属征集", {"call_id": ["不能修改所属征集"]})
    try:
        changes = load_draft(patch, category=entry.category)
    except EntryInvalid as error:
        raise _refuse_invalid(error) from None
    changes.pop("call_id", None)
    fields = with_region_code(merge(entry.fields, changes), changes)
    if entry.status == SUBMITTED:
        missing = missing_for_submit(entry.category, fields)
        if missing:
            raise Refused("validation_failed", "已提交的项目修改后仍须完整", missing)
    return {"submission_id": entry.id, "changed": sorted(changes), "fields": fields}


def submit(
    entry: Submission, call: Call, now: datetime, until: datetime | None = None
) -> dict[str, Any]:
    """Hand the draft in, or a returned entry again: a draft within the call's window (its
    close moved to `until` by an extension), a returned entry until the return's due
    (`until`, even after the call closed); only when complete."""
    until = until or call.closes
    if entry.status not in (DRAFT, RETURNED):
        raise Refused(
            "invalid_state",
            f"只有草稿或退回修改的项目可以提交（当前：{STATUS_NAMES[entry.status]}）",
        )
    if entry.status == RETURNED:
        if past(until, now):
            raise Refused("call_closed", f"退回修改的期限已于{beijing_time(until)}截止，不能再提交")
    else:
        if now.replace(microsecond=0) < call.opens:
            raise Refused("call_closed", f"征集尚未开始，将于{beijing_time(call.opens)}开始")
        if past(until, now):
            raise Refused("call_closed", f"征集已于{beijing_time(until)}截止")
    missing = missing_for_submit(entry.category, entry.fields)
    if missing:
        raise Refused("validation_failed", "项目信息不完整，请补充后再提交", missing)
    return {"submission_id": entry.id, "call_id": entry.call_id}


def return_for_revision(entry: Submission, body: Any, now: datetime) -> dict[str, Any]:
    """Staff return a submitted entry (退回修改) with reasons, optionally the fields or
    clauses concerned, and a due time in the future; the event's data."""
    if entry.status != SUBMITTED:
        raise Refused(
            "invalid_state",
            f"只有已提交的项目可以退回修改（当前：{STATUS_NAMES[entry.status]}）",
        )
    request = load_return(body)
    in_future(request["due"], now, "due", "退回修改的期限")
    return {
        "submission_id": entry.id,
        "reasons": request["reasons"],
        "fields": request["fields"],
        "due": request["due"].isoformat(),
    }


def withdraw(entry: Submission, selected: bool) -> dict[str, Any]:
    if entry.status == WITHDRAWN:
        raise Refused("invalid_state", "项目已撤回")
    if selected:
        raise Refused("invalid_state", "项目已被市科协遴选，不能撤回")
    return {"submission_id": entry.id}


def assign_officer(entry: Submission, name: str, phone: str) -> dict[str, Any]:
    return {"submission_id": entry.id, "name": name, "phone": phone}


def propose_officer(entry: Submission, name: str, phone: str) -> dict[str, Any]:
    """The office proposes its 保姆 (staff confirm it by assigning); not for a withdrawn one."""
    if entry.status == WITHDRAWN:
        raise Refused("invalid_state", "项目已撤回")
    return {"submission_id": entry.id, "name": name, "phone": phone}
