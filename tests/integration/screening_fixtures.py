"""A screening service running in this process (real HTTP, PostgreSQL, RabbitMQ), fed the way
production feeds it: intake's and media's events are appended to real event stores of their
own (throw-away databases) and published on the test's exchange by `kechuang relay` processes.
Two tiny in-process owners serve those logs over RPC (`events_since`), so screening's catch-up
reads them as it would read intake's and media's."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from nameko.containers import ServiceContainer
from sqlalchemy import select

from ops import schema
from services.screening.service import ScreeningService
from shared.auth import new_key_pair
from shared.catalog import batch as batch_catalog
from shared.catalog import media as media_catalog
from shared.catalog import screening as screening_catalog
from shared.catalog import submission as submission_catalog
from shared.db import make_engine
from shared.dependencies import Store
from shared.entrypoints import ServesEventLog
from shared.events import Actor, Event, EventType, new_event
from shared.eventstore import EventStore, consumer_checkpoint
from tests.entries import full_body
from tests.integration.conftest import throwaway_database
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api, free_port

# The closing call closes this long after the fixture starts: enough to submit an entry and
# see it screened while the window is open, short enough to wait for.
CLOSES_AFTER = timedelta(seconds=20)
OFFICE = Actor("office", "test-office", "巴州区")


def calls_yaml(closes: datetime) -> str:
    return f"""
calls:
  - id: open-call
    title: 测试征集（进行中）
    opens: 2020-01-01T00:00:00+08:00
    closes: 2099-12-31T23:59:59+08:00
    categories: [achievement, promotion, challenge, finance]
    districts: [巴州区, 恩阳区]
  - id: closing-call
    title: 测试征集（即将截止）
    opens: 2020-01-01T00:00:00+08:00
    closes: {closes.isoformat()}
    categories: [achievement, promotion, challenge, finance]
    districts: [巴州区, 恩阳区]
"""


class IntakeLog(ServesEventLog):
    """Stands in for intake where screening's catch-up asks for its log."""

    name = "intake"
    event_store = Store("intake")


class MediaLog(ServesEventLog):
    """Stands in for media where screening's catch-up asks for its log."""

    name = "media"
    event_store = Store("media")


@dataclass
class Feed:
    """Appends intake's and media's events to their stores (their relays publish them)."""

    intake: EventStore
    media: EventStore
    # The latest stored material of each kind, by entry: what a batch freezes (`forward`).
    stored: dict[str, dict[str, str]] = field(default_factory=dict)

    @staticmethod
    def _append(store: EventStore, kind: EventType, stream_id: str, data: dict[str, Any]) -> Event:
        event = new_event(kind, stream_id, data, actor=OFFICE)
        with store.engine.begin() as conn:
            return store.append(conn, stream_id, [event], expected_version=None)[0]

    def submission(self, kind: EventType, submission_id: str, **data: Any) -> Event:
        return self._append(
            self.intake,
            kind,
            submission_catalog.stream_id(submission_id),
            {"submission_id": submission_id, **data},
        )

    def draft(
        self,
        category: str = "achievement",
        call_id: str = "open-call",
        district: str = "巴州区",
        **changes: Any,
    ) -> str:
        submission_id = str(uuid.uuid4())
        fields = {k: v for k, v in full_body(category).items() if k != "call_id"} | changes
        self.submission(
            submission_catalog.SubmissionDrafted,
            submission_id,
            district=district,
            call_id=call_id,
            category=category,
            fields=fields,
        )
        return submission_id

    def submit(self, submission_id: str, call_id: str = "open-call") -> Event:
        return self.submission(
            submission_catalog.SubmissionSubmitted, submission_id, call_id=call_id
        )

    def update(self, submission_id: str, fields: dict[str, Any]) -> Event:
        return self.submission(
            submission_catalog.SubmissionUpdated,
            submission_id,
            changed=sorted(fields),
            fields=fields,
        )

    def material(self, submission_id: str, kind: str, outcome: str = "stored") -> str:
        """A material requested, uploaded and then stored (or rejected) by media."""
        material_id = self.request(submission_id, kind)
        self.finish(material_id, submission_id, kind, outcome)
        return material_id

    def request(self, submission_id: str, kind: str) -> str:
        """An upload slot requested now (it lives an hour); returns the material's id."""
        material_id = str(uuid.uuid4())
        requested = {
            "material_id": material_id, "submission_id": submission_id, "kind": kind,
            "district": "巴州区", "filename": f"{kind}.pdf", "content_type": "application/pdf",
            "size": 1000, "sha256": self._sha(material_id),
            "object_key": f"materials/{material_id}",
            "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        }  # fmt: skip
        self._append(self.media, media_catalog.MaterialRequested,
                     media_catalog.stream_id(material_id), requested)  # fmt: skip
        return material_id

    def finish(self, material_id: str, submission_id: str, kind: str, outcome: str = "stored"
               ) -> None:  # fmt: skip
        """The requested material uploaded now, then stored (or rejected) by media."""
        stream = media_catalog.stream_id(material_id)
        ids = {"material_id": material_id, "submission_id": submission_id, "kind": kind}
        self._append(self.media, media_catalog.MaterialUploaded, stream, ids)
        if outcome == "stored":
            stored = {"size": 1000, "sha256": self._sha(material_id),
                      "content_type": "application/pdf"}  # fmt: skip
            self._append(self.media, media_catalog.MediaStored, stream, ids | stored)
            self.stored.setdefault(submission_id, {})[kind] = material_id
        elif outcome == "rejected":
            self._append(self.media, media_catalog.MediaRejected, stream, ids | {"reason": "损坏"})

    def forward(
        self, *submission_ids: str, call_id: str = "open-call", district: str = "巴州区",
        number: int = 1, left_out: tuple[str, ...] = (),
    ) -> Event:  # fmt: skip
        """The district's batch (intake's `BatchSent`) forwarding the entries at their current
        version with their stored materials (四(二): the city selects only from these)."""
        entries = []
        for sid in submission_ids:
            version = self.intake.read_stream(submission_catalog.stream_id(sid))[-1].version
            materials = [{"id": m} for m in self.stored.get(sid, {}).values()]
            entries.append({"id": sid, "title": "", "category": "achievement",
                            "version": version, "materials": materials})  # fmt: skip
        batch_id = str(uuid.uuid4())
        left = [{"id": sid, "status": "draft"} for sid in left_out]
        manifest = {"entries": entries, "not_included": left}
        data = {"batch_id": batch_id, "number": number, "call_id": call_id, "district": district,
                "manifest": manifest, "sha256": "0" * 64}  # fmt: skip
        return self._append(self.intake, batch_catalog.BatchSent,
                            batch_catalog.stream_id(batch_id), data)  # fmt: skip

    @staticmethod
    def _sha(material_id: str) -> str:
        return hashlib.sha256(material_id.encode()).hexdigest()

    def marker(self, source: str) -> int:
        """An event at the end of `source`'s log ("intake" or "media") that changes no entry a
        test looks at: a service officer assigned (screening ignores it), or a material
        requested for an entry of its own. Returns its position (given now, as the relay
        would)."""
        unrelated = str(uuid.uuid4())
        if source == "intake":
            store = self.intake
            self.submission(submission_catalog.ServiceOfficerAssigned, unrelated, name="标记",
                            phone="13900000000")  # fmt: skip
        else:
            store = self.media
            material_id = str(uuid.uuid4())
            requested = {
                "material_id": material_id, "submission_id": unrelated, "kind": "proof",
                "district": "巴州区", "filename": "marker.pdf", "content_type": "application/pdf",
                "size": 1000, "sha256": "0" * 64, "object_key": f"materials/{material_id}",
                "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            }  # fmt: skip
            self._append(store, media_catalog.MaterialRequested,
                         media_catalog.stream_id(material_id), requested)  # fmt: skip
        store.sequence()
        return store.head()


@dataclass
class ScreeningApi:
    api: Api
    feed: Feed
    store: EventStore  # screening's own
    closes: datetime  # when `closing-call` closes

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.api.call(method, path, **kwargs)

    def get(self, submission_id: str, role: str = "staff", **kwargs: Any) -> requests.Response:
        return self.api.call("GET", f"/api/v1/screenings/{submission_id}", role=role, **kwargs)

    def wait_for(
        self,
        submission_id: str,
        state: str,
        timeout: float = 15,
        until: Callable[[dict[str, Any]], bool] = lambda _: True,
    ) -> dict[str, Any]:
        """The screening once it is in `state` and `until` holds (intake's and media's logs
        arrive independently, so intermediate results come and go)."""

        def shown() -> dict[str, Any] | None:
            response = self.get(submission_id)
            ok = response.status_code == 200 and response.json()["state"] == state
            return response.json() if ok and until(response.json()) else None

        return wait_until(shown, timeout=timeout, message=f"state {state}")  # type: ignore[no-any-return]

    def forward(self, *submission_ids: str, **batch: Any) -> Event:
        """The district's batch forwarding the entries (`Feed.forward`), once screening has
        applied it (the city selects only what was forwarded)."""
        sent = self.feed.forward(*submission_ids, **batch)
        for sid in submission_ids:
            wait_forwarded(lambda sid=sid: self.get(sid).json(), sent)
        return sent

    def events(self, submission_id: str, kind: str | None = None) -> list[Event]:
        stream = self.store.read_stream(screening_catalog.stream_id(submission_id))
        return [e for e in stream if kind is None or e.type == kind]

    def settle(self, source: str) -> None:
        """Wait until screening has applied everything `source`'s log holds now: a marker is
        appended after it and waited for. The subscription applies each log in order with no
        gaps, so once the marker is applied so is every event before it, and an assertion that
        an event changed nothing holds however slow the consumer is."""
        marker = self.feed.marker(source)
        wait_until(lambda: self.applied(source) >= marker, timeout=15,
                   message=f"{source} applied through position {marker}")  # fmt: skip

    def applied(self, source: str) -> int:
        """How far screening's subscription has applied `source`'s log."""
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(consumer_checkpoint.c.position).where(
                    consumer_checkpoint.c.consumer == "screening",
                    consumer_checkpoint.c.source == source,
                )
            ).scalar()
        return int(found or 0)


def wait_forwarded(shown: Callable[[], dict[str, Any]], sent: Event) -> None:
    """Until the screening `shown` gives says the batch `sent` forwarded the entry."""

    def applied() -> bool:
        forwarded = shown().get("forwarded") or {}
        return bool(forwarded.get("batch_id") == sent.data["batch_id"])

    wait_until(applied, timeout=15, message=f"batch {sent.data['batch_id']} applied")


def _container(service: type, broker: Any, **config: Any) -> ServiceContainer:
    port = free_port()
    settings = {"AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"} | config
    return ServiceContainer(service, settings)


@pytest.fixture
def screening_api(  # type: ignore[no-untyped-def]
    database_url: str, other_database_url: str, broker, tmp_path: Path, monkeypatch
) -> Iterator[ScreeningApi]:
    with throwaway_database() as media_url:
        schema.upgrade(database_url, "screening")
        schema.upgrade(other_database_url, "intake")
        schema.upgrade(media_url, "media")
        private_pem, public_pem = new_key_pair()
        closes = (datetime.now(UTC) + CLOSES_AFTER).replace(microsecond=0)
        (tmp_path / "jwt-public.pem").write_bytes(public_pem)
        (tmp_path / "calls.yaml").write_text(calls_yaml(closes), encoding="utf-8")
        monkeypatch.setenv("KECHUANG_DB_URL_SCREENING", database_url)
        monkeypatch.setenv("KECHUANG_DB_URL_INTAKE", other_database_url)
        monkeypatch.setenv("KECHUANG_DB_URL_MEDIA", media_url)
        monkeypatch.setenv("KECHUANG_JWT_PUBLIC_KEY_FILE", str(tmp_path / "jwt-public.pem"))
        monkeypatch.setenv("KECHUANG_CALLS", str(tmp_path / "calls.yaml"))
        engines = [make_engine(url, pool_size=2) for url in (database_url, other_database_url,
                                                              media_url)]  # fmt: skip
        screening = _container(ScreeningService, broker, max_workers=20, serializer="json")
        owners = [_container(IntakeLog, broker), _container(MediaLog, broker)]
        for container in [*owners, screening]:
            container.start()
        base = screening.config["WEB_SERVER_ADDRESS"]
        api = Api(f"http://{base}", private_pem)
        feed = Feed(EventStore(engines[1]), EventStore(engines[2]))
        try:
            with (
                relay_process(broker, other_database_url, tmp_path / "intake-relay.log",
                              service="intake"),
                relay_process(broker, media_url, tmp_path / "media-relay.log", service="media"),
            ):  # fmt: skip
                yield ScreeningApi(api, feed, EventStore(engines[0]), closes)
        finally:
            for container in [screening, *owners]:
                container.stop()
            for engine in engines:
                engine.dispose()
