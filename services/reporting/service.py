"""Reporting: projections of every event, queries and exports. Owns no event stream.

This is the skeleton from the foundation: health only. Projections arrive with their issue."""

from __future__ import annotations

from nameko.web.handlers import http

from shared import config, health
from shared.dependencies import Database


class ReportingService:
    name = "reporting"
    db = Database("reporting")

    @http("GET", "/healthz")
    def healthz(self, request):  # type: ignore[no-untyped-def]
        return health.check(self.db, config.load().amqp_uri, self.name)
