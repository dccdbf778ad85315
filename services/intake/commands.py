"""Intake's use cases that change an entry. Each runs in one transaction: it checks the entry's
row (who may reach it, locked), lets the domain decide on the entry folded from its events,
appends the event at the expected version (the store is the outbox; `shared.repository`) and
upserts the `submissions` row. Who may do what is decided here, from the token's principal.
The reads are in `queries.py`."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from services.intake.adapters import extensions
from services.intake.adapters.tables import idempotency_keys, submissions
from services.intake.domain import submission as domain
from services.intake.entries import Linked, entry_body, reachable
from shared.auth import Principal
from shared.calls import Call, Extension, open_calls
from shared.catalog import submission as catalog
from shared.errors import Refused
from shared.events import Actor, Event, EventType, new_event
from shared.eventstore import EventStore
from shared.repository import Streams, conflict_refused

Clock = Callable[[], datetime]
Decision = tuple[EventType, dict[str, Any]]  # the event a command gives, and its data
CONFLICT = "项目已被他人修改，请刷新后重试"


@dataclass(frozen=True)
class Situation:
    """What a command decides by besides the entry: whether the city selected it (from
    screening's events) and the late exceptions that cover it."""

    selected: bool
    extensions: list[Extension]


def body_hash(body: Any) -> str:
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def _event(principal: Principal, decision: Decision) -> list[Event]:
    event_type, data = decision
    stream_id = catalog.stream_id(data["submission_id"])
    actor = Actor.of(principal)
    return [new_event(event_type, stream_id, data, actor=actor)]


def _save(conn: Connection, entry: domain.Submission, linked: Linked = Linked()) -> None:
    """The entry's row, as listed and shown, in the transaction that appended its event."""
    row = {
        "id": entry.id,
        "district": entry.district,
        "call_id": entry.call_id,
        "category": entry.category,
        "status": entry.status,
        "version": entry.version,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "body": entry_body(entry, linked),
    }
    upsert = insert(submissions).values(**row)
    conn.execute(upsert.on_conflict_do_update(index_elements=["id"], set_=row))


class Intake:
    def __init__(
        self, store: EventStore, calls: dict[str, Call], clock: Clock = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.streams = Streams(store, domain.apply)
        self.calls = calls
        self.clock = clock

    @staticmethod
    def _office(principal: Principal) -> str:
        if not principal.is_office or not principal.district:
            raise Refused("forbidden", "只有区县科协可以进行此操作")
        return principal.district

    def _call(self, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise Refused("validation_failed", "征集不存在", {"call_id": ["征集不存在"]})
        return call

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
            events = _event(principal, (catalog.SubmissionDrafted, data))
            with conflict_refused(CONFLICT):
                entry = self.streams.append(conn, catalog.stream_id(submission_id), None, events)
            _save(conn, entry)
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
        decide: Callable[[domain.Submission, Situation], Decision],
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """`decide(entry, situation)` on the entry as it is, under its row's lock; an
        `expected_version` (If-Match) elsewhere than the entry is a 409 before any decision."""
        with self.store.engine.begin() as conn:
            linked = reachable(conn, principal, submission_id, lock=True)

            def events(entry: domain.Submission) -> list[Event]:
                granted = extensions.covering(conn, entry.call_id, entry.district, entry.id)
                return _event(principal, decide(entry, Situation(linked.selected, granted)))

            with conflict_refused(CONFLICT):
                after = self.streams.change(
                    conn, catalog.stream_id(submission_id), events, expected_version
                )
            _save(conn, after, linked)
        return entry_body(after, linked)

    def patch(
        self, principal: Principal, submission_id: str, version: int, body: Any
    ) -> dict[str, Any]:
        self._office(principal)

        def decide(entry: domain.Submission, situation: Situation) -> Decision:
            call = self._call(entry.call_id)
            until = entry.deadline(call, situation.extensions)
            return catalog.SubmissionUpdated, domain.update(entry, body, call, self.clock(), until)

        return self._command(principal, submission_id, decide, expected_version=version)

    def submit(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        self._office(principal)

        def decide(entry: domain.Submission, situation: Situation) -> Decision:
            call = self._call(entry.call_id)
            until = entry.deadline(call, situation.extensions)
            return catalog.SubmissionSubmitted, domain.submit(entry, call, self.clock(), until)

        return self._command(principal, submission_id, decide)

    def return_for_revision(
        self, principal: Principal, submission_id: str, body: Any
    ) -> dict[str, Any]:
        """Staff return a submitted entry (退回修改): the office may edit it and submit it
        again until the due time, even after the call closed."""
        if not principal.is_staff:
            raise Refused("forbidden", "只有市科协工作人员可以退回修改")
        return self._command(
            principal,
            submission_id,
            lambda entry, _: (
                catalog.SubmissionReturned,
                domain.return_for_revision(entry, body, self.clock()),
            ),
        )

    def withdraw(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        self._office(principal)
        return self._command(
            principal,
            submission_id,
            lambda entry, situation: (
                catalog.SubmissionWithdrawn,
                domain.withdraw(entry, situation.selected),
            ),
        )

    def propose_officer(
        self, principal: Principal, submission_id: str, name: str, phone: str
    ) -> dict[str, Any]:
        """The office proposes its own 保姆 for the entry; staff confirm it by assigning."""
        self._office(principal)
        return self._command(
            principal,
            submission_id,
            lambda entry, _: (
                catalog.ServiceOfficerProposed,
                domain.propose_officer(entry, name, phone),
            ),
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
