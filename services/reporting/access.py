"""Who read personal data: the 汇总表, the province package, the 推荐函 and the 回执 hold
people's phones and e-mails, so each download is recorded, before anything is handed out, as
a `PersonalDataRead` event in reporting's log (shared/catalog/access.py) naming the person;
staff admins and operators list them (`GET /api/v1/reports/access`). Intake records its
receipts here over RPC (`record_access`): if the record cannot be written, nothing is given.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select
from werkzeug import Request, Response

from shared import text
from shared.auth import Principal
from shared.catalog import access as catalog
from shared.dependencies import Store
from shared.entrypoints import http, rpc
from shared.errors import Refused
from shared.events import Actor, ActorSchema, new_event
from shared.eventstore import EventStore, events
from shared.http import client_address, endpoint, json_response, page_body, paging

ACCESS = "/api/v1/reports/access"


def record(store: EventStore, actor: Actor, document: str, scope: dict[str, Any],
           address: str | None) -> None:  # fmt: skip
    access_id = str(uuid.uuid4())
    data = {"access_id": access_id, "document": document, "address": address,
            "scope": _recordable(scope)}  # fmt: skip
    event = new_event(catalog.PersonalDataRead, catalog.stream_id(access_id), data, actor=actor)
    with store.engine.begin() as conn:
        store.append(conn, event.stream_id, [event], None)


SCOPE_KEY = re.compile(r"[a-z_]{1,40}")


def _recordable(scope: dict[str, Any]) -> dict[str, str]:
    """What a download covered, as can be stored whatever a client sent: the query's own
    parameter names only, each value at most 200 characters, characters no store may hold
    (`shared.text`) replaced."""
    kept = {}
    for key, value in scope.items():
        if value in (None, "") or not (isinstance(key, str) and SCOPE_KEY.fullmatch(key)):
            continue
        shown = str(value)[:200]
        kept[key] = shown if not text.faults(shown) else "（含无法记录的字符）"
    return kept


def listing(store: EventStore, principal: Principal, page: int, per_page: int) -> dict[str, Any]:
    if not (principal.role == "operator" or (principal.is_staff and principal.admin)):
        raise Refused("forbidden", "只有管理员可以查看个人信息下载记录")
    where = events.c.stream_type == catalog.STREAM_TYPE
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(events).where(where)).scalar_one()
        rows = conn.execute(
            select(events.c.occurred_at, events.c.actor, events.c.data).where(where)
            .order_by(events.c.seq.desc()).limit(per_page).offset((page - 1) * per_page)
        ).all()  # fmt: skip
    items = []
    for row in rows:
        actor = ActorSchema().load(row.actor)
        items.append({
            "at": row.occurred_at, "document": row.data["document"],
            "document_label": catalog.DOCUMENTS[row.data["document"]],
            "scope": row.data.get("scope", {}), "address": row.data.get("address"),
            "who": {"role": actor.role, "subject": actor.subject, "district": actor.district,
                    "person_id": actor.person_id, "name": actor.label() or actor.subject},
        })  # fmt: skip
    return page_body(items, total, page, per_page)


class AccessEndpoints:
    """The access log's part of `ReportingService` (which supplies `authenticate`)."""

    access_store = Store("reporting")

    def record_access(self, request: Request, principal: Principal, document: str,
                      scope: dict[str, Any]) -> None:  # fmt: skip
        record(self.access_store, Actor.of(principal), document, scope, client_address(request))

    @rpc
    def record_access_for(self, actor: dict[str, Any], document: str, scope: dict[str, Any],
                          address: str | None) -> None:  # fmt: skip
        """Another service hands out a document with personal data (intake's 回执)."""
        if address is not None and text.faults(address):
            address = None
        record(self.access_store, ActorSchema().load(actor), document, scope, address)

    @http("GET", ACCESS)
    @endpoint
    def access_log(self, request: Request) -> Response:
        principal = self.authenticate(request)  # type: ignore[attr-defined]
        page, per_page = paging(request)
        return json_response(listing(self.access_store, principal, page, per_page))
