"""Media: upload slots, verification and storage of materials. Owns `media-<id>` streams.

This is the skeleton from the foundation: health and the event-log RPC. The materials API
arrives with its own issue."""

from __future__ import annotations

from nameko.web.handlers import http

from shared import config, health
from shared.dependencies import Store
from shared.entrypoints import ServesEventLog


class MediaService(ServesEventLog):
    name = "media"
    event_store = Store("media")

    @http("GET", "/healthz")
    def healthz(self, request):  # type: ignore[no-untyped-def]
        return health.check(self.event_store.engine, config.load().amqp_uri, self.name)
