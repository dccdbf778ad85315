"""Media: upload slots, verification and storage of materials. Owns `media-<id>` streams.

Stateless: any number of media processes run side by side (MEDIA_WORKERS); they share the
verification queue, so the deadline rush is met by starting more of them. Bytes go straight
between the client and MinIO through presigned URLs."""

from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta
from typing import Any

from eventlet.green import subprocess
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.timer import timer
from werkzeug import Request, Response

import shared.catalog  # noqa: F401  (registers the event types)
from services.media.adapters.storage import Storage
from services.media.commands import Media
from services.media.domain.material import Limits
from services.media.schemas import load_completion, load_slot_request
from shared import config
from shared.dependencies import Authenticator, Calls, Store
from shared.entrypoints import ServesEventLog, consume_events, http, rpc
from shared.events import Event
from shared.http import endpoint, json_response, read_json
from shared.routes import unrouted

log = logging.getLogger("kechuang.media")
STUCK_AFTER = timedelta(minutes=5)


def limits_from(env: dict[str, str]) -> Limits:
    """Limits from the environment (`KECHUANG_MEDIA_*`), defaults as api.md says."""
    defaults = Limits()
    names = {
        "max_video_bytes": "KECHUANG_MEDIA_MAX_VIDEO_BYTES",
        "max_document_bytes": "KECHUANG_MEDIA_MAX_DOCUMENT_BYTES",
        "single_put_bytes": "KECHUANG_MEDIA_SINGLE_PUT_BYTES",
        "min_part_bytes": "KECHUANG_MEDIA_PART_BYTES",
        "slot_seconds": "KECHUANG_MEDIA_SLOT_SECONDS",
        "url_seconds": "KECHUANG_MEDIA_URL_SECONDS",
    }
    return Limits(**{
        field: int(env.get(variable, getattr(defaults, field))) for field, variable in names.items()
    })  # fmt: skip


def inspect_in_subprocess(key: str, kind: str) -> dict[str, Any]:
    """Hash, type and probe the object in a child process (see adapters/inspection.py); the
    green subprocess lets this worker keep serving and heartbeating meanwhile."""
    done = subprocess.run(
        [sys.executable, "-m", "services.media.adapters.inspection", key, kind],
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        log.error("inspection of %s failed: %s", key, done.stderr[-2000:])
        raise RuntimeError(f"inspection exited with {done.returncode}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


class MediaSetup(DependencyProvider):
    """Storage and limits, read once at start; the bucket is made if missing."""

    def setup(self) -> None:
        settings = config.load()
        self.storage = Storage(settings.object_store)
        self.storage.ensure_bucket()
        self.limits = limits_from(settings.env)

    def get_dependency(self, worker_ctx: Any) -> MediaSetup:
        return self


class MediaService(ServesEventLog):
    name = "media"
    event_store = Store("media")
    authenticate = Authenticator()
    resources = MediaSetup()
    calls = Calls()
    intake = RpcProxy("intake")

    def media(self) -> Media:
        return Media(self.event_store, self.resources.storage, self.resources.limits,
                     self.intake.submission_owner, self.calls)  # fmt: skip

    @rpc
    def material_digests(
        self, material_ids: list[str], check_objects: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Size, SHA-256 and status of materials by id, for intake's printed 回执 and batches;
        `check_objects` adds whether each stored object is in the bucket (the province
        package)."""
        return self.media().digests(material_ids, check_objects)

    @rpc
    def material_sources(
        self, material_ids: list[str], ttl_seconds: int = 900
    ) -> dict[str, dict[str, Any]]:
        """Stored materials' names, verified SHA-256 and a short-lived presigned GET each, for
        reporting's province package (it streams the bytes from the bucket into the zip)."""
        ttl = timedelta(seconds=max(60, min(int(ttl_seconds), 3600)))
        return self.media().sources(material_ids, ttl)

    @http("POST", "/api/v1/submissions/<submission_id>/materials")
    @endpoint
    def request_slot(self, request: Request, submission_id: str) -> Response:
        principal = self.authenticate(request)
        slot = load_slot_request(read_json(request))
        return json_response(self.media().request(principal, submission_id, slot), 201)

    @http("POST", "/api/v1/materials/<material_id>/complete")
    @endpoint
    def complete(self, request: Request, material_id: str) -> Response:
        principal = self.authenticate(request)
        done = load_completion(read_json(request)) if request.content_length else {}
        return json_response(self.media().complete(principal, material_id, done), 202)

    @http("POST", "/api/v1/materials/<material_id>/upload")
    @endpoint
    def resume(self, request: Request, material_id: str) -> Response:
        """Fresh upload URLs (and, for multipart, the parts already uploaded) for an open slot."""
        return json_response(self.media().resume(self.authenticate(request), material_id))

    @http("GET", "/api/v1/materials/<material_id>")
    @endpoint
    def get(self, request: Request, material_id: str) -> Response:
        return json_response(self.media().get(self.authenticate(request), material_id))

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/api/<path:anything>")
    @endpoint
    def unknown(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)

    @consume_events("media-verify")
    def verify(self, event: Event) -> None:
        if event.type == "MaterialUploaded":
            self.media().verify(event.data["material_id"], inspect_in_subprocess)

    @timer(interval=30)
    def sweep(self) -> None:
        """Expire unused slots; verify again what has been verifying too long."""
        media = self.media()
        media.expire_slots()
        for material_id in media.stuck(STUCK_AFTER):
            media.verify(material_id, inspect_in_subprocess)
