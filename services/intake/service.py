"""Intake: district offices' entries (申报项目). Owns the `submission-<id>` streams.

The nameko class is thin: each entrypoint authenticates, parses, calls `commands.Intake` (the
changes) or `queries.Entries` (the reads) and answers in the documented shape
(`shared.http.endpoint`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import eventlet
from nameko.exceptions import RemoteError, UnknownService
from nameko.rpc import RpcProxy
from nameko.timer import timer
from werkzeug import Request, Response

import shared.catalog  # noqa: F401  (registers the event types)
from services.intake import catalog, letter, printed
from services.intake.adapters import linked
from services.intake.batches import Batches
from services.intake.commands import Intake
from services.intake.domain.officer import load_officer
from services.intake.extensions import Extensions
from services.intake.queries import Entries, calls_for
from shared import config, openapi, text
from shared.dependencies import Authenticator, Calls, Store, Subscriber
from shared.entrypoints import ServesEventLog, consume_events, http, rpc
from shared.errors import Refused
from shared.events import Actor, Event
from shared.http import client_address, endpoint, json_response, page_body, paging, read_json
from shared.routes import unrouted

BASE = "/api/v1/submissions"
log = logging.getLogger("kechuang.intake")
# How long the 回执 waits for screening's and media's parts before printing without them.
ASK_SECONDS = 5
_IF_MATCH = re.compile(r'[ \t]*(?:W/)?"?([0-9]+)"?[ \t]*')


def _version(request: Request) -> int:
    raw = request.headers.get("If-Match")
    if raw is None:
        raise Refused("precondition_required", "修改须带 If-Match 头（当前版本号）")
    # ASCII digits only, as the document's pattern says ("²".isdigit() holds, int("²") fails).
    match = _IF_MATCH.fullmatch(raw)
    if match is None:
        raise Refused(
            "validation_failed", "If-Match 须为版本号", {"If-Match": ['形如 "3" 的版本号']}
        )
    return int(match.group(1))


def _idempotency_key(request: Request) -> str | None:
    """The optional `Idempotency-Key`, checked: it is stored, so it obeys the text rule."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    problem = text.header_fault(key) or (None if 1 <= len(key) <= 200 else "长度须在 1 到 200 之间")
    if problem:
        raise Refused("validation_failed", "Idempotency-Key 无效", {"Idempotency-Key": [problem]})
    return key


def _filters(request: Request) -> dict[str, str]:
    """The list's filters; one PostgreSQL cannot compare (a NUL, say) is a 422, not a 500."""
    filters = {k: request.args.get(k, "") for k in ("status", "category", "district")}
    refused = text.faults(filters)
    if refused:
        raise Refused("validation_failed", "筛选条件无效", refused)
    return filters


def _entry(entry: dict[str, Any], status: int = 200) -> Response:
    return json_response(entry, status, headers={"ETag": f'"{entry["version"]}"'})


def _ask(what: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """(answered, answer) of an owner's RPC; (False, None) when it is down or too slow."""
    try:
        with eventlet.Timeout(ASK_SECONDS):
            return True, what(*args)
    except (eventlet.Timeout, UnknownService, RemoteError) as exc:
        log.warning("receipt: %s did not answer (%s)", what, type(exc).__name__)
        return False, None


class IntakeService(ServesEventLog):
    name = "intake"
    event_store = Store("intake")
    authenticate = Authenticator()
    calls = Calls()
    subscription = Subscriber("intake", "intake")
    screening = RpcProxy("screening")
    media = RpcProxy("media")
    reporting = RpcProxy("reporting")

    def intake(self) -> Intake:
        return Intake(self.event_store, self.calls)

    def entries(self) -> Entries:
        return Entries(self.event_store)

    @consume_events("intake")
    def on_event(self, event: Event) -> None:
        self.subscription.handle(event, linked.apply)

    @timer(interval=10, eager=True)
    def catch_up(self) -> None:
        """At start and every 10 s: read what the broker did not bring (see shared.consumer)."""
        self.subscription.catch_up_all(linked.apply)

    def extensions(self) -> Extensions:
        return Extensions(self.event_store, self.calls)

    @rpc
    def submission_owner(self, submission_id: str) -> dict[str, str] | None:
        """Whose entry this is, of which call, and when that call closes for it, for media's
        ownership and deadline checks: `{"district", "call_id", "closes"}` (`closes`: the
        call's close, later under an extension or a return's due), None when there is no
        such entry."""
        return self.entries().owner_of(submission_id, self.calls)

    @http("POST", BASE)
    @endpoint
    def create(self, request: Request) -> Response:
        principal = self.authenticate(request)
        key = _idempotency_key(request)
        entry, _ = self.intake().create(principal, read_json(request), key)
        return _entry(entry, 201)

    @http("GET", BASE)
    @endpoint
    def list(self, request: Request) -> Response:
        principal = self.authenticate(request)
        page, per_page = paging(request)
        filters = _filters(request)
        items, total = self.entries().list(principal, filters, page, per_page)
        return json_response(page_body(items, total, page, per_page))

    @http("GET", f"{BASE}/<submission_id>")
    @endpoint
    def get(self, request: Request, submission_id: str) -> Response:
        return _entry(self.entries().get(self.authenticate(request), submission_id))

    @http("PATCH", f"{BASE}/<submission_id>")
    @endpoint
    def patch(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        version = _version(request)
        body = read_json(request)
        return _entry(self.intake().patch(principal, submission_id, version, body))

    @http("GET", f"{BASE}/<submission_id>/receipt.pdf")
    @endpoint
    def receipt(self, request: Request, submission_id: str) -> Response:
        """The entry's 回执 as a PDF to sign and stamp (`printed`); 404 as for the entry."""
        principal = self.authenticate(request)
        entry = self.entries().get(principal, submission_id)
        asked, screened = _ask(self.screening.screening_of, submission_id)
        ids = [m["material_id"] for m in entry["materials"] if "material_id" in m]
        digested, digests = _ask(self.media.material_digests, ids) if ids else (True, {})
        body = printed.receipt_pdf(
            entry=entry, call=self.calls.get(entry["call_id"]), screened=screened,
            digests=digests if digested else None, asked=asked, now=datetime.now(UTC),
        )  # fmt: skip
        # The 回执 holds the contacts' phones and e-mails: who read it is recorded first
        # (reporting's access log); without the record, nothing is handed out.
        recorded, _ = _ask(self.reporting.record_access_for, Actor.of(principal).stored(),
                           "receipt", {"submission_id": submission_id},
                           client_address(request))  # fmt: skip
        if not recorded:
            raise Refused("unavailable", "暂时无法记录本次下载，请稍后重试", retry_after=5)
        name = quote(f"回执-{(entry['title'] or submission_id)[:80]}.pdf")
        return Response(
            body,
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="receipt.pdf"; '
                f"filename*=UTF-8''{name}"
            },
        )

    @http("POST", f"{BASE}/<submission_id>/submit")
    @endpoint
    def submit(self, request: Request, submission_id: str) -> Response:
        return _entry(self.intake().submit(self.authenticate(request), submission_id))

    @http("POST", f"{BASE}/<submission_id>/withdraw")
    @endpoint
    def withdraw(self, request: Request, submission_id: str) -> Response:
        return _entry(self.intake().withdraw(self.authenticate(request), submission_id))

    @http("POST", f"{BASE}/<submission_id>/return")
    @endpoint
    def return_for_revision(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        return _entry(self.intake().return_for_revision(principal, submission_id, body))

    @http("POST", f"{BASE}/<submission_id>/service-officer")
    @endpoint
    def assign_officer(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        officer = load_officer(read_json(request))
        return _entry(
            self.intake().assign_officer(
                principal, submission_id, officer["name"], officer["phone"]
            )
        )

    @http("POST", f"{BASE}/<submission_id>/service-officer/proposal")
    @endpoint
    def propose_officer(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        officer = load_officer(read_json(request))
        return _entry(
            self.intake().propose_officer(
                principal, submission_id, officer["name"], officer["phone"]
            )
        )

    @http("GET", f"{BASE}/<submission_id>/history")
    @endpoint
    def history(self, request: Request, submission_id: str) -> Response:
        events = self.entries().history(self.authenticate(request), submission_id)
        return json_response({"items": events, "total": len(events)})

    @http("GET", "/api/v1/catalog")
    @endpoint
    def vocabulary(self, request: Request) -> Response:
        """What the console shows: the vocabulary and each category's receipt form."""
        self.authenticate(request)  # any signed-in role
        return json_response(catalog.catalog())

    @http("GET", "/api/v1/calls")
    @endpoint
    def list_calls(self, request: Request) -> Response:
        principal = self.authenticate(request)
        extended = self.extensions().district_wide(principal)
        items = calls_for(principal, self.calls, datetime.now(UTC), extended)
        return json_response({"items": items, "total": len(items)})

    @http("POST", "/api/v1/calls/<call_id>/extensions")
    @endpoint
    def grant_extension(self, request: Request, call_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        return json_response(self.extensions().grant(principal, call_id, body), 201)

    @http("GET", "/api/v1/calls/<call_id>/extensions")
    @endpoint
    def list_extensions(self, request: Request, call_id: str) -> Response:
        items = self.extensions().list(self.authenticate(request), call_id)
        return json_response({"items": items, "total": len(items)})

    # -- the district's batches (汇总报送) and their 报送函 (services/intake/batches.py) -----

    def batches(self) -> Batches:
        return Batches(self.event_store, self.calls)

    @http("POST", "/api/v1/batches")
    @endpoint
    def send_batch(self, request: Request) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)

        def digests(ids: list[str]) -> dict[str, dict[str, Any]] | None:
            answered, found = _ask(self.media.material_digests, ids)
            return found if answered else None

        def screened(ids: list[str]) -> dict[str, dict[str, Any]] | None:
            answered, found = _ask(self.screening.states_of, ids)
            return found if answered else None

        return json_response(self.batches().send(principal, body, digests, screened), 201)

    @http("GET", "/api/v1/batches")
    @endpoint
    def list_batches(self, request: Request) -> Response:
        items = self.batches().list(self.authenticate(request), request.args)
        return json_response({"items": items, "total": len(items)})

    @http("GET", "/api/v1/batches/<batch_id>")
    @endpoint
    def get_batch(self, request: Request, batch_id: str) -> Response:
        return json_response(self.batches().get(self.authenticate(request), batch_id))

    @http("GET", "/api/v1/batches/<batch_id>/letter.pdf")
    @endpoint
    def batch_letter(self, request: Request, batch_id: str) -> Response:
        """The 报送函 to stamp and send with the batch; 404 as for the batch."""
        batch = self.batches().get(self.authenticate(request), batch_id)
        body = letter.letter_pdf(batch, config.load().public_url)
        name = quote(f"报送函-{batch['district']}-{batch['label']}.pdf")
        return Response(
            body,
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="letter.pdf"; '
                f"filename*=UTF-8''{name}"
            },
        )

    @http("GET", "/api/v1/batches/<batch_id>/verify")
    @endpoint
    def verify_batch(self, request: Request, batch_id: str) -> Response:
        """No token (see `Batches.verify`): the QR code on the printed letter leads here."""
        return json_response(self.batches().verify(batch_id, request.args))

    @http("GET", "/api/v1/openapi.json")
    @endpoint
    def openapi(self, request: Request) -> Response:
        """The whole API's document, assembled above the services (ops/openapi.py) and written
        to a file at build or start time: intake serves it without loading the others' code."""
        document = openapi.published(config.load().api_document)
        return Response(document, content_type="application/json; charset=utf-8")

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/api/<path:anything>")
    @endpoint
    def unknown(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)
