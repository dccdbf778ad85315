"""Intake and screening running in this process on real HTTP, PostgreSQL and RabbitMQ, each
with its own throw-away database and relay, learning of each other's events as in production;
media is a stand-in serving a log of materials the test appends (`Feed`). Used where a test
needs the two owners together: the withdrawal race, the district's batch and the city's
selection from it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ops import openapi, schema
from services.intake.service import IntakeService
from services.screening.service import ScreeningService
from shared.auth import new_key_pair
from shared.catalog import media as media_catalog
from shared.db import make_engine
from shared.entrypoints import rpc
from shared.eventstore import EventStore, consumer_checkpoint
from tests.integration.conftest import throwaway_database
from tests.integration.helpers import relay_process
from tests.integration.intake_fixtures import Api
from tests.integration.screening_fixtures import (
    CLOSES_AFTER,
    Feed,
    MediaLog,
    _container,
    calls_yaml,
)


class MediaDigests(MediaLog):
    """The media stand-in, answering intake's `material_digests` (for a batch's manifest) from
    the materials the test appended: size, SHA-256 and status as `MediaStored` gave them."""

    @rpc
    def material_digests(
        self, material_ids: list[str], check_objects: bool = False
    ) -> dict[str, dict[str, Any]]:
        found = {}
        for material_id in material_ids:
            for event in self.event_store.read_stream(media_catalog.stream_id(material_id)):
                if event.type == "MediaStored":
                    data = event.data
                    found[material_id] = {
                        "size": data["size"],
                        "sha256": data["sha256"],
                        "status": "stored",
                    }
        return found


@dataclass
class Stack:
    intake: Api
    screening: Api
    feed: Feed  # appends media's events (its relay publishes them)
    intake_store: EventStore
    screening_store: EventStore

    def quiescent(self) -> tuple[int, int] | None:
        """Both logs' heads when each service has applied all of the other's log (None if
        not yet). Applying an event may append new ones, so callers ask twice."""
        heads = []
        for store in (self.intake_store, self.screening_store):
            store.sequence()  # the relays number events too; this only saves waiting for them
            heads.append(store.head())
        intake_head, screening_head = heads
        caught_up = (
            _applied(self.screening_store, "screening", "intake") >= intake_head
            and _applied(self.intake_store, "intake", "screening") >= screening_head
        )
        return (intake_head, screening_head) if caught_up else None

    def settle(self, timeout: float = 60) -> None:
        """Wait until neither service has anything of the other's left to apply: the check
        holds twice in a row with the same heads (so no lapse was appended in between)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            now = self.quiescent()
            if now is not None and now == last:
                return
            last = now
            time.sleep(0.5)
        raise AssertionError("intake and screening did not settle")


def _applied(store: EventStore, consumer: str, source: str) -> int:
    with store.engine.connect() as conn:
        found = conn.execute(
            select(consumer_checkpoint.c.position).where(
                consumer_checkpoint.c.consumer == consumer,
                consumer_checkpoint.c.source == source,
            )
        ).scalar()
    return int(found or 0)


@pytest.fixture
def stack(  # type: ignore[no-untyped-def]
    database_url: str, other_database_url: str, broker, tmp_path: Path, monkeypatch
) -> Iterator[Stack]:
    intake_url, screening_url = database_url, other_database_url
    with throwaway_database() as media_url:
        schema.upgrade(intake_url, "intake")
        schema.upgrade(screening_url, "screening")
        schema.upgrade(media_url, "media")
        private_pem, public_pem = new_key_pair()
        (tmp_path / "jwt-public.pem").write_bytes(public_pem)
        # Only `open-call` is used; the closing call's deadline does not matter here.
        closes = datetime.now(UTC) + CLOSES_AFTER
        (tmp_path / "calls.yaml").write_text(calls_yaml(closes), encoding="utf-8")
        for key, value in {
            "KECHUANG_DB_URL_INTAKE": intake_url,
            "KECHUANG_DB_URL_SCREENING": screening_url,
            "KECHUANG_DB_URL_MEDIA": media_url,
            "KECHUANG_JWT_PUBLIC_KEY_FILE": str(tmp_path / "jwt-public.pem"),
            "KECHUANG_CALLS": str(tmp_path / "calls.yaml"),
            "KECHUANG_API_DOCUMENT": str(openapi.write(tmp_path / "openapi.json")),
        }.items():
            monkeypatch.setenv(key, value)
        engines = [make_engine(url, pool_size=2) for url in (intake_url, screening_url, media_url)]
        intake = _container(IntakeService, broker, max_workers=20)
        screening = _container(ScreeningService, broker, max_workers=20, serializer="json")
        media = _container(MediaDigests, broker)
        containers = [media, intake, screening]
        for container in containers:
            container.start()
        intake_store, screening_store, media_store = (EventStore(e) for e in engines)
        try:
            with (
                relay_process(broker, intake_url, tmp_path / "intake.log", service="intake"),
                relay_process(broker, screening_url, tmp_path / "screening.log",
                              service="screening"),
                relay_process(broker, media_url, tmp_path / "media.log", service="media"),
            ):  # fmt: skip
                yield Stack(
                    Api(f"http://{intake.config['WEB_SERVER_ADDRESS']}", private_pem),
                    Api(f"http://{screening.config['WEB_SERVER_ADDRESS']}", private_pem),
                    Feed(intake_store, media_store),
                    intake_store,
                    screening_store,
                )
        finally:
            for container in reversed(containers):
                container.stop()
            for engine in engines:
                engine.dispose()
