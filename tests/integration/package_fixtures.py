"""The city's recommendation end to end in this process: screening, reporting and media as
they run (real HTTP, PostgreSQL, RabbitMQ, MinIO), each with its own throw-away database and a
relay publishing its events. Intake is a stand-in serving a log the test appends to (`Feed`,
as in screening_fixtures); media's materials go through media's own use cases (a slot, a PUT
of real bytes to the test's bucket, completion, verification by the real inspection), so the
digests the package is checked against are the ones media verified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from nameko.containers import ServiceContainer

from ops import schema
from services.media.adapters.storage import Storage
from services.media.commands import Media
from services.media.service import MediaService, inspect_in_subprocess, limits_from
from services.reporting.service import ReportingService
from services.screening.service import ScreeningService
from shared import config
from shared.auth import Principal, new_key_pair
from shared.db import make_engine
from shared.eventstore import EventStore
from tests.integration.conftest import throwaway_database
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api
from tests.integration.media_fixtures import LIMITS, make_video
from tests.integration.screening_fixtures import (
    Feed,
    IntakeLog,
    _container,
    calls_yaml,
    wait_forwarded,
)

OFFICE = Principal(subject="test-office", role="office", district="巴州区")


def pdf_bytes(text: str) -> bytes:
    """A small document media takes as a PDF (its type is read from the bytes)."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + hashlib.sha256(text.encode()).digest() * 64


@dataclass
class Province:
    feed: Feed  # intake's events (its relay publishes them)
    media: Media  # media's use cases on its real store and the test's bucket
    screening: Api
    reporting: Api
    storage: Storage
    video: bytes

    def upload(self, submission_id: str, kind: str, filename: str, data: bytes,
               content_type: str) -> str:  # fmt: skip
        slot = self.media.request(OFFICE, submission_id, {
            "kind": kind, "filename": filename, "content_type": content_type,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        })  # fmt: skip
        upload = slot["upload"]
        put = requests.put(upload["url"], data=data, headers=upload["headers"], timeout=60)
        assert put.status_code == 200, put.text
        material_id = str(slot["material_id"])
        self.media.complete(OFFICE, material_id, {})
        # The media service beside us verifies it too (its queue hears of the upload): whoever
        # comes first records the verdict.
        self.media.verify(material_id, inspect_in_subprocess)
        found = wait_until(lambda: self.media.digests([material_id]).get(material_id),
                           timeout=30, message="verified")  # fmt: skip
        assert found["status"] == "stored", found
        return material_id

    def selected_entry(self, title: str, filenames: tuple[str, str, str] | None = None) -> str:
        """An achievement entry with its three materials stored, submitted, reviewed eligible
        and selected by the city. Returns its id."""
        names = filenames or ("推介视频.mp4", "项目介绍.pdf", "证明材料.pdf")
        entry = self.feed.draft(title=title)
        stored = self.feed.stored.setdefault(entry, {})
        for kind, name, data, content_type in (
            ("promo_video", names[0], self.video, "video/mp4"),
            ("introduction", names[1], pdf_bytes(f"{title}介绍"), "application/pdf"),
            ("proof", names[2], pdf_bytes(f"{title}证明"), "application/pdf"),
        ):
            stored[kind] = self.upload(entry, kind, name, data, content_type)
        self.feed.submit(entry)
        self.wait_state(entry, "in_review")
        for what, body in (("review", {"decision": "eligible"}),
                           ("selection", {"decision": "selected"})):  # fmt: skip
            if what == "selection":  # 四(二): the district forwards it first
                sent = self.feed.forward(entry)
                wait_forwarded(lambda: self.post_get(entry), sent)
            done = self.post(entry, what, body)
            assert done.status_code == 200, done.text
        return entry

    def post_get(self, entry: str) -> dict[str, Any]:
        """The entry's screening, as staff see it."""
        answer = self.screening.call("GET", f"/api/v1/screenings/{entry}", role="staff")
        return answer.json()  # type: ignore[no-any-return]

    def post(self, entry: str, what: str, body: Any, role: str = "staff") -> requests.Response:
        return self.screening.call("POST", f"/api/v1/screenings/{entry}/{what}", role=role,
                                   json=body)  # fmt: skip

    def wait_state(self, entry: str, state: str) -> dict[str, Any]:
        def shown() -> dict[str, Any] | None:
            got = self.screening.call("GET", f"/api/v1/screenings/{entry}", role="staff")
            return got.json() if got.status_code == 200 and got.json()["state"] == state else None

        return wait_until(shown, timeout=30, message=f"state {state}")  # type: ignore[no-any-return]

    def report(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("role", "staff")
        return self.reporting.call("GET", f"/api/v1/reports{path}", **kwargs)

    def reported(self, count: int) -> list[dict[str, Any]]:
        """The recommended rows once reporting lists `count` of them."""

        def rows() -> list[dict[str, Any]] | None:
            got = self.report("/entries", params={"recommended": "true",
                                                  "sort": "recommendation_rank"})  # fmt: skip
            items = got.json()["items"] if got.status_code == 200 else []
            return items if len(items) == count else None

        return wait_until(rows, timeout=30, message=f"{count} recommended")  # type: ignore[no-any-return]


@pytest.fixture
def province(broker, media_bucket: str, tmp_path: Path, monkeypatch) -> Iterator[Province]:  # type: ignore[no-untyped-def]
    with (
        throwaway_database() as intake_url,
        throwaway_database() as media_url,
        throwaway_database() as screening_url,
        throwaway_database() as reporting_url,
    ):
        urls = {"intake": intake_url, "media": media_url, "screening": screening_url,
                "reporting": reporting_url}  # fmt: skip
        for service, url in urls.items():
            schema.upgrade(url, service)
            monkeypatch.setenv(f"KECHUANG_DB_URL_{service.upper()}", url)
        for key, value in LIMITS.items():
            monkeypatch.setenv(key, value)
        private_pem, public_pem = new_key_pair()
        (tmp_path / "jwt-public.pem").write_bytes(public_pem)
        closes = datetime.now(UTC) + timedelta(hours=1)
        (tmp_path / "calls.yaml").write_text(calls_yaml(closes), encoding="utf-8")
        monkeypatch.setenv("KECHUANG_JWT_PUBLIC_KEY_FILE", str(tmp_path / "jwt-public.pem"))
        monkeypatch.setenv("KECHUANG_CALLS", str(tmp_path / "calls.yaml"))
        engines = {name: make_engine(url, pool_size=2) for name, url in urls.items()}
        containers: list[ServiceContainer] = [
            _container(IntakeLog, broker),
            _container(MediaService, broker),
            _container(ScreeningService, broker, max_workers=10, serializer="json"),
            _container(ReportingService, broker, max_workers=10, serializer="json"),
        ]
        for container in containers:
            container.start()
        settings = config.load()
        storage = Storage(settings.object_store)
        media = Media(EventStore(engines["media"]), storage, limits_from(settings.env),
                      lambda sid: {"district": "巴州区", "call_id": "open-call"})  # fmt: skip
        feed = Feed(EventStore(engines["intake"]), EventStore(engines["media"]))
        screening_base = containers[2].config["WEB_SERVER_ADDRESS"]
        reporting_base = containers[3].config["WEB_SERVER_ADDRESS"]
        try:
            with (
                relay_process(broker, intake_url, tmp_path / "intake.log", service="intake"),
                relay_process(broker, media_url, tmp_path / "media.log", service="media"),
                relay_process(broker, screening_url, tmp_path / "screening.log",
                              service="screening"),
            ):  # fmt: skip
                yield Province(feed, media, Api(f"http://{screening_base}", private_pem),
                               Api(f"http://{reporting_base}", private_pem), storage,
                               make_video(tmp_path / "v.mp4"))  # fmt: skip
        finally:
            for container in reversed(containers):
                container.stop()
            for engine in engines.values():
                engine.dispose()
