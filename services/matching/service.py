"""Matching (供需对接): for each challenge the offers that may answer it, for each offer the
challenges; and the entries handed in twice. Owns `match-<challenge>-<offer>` streams
(staff's decisions), the `duplicate-<id>-<id>` streams (suspicions and staff's marks, which
screening reads) and its projection of intake's entries; it serves its log for catch-up.

The nameko class is thin, like reporting's: intake's events go through the idempotent
subscription into `adapters.live.apply` (catch-up on a timer and at start); each endpoint
authenticates, calls `queries.Matching` and answers in the documented shape.
"""

from __future__ import annotations

from urllib.parse import quote

from eventlet import tpool
from nameko.timer import timer
from werkzeug import Request, Response

import shared.catalog  # noqa: F401  (registers the event types)
from services.matching.adapters import export, live
from services.matching.queries import Matching
from shared.dependencies import Authenticator, Database, Store, Subscriber
from shared.entrypoints import ServesEventLog, consume_events, http
from shared.events import Event
from shared.http import endpoint, json_response, page_body, paging, read_json
from shared.routes import unrouted

MATCHES = "/api/v1/matches"
DUPLICATES = "/api/v1/duplicates"
REPORT = "/api/v1/reports/matches.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MatchingService(ServesEventLog):
    name = "matching"
    db = Database("matching")
    # The same engine as `db` (one pool per process and database: shared.db.Engines).
    event_store = Store("matching")
    authenticate = Authenticator()
    subscription = Subscriber("matching", "matching")

    def matching(self) -> Matching:
        return Matching(self.db)

    @consume_events("matching")
    def on_event(self, event: Event) -> None:
        self.subscription.handle(event, live.apply)

    @timer(interval=10, eager=True)
    def catch_up(self) -> None:
        """At start and every 10 s: read what the broker did not bring (see shared.consumer),
        bring the process's index up to date (at start: loaded before anyone asks), and
        publish the pairs newly suspected of being handed in twice, or no longer."""
        self.subscription.catch_up_all(live.apply)
        self.matching().refresh_index()
        self.matching().publish_suspicions()

    @http("GET", f"{MATCHES}/<submission_id>")
    @endpoint
    def matches(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        args = request.args.to_dict()
        return json_response(self.matching().matches(principal, submission_id, args))

    @http("POST", f"{MATCHES}/<submission_id>/<other_id>")
    @endpoint
    def decide(self, request: Request, submission_id: str, other_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        return json_response(self.matching().decide(principal, submission_id, other_id, body))

    @http("GET", DUPLICATES)
    @endpoint
    def duplicates(self, request: Request) -> Response:
        principal = self.authenticate(request)
        page, per_page = paging(request)
        items, total = self.matching().duplicates(principal, page, per_page)
        return json_response(page_body(items, total, page, per_page))

    @http("POST", f"{DUPLICATES}/<submission_id>/<other_id>")
    @endpoint
    def mark_duplicate(self, request: Request, submission_id: str, other_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        return json_response(
            self.matching().mark_duplicate(principal, submission_id, other_id, body)
        )

    @http("GET", REPORT)
    @endpoint
    def report(self, request: Request) -> Response:
        """The 供需对接表 (routed by nginx before reporting's /api/v1/reports/)."""
        rows = self.matching().report(self.authenticate(request))
        # Writing the sheet is CPU work: in an OS thread, so the hub keeps serving.
        body = tpool.execute(export.xlsx, rows)
        name = quote("供需对接表.xlsx")
        disposition = f"attachment; filename=\"matches.xlsx\"; filename*=UTF-8''{name}"
        return Response(body, content_type=XLSX, headers={"Content-Disposition": disposition})

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", f"{MATCHES}/<path:anything>")
    @endpoint
    def unknown(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)
