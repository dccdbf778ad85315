"""An entry (申报项目) as intake sees it, and the commands a district office or staff give it.

Pure: the state is folded from the entry's events, and each command checks its rules and
returns the data of the event it produces (the service layer appends it). Nothing here does
I/O; time and the call come in as arguments.
"""

from __future__ import annotations

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
from shared.calls import Call, beijing_time
from shared.catalog.upcast import upcast_fields
from shared.catalog.vocabulary import DRAFT, SUBMITTED, WITHDRAWN
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
    created_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    changed: list[str] = field(default_factory=list)


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
    if event.type == "SubmissionWithdrawn":
        return replace(entry, status=WITHDRAWN)
    if event.type == "ServiceOfficerAssigned":
        return replace(entry, officer={"name": data["name"], "phone": data["phone"]})
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


def update(entry: Submission, patch: Any, call: Call, now: datetime) -> dict[str, Any]:
    """Change fields. A submitted entry may be amended while the call is open, and must stay
    complete; a withdrawn one is closed."""
    if entry.status == WITHDRAWN:
        raise Refused("invalid_state", "项目已撤回，不能修改")
    if entry.status == SUBMITTED and not call.is_open(now):
        raise Refused(
            "call_closed", f"征集已于{beijing_time(call.closes)}截止，已提交的项目不能再修改"
        )
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


def submit(entry: Submission, call: Call, now: datetime) -> dict[str, Any]:
    """Hand the draft in: only within the call's window, and only when complete."""
    if entry.status != DRAFT:
        raise Refused("invalid_state", f"只有草稿可以提交（当前：{STATUS_NAMES[entry.status]}）")
    if now.replace(microsecond=0) < call.opens:
        raise Refused("call_closed", f"征集尚未开始，将于{beijing_time(call.opens)}开始")
    if call.has_closed(now):
        raise Refused("call_closed", f"征集已于{beijing_time(call.closes)}截止")
    missing = missing_for_submit(entry.category, entry.fields)
    if missing:
        raise Refused("validation_failed", "项目信息不完整，请补充后再提交", missing)
    return {"submission_id": entry.id, "call_id": entry.call_id}


def withdraw(entry: Submission, selected: bool) -> dict[str, Any]:
    if entry.status == WITHDRAWN:
        raise Refused("invalid_state", "项目已撤回")
    if selected:
        raise Refused("invalid_state", "项目已被市科协遴选，不能撤回")
    return {"submission_id": entry.id}


def assign_officer(entry: Submission, name: str, phone: str) -> dict[str, Any]:
    return {"submission_id": entry.id, "name": name, "phone": phone}
