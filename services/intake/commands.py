"""Intake's use cases: each runs in one transaction that loads the entry from its events, asks
the domain, appends the new event at the expected version (the store is the outbox) and updates
the `submissions` row. Who may do what is decided here, from the token's principal."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from services.intake.adapters.tables import idempotency_keys, submissions
from services.intake.domain import submission as domain
from services.intake.domain.entry import CATEGORIES
from shared.auth import Principal
from shared.calls import Call, open_calls
from shared.catalog import submission as catalog
from shared.errors import Refused, not_found, parse_id
from shared.events import Actor, EventType, new_event
from shared.eventstore import EventStore, VersionConflict

Clock = Callable[[], datetime]
STATUSES = (domain.DRAFT, domain.SUBMITTED, domain.WITHDRAWN)


@dataclass(frozen=True)
class Linked:
    """What other services' events added to an entry (services/intake/adapters/linked.py)."""

    selected: bool = False
    materials: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, row: Any) -> Linked:
        return cls(row.selected, tuple(row.body.get("materials", [])))


def entry_body(entry: domain.Submission, linked: Linked = Linked()) -> dict[str, Any]:
    """The entry as the API shows it: its fields, then what intake knows about it."""
    return entry.fields | {
        "id": entry.id,
        "district": entry.district,
        "call_id": entry.call_id,
        "category": entry.category,
        "status": entry.status,
        "version": entry.version,
        "selected": linked.selected,
        "officer": entry.officer,
        "materials": list(linked.materials),
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        "submitted_at": entry.submitted_at.isoformat() if entry.submitted_at else None,
    }


def body_hash(body: Any) -> str:
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


class Intake:
    def __init__(
        self, store: EventStore, calls: dict[str, Call], clock: Clock = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.calls = calls
        self.clock = clock

    # -- access -------------------------------------------------------------------------

    @staticmethod
    def _office(principal: Principal) -> str:
        if not principal.is_office or not principal.district:
            raise Refused("forbidden", "只有区县科协可以进行此操作")
        return principal.district

    @staticmethod
    def _reader(principal: Principal) -> None:
        if principal.role not in ("office", "staff"):
            raise Refused("forbidden", "无权查看申报项目")

    def _load(
        self, conn: Connection, principal: Principal, submission_id: str, lock: bool = False
    ) -> tuple[domain.Submission, Linked]:
        """The entry and what other services told about it; 404 for another district's entry
        (its existence is not leaked). `lock` holds the entry's row until the transaction
        ends, so a command decides on a state nobody changes under it (a selection arriving
        during a withdrawal, say)."""
        parse_id(submission_id, "申报项目")
        query = select(submissions.c.district, submissions.c.selected, submissions.c.body).where(
            submissions.c.id == submission_id
        )
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None or (principal.is_office and row.district != principal.district):
            raise not_found("申报项目")
        entry = domain.replay(self.store.read_stream(catalog.stream_id(submission_id), conn))
        assert entry is not None
        return entry, Linked.of(row)

    def _call(self, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise Refused("validation_failed", "征集不存在", {"call_id": ["征集不存在"]})
        return call

    # -- writing ------------------------------------------------------------------------

    def _record(
        self,
        conn: Connection,
        principal: Principal,
        entry: domain.Submission | None,
        event_type: EventType,
        data: dict[str, Any],
        linked: Linked = Linked(),
    ) -> domain.Submission:
        submission_id = data["submission_id"]
        event = new_event(
            event_type,
            catalog.stream_id(submission_id),
            data,
            actor=Actor(principal.role, principal.subject, principal.district),
        )
        try:
            stored = self.store.append(
                conn, event.stream_id, [event], entry.version if entry else 0
            )
        except VersionConflict as conflict:
            raise Refused(
                "version_conflict",
                "项目已被他人修改，请刷新后重试",
                current_version=conflict.current,
            ) from None
        after = domain.apply(entry, stored[0])
        body = entry_body(after, linked)
        row = {
            "id": after.id,
            "district": after.district,
            "call_id": after.call_id,
            "category": after.category,
            "status": after.status,
            "version": after.version,
            "created_at": after.created_at,
            "updated_at": after.updated_at,
            "body": body,
        }
        upsert = insert(submissions).values(**row)
        conn.execute(upsert.on_conflict_do_update(index_elements=["id"], set_=row))
        return after

    def create(
        self, principal: Principal, body: Any, idempotency_key: str | None
    ) -> tuple[dict[str, Any], bool]:
        """A new draft. Returns (entry, replayed): replayed when the key was seen before."""
        district = self._office(principal)
        call_id = body.get("call_id") if isinstance(body, dict) else None
        if call_id is not None:
            call = self._call(call_id) if isinstance(call_id, str) else self._call("")
        else:
            current = open_calls(self.calls, self.clock())
            if len(current) != 1:
                raise Refused(
                    "validation_failed",
                    "请指定所属征集（call_id）",
                    {"call_id": ["当前没有或有多个正在进行的征集，须指定 call_id"]},
                )
            call = current[0]
        digest = body_hash(body)
        submission_id = str(uuid.uuid4())
        with self.store.engine.begin() as conn:
            if idempotency_key is not None:
                # A concurrent retry with the same key waits here until the first commits.
                claimed = conn.execute(
                    insert(idempotency_keys)
                    .values(
                        district=district,
                        key=idempotency_key,
                        body_hash=digest,
                        submission_id=submission_id,
                        response={},
                        created_at=self.clock(),
                    )
                    .on_conflict_do_nothing()
                    .returning(idempotency_keys.c.key)
                ).first()
                if claimed is None:
                    return self._replay(conn, district, idempotency_key, digest), True
            data = domain.draft(submission_id, district, call, body)
            entry = self._record(conn, principal, None, catalog.SubmissionDrafted, data)
            answer = entry_body(entry)
            if idempotency_key is not None:
                conn.execute(
                    idempotency_keys.update()
                    .where(
                        idempotency_keys.c.district == district,
                        idempotency_keys.c.key == idempotency_key,
                    )
                    .values(response=answer)
                )
        return answer, False

    def _replay(self, conn: Connection, district: str, key: str, digest: str) -> dict[str, Any]:
        first = conn.execute(
            select(idempotency_keys).where(
                idempotency_keys.c.district == district, idempotency_keys.c.key == key
            )
        ).one()
        if first.body_hash != digest:
            raise Refused(
                "validation_failed",
                "该 Idempotency-Key 已用于内容不同的请求",
                {"Idempotency-Key": ["同一幂等键只能用于同一请求内容"]},
            )
        return first.response  # type: ignore[no-any-return]

    def _command(
        self,
        principal: Principal,
        submission_id: str,
        decide: Callable[[domain.Submission, bool], tuple[EventType, dict[str, Any]]],
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        with self.store.engine.begin() as conn:
            entry, linked = self._load(conn, principal, submission_id, lock=True)
            if expected_version is not None and expected_version != entry.version:
                raise Refused(
                    "version_conflict",
                    "项目已被他人修改，请刷新后重试",
                    current_version=entry.version,
                )
            event_type, data = decide(entry, linked.selected)
            after = self._record(conn, principal, entry, event_type, data, linked)
        return entry_body(after, linked)

    def patch(
        self, principal: Principal, submission_id: str, version: int, body: Any
    ) -> dict[str, Any]:
        self._office(principal)
        return self._command(
            principal,
            submission_id,
            lambda entry, _: (
                catalog.SubmissionUpdated,
                domain.update(entry, body, self._call(entry.call_id), self.clock()),
            ),
            expected_version=version,
        )

    def submit(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        self._office(principal)
        return self._command(
            principal,
            submission_id,
            lambda entry, _: (
                catalog.SubmissionSubmitted,
                domain.submit(entry, self._call(entry.call_id), self.clock()),
            ),
        )

    def withdraw(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        self._office(principal)
        return self._command(
            principal,
            submission_id,
            lambda entry, selected: (catalog.SubmissionWithdrawn, domain.withdraw(entry, selected)),
        )

    def assign_officer(
        self, principal: Principal, submission_id: str, name: str, phone: str
    ) -> dict[str, Any]:
        if not principal.is_staff:
            raise Refused("forbidden", "只有市科协工作人员可以指派保姆")
        return self._command(
            principal,
            submission_id,
            lambda entry, _: (
                catalog.ServiceOfficerAssigned,
                domain.assign_officer(entry, name, phone),
            ),
        )

    # -- reading ------------------------------------------------------------------------

    def district_of(self, submission_id: str) -> str | None:
        if not isinstance(submission_id, str):
            return None
        with self.store.engine.connect() as conn:
            return conn.execute(  # type: ignore[no-any-return]
                select(submissions.c.district).where(submissions.c.id == submission_id)
            ).scalar()

    def get(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        self._reader(principal)
        with self.store.engine.connect() as conn:
            entry, linked = self._load(conn, principal, submission_id)
        return entry_body(entry, linked)

    def history(self, principal: Principal, submission_id: str) -> list[dict[str, Any]]:
        self._reader(principal)
        with self.store.engine.connect() as conn:
            self._load(conn, principal, submission_id)
            events = self.store.read_stream(catalog.stream_id(submission_id), conn)
        return [
            {
                "event_id": str(e.event_id),
                "type": e.type,
                "version": e.version,
                "occurred_at": e.occurred_at.isoformat(),
                "actor": {
                    "role": e.actor.role,
                    "subject": e.actor.subject,
                    "district": e.actor.district,
                },
                "data": e.data,
                # The request that caused it (its X-Request-Id): what support asks an office for.
                "correlation_id": str(e.correlation_id),
            }
            for e in events
        ]

    def list(
        self, principal: Principal, filters: dict[str, str], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        self._reader(principal)
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
            items = [r.body for r in rows]
            return items, total.scalar_one()
