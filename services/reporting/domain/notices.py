"""Notices (通知): what an office or the city's staff is told, derived from the owners' events.
Pure: events in, notices out.

A notice is a projection of the event that caused it, so its id is a UUID derived from the
causing event's id and the recipient: a redelivered, replayed or rebuilt event yields the same
notice, and storing it again changes nothing. The deadline notices have no causing event; the
clock decides them, and their id is derived from (call, district, threshold), so each is made
once however often the timer runs or the service restarts.

What a notice needs to know of an entry (its district, call, title, contact e-mail, where it
stands) is folded from intake's and screening's events into `Facts`, kept beside the notices.
Each owner's events come in order, but the owners' logs are read independently: a screening
result folded before the draft it is about has no district yet and tells no one (intake's
draft is logged long before screening judges the entry, so this happens only when the notices
are replayed from nothing, and then the result is old news).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from shared.calls import Call, beijing_time
from shared.catalog.vocabulary import (
    DRAFT,
    INCOMPLETE,
    MATERIAL_KIND_LABELS,
    RETURNED,
    SELECTED,
    STATE_LABELS,
    SUBMITTED,
    WITHDRAWN,
)

# The namespace of notice ids (any fixed UUID: it only keeps them apart from other uuid5s).
NAMESPACE = uuid.UUID("6b1c3f4e-7d0a-4a57-9a42-1f8e2c3d5b60")
STAFF = "staff"

# Kinds, as the API gives them; the console shows the labels.
RETURNED_KIND = "returned"
EXTENSION = "extension"
SCREENING = "screening"
MATERIAL_REJECTED = "material_rejected"
SELECTED_KIND = "selected"
RECOMMENDED = "recommended"
DEADLINE = "deadline"
BATCH_SENT = "batch_sent"
RESUBMITTED = "resubmitted"
LAPSED = "lapsed"
OFFICER_PROPOSED = "officer_proposed"
KINDS = (
    RETURNED_KIND,
    EXTENSION,
    SCREENING,
    MATERIAL_REJECTED,
    SELECTED_KIND,
    RECOMMENDED,
    DEADLINE,
    BATCH_SENT,
    RESUBMITTED,
    LAPSED,
    OFFICER_PROPOSED,
)

# The deadline's warnings, tightest last: "3 days before" and "1 day before" the close.
THRESHOLDS = (timedelta(days=3), timedelta(days=1))
# A screening state that is no news to the office: `pending` follows a return, already told.
UNTOLD_STATES = frozenset({"pending"})


def office(district: str) -> str:
    return f"office:{district}"


def notice_id(cause: str, recipient: str) -> str:
    """The same cause and recipient always give the same id (no duplicate on a replay)."""
    return str(uuid.uuid5(NAMESPACE, f"{cause}|{recipient}"))


class Facts(NamedTuple):
    """What the notices know of one entry."""

    submission_id: str
    district: str | None = None
    call_id: str | None = None
    title: str = ""
    email: str | None = None  # the entry's contact e-mail, if it gives one
    status: str = DRAFT
    screening_state: str | None = None


@dataclass(frozen=True)
class Notice:
    notice_id: str
    recipient: str  # `office:<district>` or `staff`
    kind: str
    title: str
    body: str
    at: datetime
    submission_id: str | None = None
    email: str | None = None  # where it is mailed (when e-mail is on), if anywhere

    def as_dict(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id,
            "recipient": self.recipient,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "submission_id": self.submission_id,
            "created_at": self.at,
        }


def _email(fields: Any) -> str | None:
    contact = fields.get("contact") if isinstance(fields, dict) else None
    value = contact.get("email") if isinstance(contact, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _title(fields: Any) -> str:
    value = fields.get("title") if isinstance(fields, dict) else None
    return value if isinstance(value, str) else ""


def fold_facts(facts: Facts | None, type_: str, data: dict[str, Any]) -> Facts | None:
    """`facts` after one event (None: the event says nothing about an entry)."""
    submission_id = data.get("submission_id")
    if not isinstance(submission_id, str):
        return facts
    before = facts or Facts(submission_id)
    if type_ == "SubmissionDrafted":
        return before._replace(
            district=data["district"],
            call_id=data["call_id"],
            title=_title(data["fields"]),
            email=_email(data["fields"]),
        )
    if type_ == "SubmissionUpdated":
        return before._replace(title=_title(data["fields"]), email=_email(data["fields"]))
    if type_ == "SubmissionSubmitted":
        return before._replace(status=SUBMITTED)
    if type_ == "SubmissionWithdrawn":
        return before._replace(status=WITHDRAWN)
    if type_ == "SubmissionReturned":
        return before._replace(status=RETURNED, screening_state=None)
    if type_ == "ScreeningCompleted":
        return before._replace(screening_state=data["state"])
    return facts


def _called(facts: Facts) -> str:
    return f"“{facts.title}”" if facts.title else "项目"


def derive(
    event_id: str,
    type_: str,
    data: dict[str, Any],
    at: datetime,
    facts: Facts | None,
    calls: Mapping[str, Call],
) -> list[Notice]:
    """The notices one event gives. `facts` is the entry as known *before* the event (so a
    screening result can be compared with the last one, a submission with a return)."""
    maker = _MAKERS.get(type_)
    if maker is None:
        return []
    return maker(_Cause(event_id, data, at, facts, calls))


@dataclass(frozen=True)
class _Cause:
    event_id: str
    data: dict[str, Any]
    at: datetime
    facts: Facts | None
    calls: Mapping[str, Call]

    def to_office(self, kind: str, title: str, body: str) -> list[Notice]:
        """To the entry's office (nothing while its district is not known)."""
        facts = self.facts
        district = self.data.get("district") or (facts.district if facts else None)
        if not isinstance(district, str) or not district:
            return []
        recipient = office(district)
        return [
            Notice(
                notice_id(self.event_id, recipient),
                recipient,
                kind,
                title,
                body,
                self.at,
                facts.submission_id if facts else self.data.get("submission_id"),
                facts.email if facts else None,
            )
        ]

    def to_staff(self, kind: str, title: str, body: str, call_id: str | None) -> list[Notice]:
        call = self.calls.get(call_id or "")
        # Staff's notices go to the city's address (市科协), never a district's mailbox.
        contact = call.contact_of_city() if call is not None else None
        email = contact.email if contact is not None else None
        facts = self.facts
        return [
            Notice(
                notice_id(self.event_id, STAFF),
                STAFF,
                kind,
                title,
                body,
                self.at,
                facts.submission_id if facts else self.data.get("submission_id"),
                email,
            )
        ]

    @property
    def entry(self) -> Facts:
        return self.facts or Facts(str(self.data.get("submission_id", "")))


def _returned(cause: _Cause) -> list[Notice]:
    data = cause.data
    due = datetime.fromisoformat(data["due"]) if isinstance(data["due"], str) else data["due"]
    lines = [f"退回理由：{data['reasons']}"]
    if data.get("fields"):
        lines.append("请修改：" + "、".join(data["fields"]))
    # A return never shortens the call: the office has until the later of the due and the
    # call's close (an extension may give more; its own notice says so).
    call = cause.calls.get(cause.entry.call_id or "")
    until = max(due, call.closes) if call is not None else due
    lines.append(f"请于 {beijing_time(until)} 前修改并重新提交，逾期未提交将判为不符合条件。")
    title = f"项目{_called(cause.entry)}已退回修改"
    return cause.to_office(RETURNED_KIND, title, "\n".join(lines))


def _extension(cause: _Cause) -> list[Notice]:
    data = cause.data
    until = data["until"]
    until = datetime.fromisoformat(until) if isinstance(until, str) else until
    call = cause.calls.get(data.get("call_id", ""))
    what = f"“{call.title}”" if call is not None else "本次征集"
    whom = f"项目{_called(cause.entry)}" if data.get("submission_id") else f"{data['district']}"
    body = f"{whom}的{what}截止时间延长至 {beijing_time(until)}。\n理由：{data['reason']}"
    return cause.to_office(EXTENSION, "已准予逾期补交", body)


def _screened(cause: _Cause) -> list[Notice]:
    state = cause.data["state"]
    before = cause.facts.screening_state if cause.facts else None
    if state in UNTOLD_STATES or state == before:
        return []
    label = STATE_LABELS.get(state, state)
    title = f"项目{_called(cause.entry)}审查状态：{label}"
    problems = [
        f.get("message", "")
        for f in cause.data.get("findings", [])
        if isinstance(f, dict) and f.get("outcome") in ("fail", "missing")
    ]
    body = f"审查结果为“{label}”。"
    if problems:
        body += "\n" + "\n".join(f"· {p}" for p in problems[:10])
    return cause.to_office(SCREENING, title, body)


def _rejected(cause: _Cause) -> list[Notice]:
    kind = MATERIAL_KIND_LABELS.get(cause.data.get("kind", ""), "材料")
    title = f"项目{_called(cause.entry)}的{kind}未通过校验"
    body = f"原因：{cause.data.get('reason', '')}\n请重新上传。"
    return cause.to_office(MATERIAL_REJECTED, title, body)


def _selection(cause: _Cause) -> list[Notice]:
    if cause.data.get("lapsed"):
        return _selection_lapsed(cause)
    if cause.data.get("decision") != SELECTED:
        return []
    title = f"项目{_called(cause.entry)}已入选"
    return cause.to_office(SELECTED_KIND, title, "市科协遴选：入选。")


def _lapsed(cause: _Cause, what: str) -> list[Notice]:
    """A decision screening voided because the entry changed after it (or was withdrawn):
    the office and staff are told which, and why, so nobody finds it gone unexplained."""
    entry = cause.entry
    reason = cause.data.get("reason") or cause.data.get("note") or ""
    title = f"项目{_called(entry)}的{what}已失效"
    body = f"{what}已失效。原因：{reason}" if reason else f"{what}已失效。"
    call_id = entry.call_id
    return cause.to_office(LAPSED, title, body) + cause.to_staff(LAPSED, title, body, call_id)


def _selection_lapsed(cause: _Cause) -> list[Notice]:
    """`SelectionRecorded` with `lapsed`: a selection voided by a later change."""
    return _lapsed(cause, "市科协遴选结论")


def _review_lapsed(cause: _Cause) -> list[Notice]:
    """`ReviewLapsed`: staff's review voided by a later change (told to staff: the office's
    own change caused it, and the entry is to be reviewed again)."""
    entry, reason = cause.entry, cause.data.get("reason", "")
    title = f"项目{_called(entry)}的审核结论已失效"
    return cause.to_staff(LAPSED, title, f"审核结论已失效。原因：{reason}", entry.call_id)


def _recommendation_withdrawn(cause: _Cause) -> list[Notice]:
    """`RecommendationWithdrawn` with `lapsed`: screening ended it with the selection."""
    if not cause.data.get("lapsed"):
        return []
    return _lapsed(cause, "省级推荐")


def _officer_proposed(cause: _Cause) -> list[Notice]:
    """An office proposed its 保姆 for an entry: staff confirm it (by assigning)."""
    entry, data = cause.entry, cause.data
    title = f"{entry.district or ''}为项目{_called(entry)}提议了保姆"
    body = f"提议的保姆：{data.get('name', '')}（{data.get('phone', '')}），请确认。"
    return cause.to_staff(OFFICER_PROPOSED, title, body, entry.call_id)


def _recommended(cause: _Cause) -> list[Notice]:
    """`EntryRecommended` (screening's, from the recommendation): handled by name."""
    body = "已推荐参加四川省“科创会”展示展出。"
    if cause.data.get("rank") is not None:
        body += f"推荐排序：第 {cause.data['rank']} 位。"
    return cause.to_office(RECOMMENDED, f"项目{_called(cause.entry)}已推荐省级", body)


def _batch_sent(cause: _Cause) -> list[Notice]:
    """`BatchSent` (intake's, the district's 汇总报送): handled by name, to staff."""
    data = cause.data
    district = data.get("district", "")
    entries = data.get("entries")
    count = len(entries) if isinstance(entries, list) else data.get("count")
    body = f"{district}已汇总报送"
    body += f" {count} 个项目。" if isinstance(count, int) else "。"
    return cause.to_staff(BATCH_SENT, f"{district}已汇总报送", body, data.get("call_id"))


def _submitted(cause: _Cause) -> list[Notice]:
    """A returned entry submitted again: staff look at it again."""
    if cause.facts is None or cause.facts.status != RETURNED:
        return []
    facts = cause.facts
    title = f"退回修改的项目{_called(facts)}已重新提交"
    body = f"{facts.district or ''}的项目{_called(facts)}已修改并重新提交，将重新审查。"
    return cause.to_staff(RESUBMITTED, title, body, facts.call_id)


_MAKERS = {
    "SubmissionReturned": _returned,
    "ExtensionGranted": _extension,
    "ScreeningCompleted": _screened,
    "MediaRejected": _rejected,
    "SelectionRecorded": _selection,
    "EntryRecommended": _recommended,
    "ReviewLapsed": _review_lapsed,
    "ServiceOfficerProposed": _officer_proposed,
    "RecommendationWithdrawn": _recommendation_withdrawn,
    "BatchSent": _batch_sent,
    "SubmissionSubmitted": _submitted,
}
# Every event type that gives notices or changes the facts.
RELEVANT = frozenset({*_MAKERS, "SubmissionDrafted", "SubmissionUpdated", "SubmissionWithdrawn"})


def work_left(facts: Facts) -> bool:
    """An entry its office should still finish before the close: a draft, or handed in but
    incomplete. (A returned entry has its own due time and notice.)"""
    if facts.status == DRAFT:
        return True
    return facts.status == SUBMITTED and facts.screening_state == INCOMPLETE


def deadline_notices(
    calls: Iterable[Call],
    districts_with_work: Iterable[tuple[str, str]],
    extended: Mapping[tuple[str, str], datetime],
    now: datetime,
) -> list[Notice]:
    """The deadline warnings due at `now`: for each (call, district) with work left, the
    tightest threshold already reached before the district's close (the call's close, or the
    district's extension when later). Only the tightest: an office first seen a day before
    the close is told "1 day", not "3 days" too. Ids come from (call, district, threshold),
    so the timer may run any number of times."""
    by_id = {call.id: call for call in calls}
    found = []
    for call_id, district in sorted(set(districts_with_work)):
        call = by_id.get(call_id)
        if call is None:
            continue
        closes = max(call.closes, extended.get((call_id, district), call.closes))
        if now >= closes:
            continue
        reached = [t for t in THRESHOLDS if now >= closes - t]
        if not reached:
            continue
        threshold = min(reached)
        days = threshold.days
        recipient = office(district)
        cause = f"deadline|{call_id}|{district}|{days}d"
        title = f"距“{call.title}”截止还有不到 {days} 天"
        body = (
            f"本区县尚有未提交或材料不全的项目。截止时间：{beijing_time(closes)}，"
            "请及时完善并提交。"
        )
        found.append(Notice(notice_id(cause, recipient), recipient, DEADLINE, title, body, now))
    return found
