"""Intake's reads: an entry, its history, the entries a principal may list, whose entry an id
is (for media), and the calls an office may use. Who may read: district offices (their own
district's entries and calls only) and staff. The list reads the `submissions` rows (in
today's shape: `upcast_fields`); an entry and its history read its stream."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from services.intake.adapters import extensions
from services.intake.adapters.tables import submissions
from services.intake.domain import submission as domain
from services.intake.domain.entry import CATEGORIES
from services.intake.entries import entry_body, reachable
from shared.auth import Principal
from shared.calls import BEIJING, Call, beijing_time, extended, past
from shared.catalog import submission as catalog
from shared.catalog.upcast import upcast_fields
from shared.catalog.vocabulary import CATEGORY_LABELS as CATEGORY_NAMES
from shared.catalog.vocabulary import SUBMISSION_STATUSES
from shared.errors import Refused
from shared.events import Actor
from shared.eventstore import EventStore
from shared.repository import Streams

STATUSES = SUBMISSION_STATUSES


def _reader(principal: Principal) -> None:
    if principal.role not in ("office", "staff"):
        raise Refused("forbidden", "无权查看申报项目")


def _actor(actor: Actor) -> dict[str, Any]:
    shown = {"role": actor.role, "subject": actor.subject, "district": actor.district}
    if actor.person_id is not None:  # a person signed in: who, as the console shows them
        shown.update(person_id=actor.person_id, person_name=actor.person_name,
                     label=actor.label())  # fmt: skip
    return shown


def _history_item(e: Any) -> dict[str, Any]:
    return {
        "event_id": str(e.event_id),
        "type": e.type,
        "version": e.version,
        "occurred_at": e.occurred_at.isoformat(),
        "actor": _actor(e.actor),
        "data": e.data,
        # The request that caused it (its X-Request-Id): what support asks an office for.
        "correlation_id": str(e.correlation_id),
    }


class Entries:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.streams = Streams(store, domain.apply)

    def owner_of(self, submission_id: str, calls: dict[str, Call]) -> dict[str, str] | None:
        """The entry's district and call, and when the call closes for it (`closes`, ISO:
        later than the call's close under an extension or a return's due; absent when the
        calls file no longer names its call). None: no such entry."""
        if not isinstance(submission_id, str):
            return None
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(
                    submissions.c.district, submissions.c.call_id, submissions.c.body["returned"]
                ).where(submissions.c.id == submission_id)
            ).first()
            if row is None:
                return None
            owner = {"district": row.district, "call_id": row.call_id}
            call = calls.get(row.call_id)
            if call is None:
                return owner
            granted = extensions.covering(conn, call.id, row.district, submission_id)
        returned = row[2]
        due = datetime.fromisoformat(returned["due"]) if returned else None
        closes = extended(call, row.district, submission_id, granted, due)
        return owner | {"closes": closes.isoformat()}

    def get(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        _reader(principal)
        with self.store.engine.connect() as conn:
            linked = reachable(conn, principal, submission_id)
            entry = self.streams.load(conn, catalog.stream_id(submission_id))
        assert entry is not None  # its row is written with its first event
        return entry_body(entry, linked)

    def history(self, principal: Principal, submission_id: str) -> list[dict[str, Any]]:
        _reader(principal)
        with self.store.engine.connect() as conn:
            reachable(conn, principal, submission_id)
            events = self.store.read_stream(catalog.stream_id(submission_id), conn)
        return [_history_item(e) for e in events]

    def list(
        self, principal: Principal, filters: dict[str, str], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        _reader(principal)
        problems = {}
        if filters.get("status") and filters["status"] not in STATUSES:
            problems["status"] = [f"须为 {'、'.join(STATUSES)} 之一"]
        if filters.get("category") and filters["category"] not in CATEGORIES:
            problems["category"] = [f"须为 {'、'.join(CATEGORIES)} 之一"]
        if problems:
            raise Refused("validation_failed", "筛选条件无效", problems)
        where = []
        if principal.is_office:
            if filters.get("district") not in (None, "", principal.district):
                return [], 0  # another district's entries: nothing of them
            where.append(submissions.c.district == principal.district)
        elif filters.get("district"):
            where.append(submissions.c.district == filters["district"])
        for name in ("status", "category"):
            if filters.get(name):
                where.append(submissions.c[name] == filters[name])
        with self.store.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(submissions).where(*where))
            rows = conn.execute(
                select(submissions.c.body)
                .where(*where)
                .order_by(submissions.c.created_at.desc(), submissions.c.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            items = [upcast_fields(r.body) for r in rows]  # rows written before #13 too
            return items, total.scalar_one()


def call_body(
    call: Call, now: datetime, district: str | None = None, extended: datetime | None = None
) -> dict[str, Any]:
    """A call as offices read it: its window in ISO and in Beijing-time words, whether it is
    open now, its categories and districts with their Chinese names, and whom to ask: an
    office (`district`) its own district's contact, staff (None) the city's. For an office
    whose district was given more time (`extended`, a district-wide late exception past the
    close), until when, and whether it may still hand entries in (`accepts_entries`)."""
    contact = call.contact_of(district) if district else call.contact_of_city()
    later = extended if extended is not None and extended > call.closes else None
    return {
        "id": call.id,
        "title": call.title,
        "opens": call.opens.astimezone(BEIJING).isoformat(),
        "closes": call.closes.astimezone(BEIJING).isoformat(),
        "opens_text": beijing_time(call.opens),
        "closes_text": beijing_time(call.closes),
        "is_open": call.is_open(now),
        "categories": [{"code": c, "name": CATEGORY_NAMES[c]} for c in call.categories],
        "districts": [
            {"code": code, "name": name}
            for code, name in zip(call.district_codes, call.districts, strict=True)
        ],
        "contact": (
            {"name": contact.name, "phone": contact.phone, "address": contact.address,
             "email": contact.email}
            if contact
            else None
        ),
        "extended_until": later.astimezone(BEIJING).isoformat() if later else None,
        "extended_until_text": beijing_time(later) if later else None,
        "accepts_entries": call.is_open(now)
        or (later is not None and call.opens <= now and not past(later, now)),
    }  # fmt: skip


def calls_for(
    principal: Principal,
    calls: dict[str, Call],
    now: datetime,
    extended: Mapping[str, datetime] | None = None,
) -> list[dict[str, Any]]:
    """The calls an office may enter projects in (its district takes part); staff see all.
    `extended`: the office's district-wide extensions ({call id: until})."""
    _reader(principal)
    usable = [c for c in calls.values() if principal.is_staff or principal.district in c.districts]
    district = principal.district if principal.is_office else None
    more = extended or {}
    return [call_body(call, now, district, more.get(call.id)) for call in usable]
