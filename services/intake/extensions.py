"""Late exceptions (逾期补交): staff grant one district, or one entry, of a call more time than
the call's close, with a reason. Intake owns them: it owns the entries and serves the calls, and
its own submit and amend are the first to honour them. Each is an `ExtensionGranted` event on the
call's stream (`call-<id>`), appended in the transaction that writes its `extensions` row;
screening follows the events, media asks intake (`submission_owner` answers an entry's close).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.intake.adapters import extensions as rows
from services.intake.adapters.tables import submissions
from services.intake.domain.revision import in_future, load_extension
from shared import regions
from shared.auth import Principal
from shared.calls import BEIJING, Call, beijing_time
from shared.catalog import call as catalog
from shared.errors import Refused, not_found
from shared.events import Actor, new_event
from shared.eventstore import EventStore

Clock = Callable[[], datetime]


def extension_body(row: Mapping[str, Any], call: Call) -> dict[str, Any]:
    codes = dict(zip(call.districts, call.district_codes, strict=True))
    return {
        "id": row["id"],
        "call_id": row["call_id"],
        "district": row["district"],
        "district_code": codes.get(row["district"]),
        "submission_id": row["submission_id"],
        "until": row["until"].astimezone(BEIJING).isoformat(),
        "until_text": beijing_time(row["until"]),
        "reason": row["reason"],
        "granted_by": row["granted_by"],
        "granted_at": row["granted_at"].astimezone(BEIJING).isoformat(),
    }


class Extensions:
    def __init__(
        self, store: EventStore, calls: dict[str, Call], clock: Clock = lambda: datetime.now(UTC)
    ) -> None:
        self.store, self.calls, self.clock = store, calls, clock

    def _call(self, call_id: str) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise not_found("征集")
        return call

    def grant(self, principal: Principal, call_id: str, body: Any) -> dict[str, Any]:
        if not principal.is_staff:
            raise Refused("forbidden", "只有市科协工作人员可以准予逾期补交")
        call = self._call(call_id)
        request = load_extension(body)
        now = self.clock()
        in_future(request["until"], now, "until", "补交期限")
        if not request["until"] > call.closes:
            raise Refused(
                "validation_failed",
                f"补交期限须晚于征集截止时间（{beijing_time(call.closes)}）",
                {"until": ["须晚于征集截止时间"]},
            )
        with self.store.engine.begin() as conn:
            if "submission_id" in request:
                row = conn.execute(
                    select(submissions.c.district).where(
                        submissions.c.id == request["submission_id"],
                        submissions.c.call_id == call.id,
                    )
                ).first()
                if row is None:
                    raise Refused(
                        "validation_failed",
                        "本次征集中没有该项目",
                        {"submission_id": ["本次征集中没有该项目"]},
                    )
                district, submission_id = row.district, request["submission_id"]
            else:
                district, submission_id = self._district(call, request["district"]), None
            data = {
                "extension_id": str(uuid.uuid4()),
                "call_id": call.id,
                "district": district,
                "submission_id": submission_id,
                "until": request["until"].isoformat(),
                "reason": request["reason"],
            }
            actor = Actor.of(principal)
            event = new_event(
                catalog.ExtensionGranted, catalog.stream_id(call.id), data, actor=actor
            )
            self.store.append(conn, catalog.stream_id(call.id), [event], None)
            granted = {
                "id": data["extension_id"],
                "call_id": call.id,
                "district": district,
                "submission_id": submission_id,
                "until": request["until"],
                "reason": request["reason"],
                "granted_by": principal.subject,
                "granted_at": event.occurred_at,
            }
            rows.add(conn, granted)
        return extension_body(granted, call)

    @staticmethod
    def _district(call: Call, given: str) -> str:
        """The district's name, given its name or its GB/T 2260 code; one of the call's."""
        name = regions.name_of(given) if given.isdigit() else given
        if name not in call.districts:
            raise Refused(
                "validation_failed",
                "该区县不在本次征集范围内",
                {"district": [f"须为 {'、'.join(call.districts)} 之一（或其区划代码）"]},
            )
        return name

    def district_wide(self, principal: Principal) -> dict[str, datetime]:
        """An office's district-wide extensions ({call id: latest until}); none for staff."""
        if not principal.is_office or not principal.district:
            return {}
        with self.store.engine.connect() as conn:
            return rows.district_wide(conn, principal.district)

    def list(self, principal: Principal, call_id: str) -> list[dict[str, Any]]:
        """Staff: every extension of the call; an office: its own district's."""
        if principal.role not in ("office", "staff"):
            raise Refused("forbidden", "无权查看逾期补交")
        call = self._call(call_id)
        with self.store.engine.connect() as conn:
            found = rows.listed(conn, call.id, principal.district if principal.is_office else None)
        return [extension_body(row._mapping, call) for row in found]
