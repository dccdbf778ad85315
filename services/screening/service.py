"""Screening: the call's criteria, review and selection. Owns `screening-<id>` streams.

This is the skeleton from the foundation: health and the event-log RPC. The rules and review API
arrives with its own issue."""

from __future__ import annotations

from nameko.web.handlers import http

from shared import config, health
from shared.dependencies import Store
from shared.entrypoints import ServesEventLog


class ScreeningService(ServesEventLog):
    name = "screening"
    event_store = Store("screening")

    @http("GET", "/healthz")
    def healthz(self, request):  # type: ignore[no-untyped-def]
        return health.check(self.event_store.engine, config.load().amqp_uri, self.name)
