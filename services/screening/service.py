"""Screening: the call's criteria applied on every change of an entry, staff's review and the
city's selection. Owns the `screening-<submission id>` streams.

The nameko class is thin: the consumer and the timers hand events and ticks to
`commands.Screening`; each HTTP entrypoint authenticates, parses and answers in the documented
shape (`shared.http.endpoint`)."""

from __future__ import annotations

from typing import Any

from nameko.timer import timer
from werkzeug import Request, Response

import shared.catalog  # noqa: F401  (registers the event types)
from services.screening.commands import Screening
from shared.consumer import Many
from shared.dependencies import Authenticator, Calls, Store, Subscriber
from shared.entrypoints import ServesEventLog, consume_events, http, rpc
from shared.events import Event
from shared.http import endpoint, if_match, json_response, read_json
from shared.routes import unrouted

BASE = "/api/v1/screenings"


class ScreeningService(ServesEventLog):
    name = "screening"
    event_store = Store("screening")
    authenticate = Authenticator()
    calls = Calls()
    subscription = Subscriber("screening", "screening")

    def screening(self) -> Screening:
        return Screening(self.event_store, self.calls)

    @consume_events("screening")
    def on_event(self, event: Event) -> None:
        self.subscription.handle(event, Many(self.screening().apply_many))

    @timer(interval=10, eager=True)
    def catch_up(self) -> None:
        """At start and every 10 s: read what the broker did not bring (see shared.consumer)."""
        self.subscription.catch_up_all(Many(self.screening().apply_many))

    @timer(interval=1, eager=True)
    def close_windows(self) -> None:
        """Every second: a call that has just closed for an entry (its close, an extension's
        end) turns what the entry still misses into ineligible (二(一)6⑦), and a return for
        revision past its due with no resubmission makes the entry ineligible, though no event
        marks either moment. Cheap when nothing is due (one query)."""
        self.screening().close_windows()

    @rpc
    def screening_of(self, submission_id: str) -> dict[str, Any] | None:
        """An entry's screening (state, findings with their clauses, priority) for intake's
        printed 回执; None when screening has not seen the entry."""
        return self.screening().outcome(submission_id)

    @rpc
    def states_of(self, submission_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each entry's screening state, the entry version screening has applied and the
        clauses it fails, for intake's district batch (only ineligible entries stay behind);
        an entry screening has not seen is absent."""
        return self.screening().states_of(submission_ids)

    @http("GET", f"{BASE}/<submission_id>")
    @endpoint
    def get(self, request: Request, submission_id: str) -> Response:
        return json_response(self.screening().view(self.authenticate(request), submission_id))

    @http("POST", f"{BASE}/<submission_id>/review")
    @endpoint
    def review(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        seen = if_match(request)
        return json_response(self.screening().review(principal, submission_id, body, seen))

    @http("POST", f"{BASE}/<submission_id>/selection")
    @endpoint
    def selection(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        seen = if_match(request)
        return json_response(self.screening().select(principal, submission_id, body, seen))

    # -- the city's recommendation to the province (推荐省级) --------------------------------

    @http("POST", f"{BASE}/<submission_id>/recommendation")
    @endpoint
    def recommend(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        body = read_json(request)
        seen = if_match(request)
        return json_response(self.screening().recommend(principal, submission_id, body, seen))

    @http("DELETE", f"{BASE}/<submission_id>/recommendation")
    @endpoint
    def withdraw_recommendation(self, request: Request, submission_id: str) -> Response:
        """The body (`{"reason"}`) is optional: a DELETE often has none."""
        principal = self.authenticate(request)
        body = read_json(request) if request.content_length else {}
        screening = self.screening()
        return json_response(screening.withdraw_recommendation(principal, submission_id, body))

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/api/<path:anything>")
    @endpoint
    def unknown(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)
