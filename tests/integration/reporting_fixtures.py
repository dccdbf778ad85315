"""Reporting in this process (real HTTP, PostgreSQL, RabbitMQ) beside three owners named like
the real ones (`intake`, `media`, `screening`), each serving a real event store's log over
RPC from a throw-away database, so catch-up and rebuild read real logs.

Everything runs in a RabbitMQ vhost of the test's own: the RPC queues are named after the
services (`rpc-intake`, ...), and in the shared test vhost another test's real intake would
answer our calls.

`World` writes events straight into the owners' stores (what intake, media and screening
would append) and keeps the ground truth of each entry computed from those events alone.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from kombu import Connection, Producer
from nameko.containers import ServiceContainer
from sqlalchemy import Engine

import shared.catalog  # noqa: F401  (registers the event types)
from ops import schema
from services.reporting.service import ReportingService
from shared.auth import new_key_pair
from shared.catalog import media, screening, submission
from shared.db import make_engine
from shared.dependencies import Store
from shared.entrypoints import ServesEventLog
from shared.events import EventType, new_event
from shared.eventstore import EventStore
from tests.entries import full_body
from tests.integration.conftest import Broker, private_vhost, throwaway_database, vhost_uri
from tests.integration.intake_fixtures import Api, free_port

DISTRICTS = ("巴州区", "恩阳区", "通江县")
CATEGORIES = ("achievement", "promotion", "challenge", "finance")
SCREENED = ("incomplete", "in_review", "eligible", "ineligible")


class IntakeOwner(ServesEventLog):
    name = "intake"
    event_store = Store("intake")


class MediaOwner(ServesEventLog):
    name = "media"
    event_store = Store("media")


class ScreeningOwner(ServesEventLog):
    name = "screening"
    event_store = Store("screening")


OWNERS = {"intake": IntakeOwner, "media": MediaOwner, "screening": ScreeningOwner}


@dataclass
class Truth:
    """One entry as the events say it is, computed here independently of the projection."""

    district: str
    category: str
    title: str
    applicant: str
    status: str = "draft"
    screening: str | None = None
    findings: int = 0  # problems: fail and missing
    reviews: int = 0  # review items still awaiting staff
    priority: bool | None = None
    selection: str | None = None
    officer: str | None = None
    materials: dict[str, str] = field(default_factory=dict)  # material id -> status

    @property
    def state(self) -> str:
        if self.status == "withdrawn":
            return "withdrawn"
        if self.selection == "selected":
            return "selected"
        return self.screening or self.status


@dataclass
class World:
    stores: dict[str, EventStore]
    broker: Broker
    engine: Engine  # reporting's database
    rng: random.Random = field(default_factory=lambda: random.Random(20211102))
    truth: dict[str, Truth] = field(default_factory=dict)

    def append(self, owner: str, event_type: EventType, stream: str, data: dict) -> None:
        event = new_event(event_type, stream, data)
        with self.stores[owner].engine.begin() as conn:
            self.stores[owner].append(conn, stream, [event], expected_version=None)

    # -- what each owner would log ------------------------------------------------------------

    def draft(self, district: str, category: str, title: str | None = None,
              body: dict[str, Any] | None = None) -> str:  # fmt: skip
        """A new entry with `body` as its fields (default: a full body of the category, in
        today's shape), under a random title and applicant name unless given."""
        sid = str(uuid.uuid4())
        body = copy.deepcopy(body) if body is not None else full_body(category)
        body["title"] = title or f"项目{self.rng.randrange(10**6)}"
        body["applicant"]["name"] = f"{district}某单位{self.rng.randrange(100)}"
        self.append(
            "intake",
            submission.SubmissionDrafted,
            submission.stream_id(sid),
            {"submission_id": sid, "district": district, "call_id": "tianfu-2021",
             "category": category, "fields": body},
        )  # fmt: skip
        self.truth[sid] = Truth(district, category, body["title"], body["applicant"]["name"])
        return sid

    def update_title(self, sid: str, title: str) -> None:
        body = full_body(self.truth[sid].category)
        body["title"] = title
        body["applicant"]["name"] = self.truth[sid].applicant
        self.append(
            "intake",
            submission.SubmissionUpdated,
            submission.stream_id(sid),
            {"submission_id": sid, "changed": ["title"], "fields": body},
        )
        self.truth[sid].title = title

    def submit(self, sid: str) -> None:
        data = {"submission_id": sid, "call_id": "tianfu-2021"}
        self.append("intake", submission.SubmissionSubmitted, submission.stream_id(sid), data)
        self.truth[sid].status = "submitted"

    def withdraw(self, sid: str) -> None:
        data = {"submission_id": sid, "reason": "测试撤回"}
        self.append("intake", submission.SubmissionWithdrawn, submission.stream_id(sid), data)
        self.truth[sid].status = "withdrawn"

    def officer(self, sid: str, name: str) -> None:
        data = {"submission_id": sid, "name": name, "phone": "13900000000"}
        self.append("intake", submission.ServiceOfficerAssigned, submission.stream_id(sid), data)
        self.truth[sid].officer = name

    def material(self, sid: str, kind: str, outcome: str | None) -> str:
        mid = str(uuid.uuid4())
        common = {"material_id": mid, "submission_id": sid, "kind": kind}
        expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        self.append(
            "media",
            media.MaterialRequested,
            media.stream_id(mid),
            common | {"district": self.truth[sid].district, "filename": f"{kind}.pdf",
                      "content_type": "application/pdf", "size": 100, "sha256": "0" * 64,
                      "object_key": f"k/{mid}", "expires_at": expires},
        )  # fmt: skip
        status = "awaiting_upload"
        if outcome is not None:
            self.append("media", media.MaterialUploaded, media.stream_id(mid), common)
            if outcome == "stored":
                extra = {"size": 100, "sha256": "0" * 64, "content_type": "application/pdf"}
                self.append("media", media.MediaStored, media.stream_id(mid), common | extra)
            else:
                extra = {"reason": "文件损坏"}
                self.append("media", media.MediaRejected, media.stream_id(mid), common | extra)
            status = outcome
        self.truth[sid].materials[mid] = status
        return mid

    def screen(self, sid: str, state: str, problems: int, reviews: int = 0,
               priority: bool = False) -> None:  # fmt: skip
        """A screening result with every outcome screening gives: `problems` problems (missing
        ones, alternating with fails when the state is ineligible), `reviews` review items,
        passes, and a priority finding if `priority`."""
        failing = state == "ineligible"  # a fail anywhere else would have made it ineligible
        outcomes = ["pass", "pass"]
        outcomes += ["fail" if failing and n % 2 else "missing" for n in range(problems)]
        outcomes += ["review"] * reviews + (["priority"] if priority else ["pass"])
        self.rng.shuffle(outcomes)
        listed = [
            {"rule": f"r{n}", "clause": "二(一)6⑦", "outcome": outcome, "message": "……"}
            for n, outcome in enumerate(outcomes)
        ]
        self.append(
            "screening",
            screening.ScreeningCompleted,
            screening.stream_id(sid),
            {"submission_id": sid, "state": state, "ruleset": "tianfu-2021",
             "findings": listed, "priority": priority, "window_closed": False},
        )  # fmt: skip
        truth = self.truth[sid]
        truth.screening = state
        truth.findings = problems
        # Review items await staff only while the entry is incomplete or in review.
        truth.reviews = reviews if state in ("incomplete", "in_review") else 0
        truth.priority = priority

    def random_screen(self, sid: str) -> None:
        """A lawful screening result in a random state: eligible has no problem, in review
        at least one review item and no problem, incomplete a missing item, ineligible a
        fail or missing one; review items may come with any of them."""
        rng = self.rng
        state = rng.choice(SCREENED)
        problems = rng.randrange(1, 4) if state in ("incomplete", "ineligible") else 0
        reviews = rng.randrange(1, 3) if state == "in_review" else rng.randrange(3)
        self.screen(sid, state, problems, reviews, priority=rng.random() < 0.3)

    def select(self, sid: str, decision: str) -> None:
        data = {"submission_id": sid, "decision": decision, "note": ""}
        self.append("screening", screening.SelectionRecorded, screening.stream_id(sid), data)
        self.truth[sid].selection = decision

    def random_entries(self, count: int) -> list[str]:
        """`count` entries through random but lawful lives (a selected entry is never
        withdrawn; only submitted entries are screened)."""
        made = []
        for _ in range(count):
            rng = self.rng
            sid = self.draft(rng.choice(DISTRICTS), rng.choice(CATEGORIES))
            made.append(sid)
            if rng.random() < 0.3:
                self.update_title(sid, f"修改后的项目{rng.randrange(10**6)}")
            if rng.random() < 0.3:
                self.officer(sid, f"保姆{rng.randrange(10)}")
            if rng.random() < 0.5:
                self.material(sid, "promo_video", rng.choice([None, "stored", "rejected"]))
            if rng.random() < 0.7:
                self.submit(sid)
                if rng.random() < 0.8:
                    self.random_screen(sid)
                    if self.truth[sid].screening == "eligible" and rng.random() < 0.5:
                        self.select(sid, "selected")
                        if rng.random() < 0.2:
                            self.select(sid, "not_selected")
                            continue
                        continue
            if self.truth[sid].status != "draft" and rng.random() < 0.15:
                self.withdraw(sid)
        return made

    # -- the truth as the reports should show it ------------------------------------------------

    def counts(self, district: str | None = None) -> dict[tuple[str, str, str], int]:
        found: dict[tuple[str, str, str], int] = {}
        for t in self.truth.values():
            if district is None or t.district == district:
                key = (t.district, t.category, t.state)
                found[key] = found.get(key, 0) + 1
        return found

    def wake(self) -> None:
        """Publish each owner's latest event, as its relay would have: the consumer reads what
        precedes it from the owner's log, so the reports catch up now rather than at their
        catch-up timer (10 s)."""
        for owner, store in self.stores.items():
            store.sequence()
            head = store.head()
            if head:
                self.publish(owner, store.read_log_raw(after=head - 1, limit=1)[0])

    def publish(self, owner: str, raw: dict[str, Any]) -> None:
        with Connection(self.broker.uri) as conn:
            Producer(conn.default_channel).publish(
                raw,
                exchange=self.broker.exchange,
                routing_key=f"{raw['stream_type']}.{raw['type']}",
                serializer="json",
            )


def summary_counts(body: dict[str, Any]) -> dict[tuple[str, str, str], int]:
    return {
        (d["district"], category, state): n
        for d in body["districts"]
        for category, states in d["categories"].items()
        for state, n in states.items()
        if n
    }


@dataclass
class Reporting:
    api: Api
    world: World
    broker: Broker
    config: dict[str, Any]
    database_url: str
    owner_urls: dict[str, str]
    containers: dict[str, ServiceContainer]

    def restart(self) -> None:
        self.stop()
        self.containers["reporting"] = ServiceContainer(ReportingService, self.config)
        self.containers["reporting"].start()

    def stop(self) -> None:
        self.containers["reporting"].stop()

    def get(self, path: str, role: str = "staff", district: str | None = None,
            **kwargs: Any) -> requests.Response:  # fmt: skip
        return self.api.call("GET", f"/api/v1/reports{path}", role=role, district=district,
                             **kwargs)  # fmt: skip


@pytest.fixture(name="rpt")
def reporting_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reporting]:
    with ExitStack() as stack:
        # A vhost per test: its owners answer RPC under the real services' names.
        vhost = stack.enter_context(private_vhost("kechuang_rpt"))
        broker = Broker(vhost_uri(vhost), "test.reporting.events", "test.reporting.dead")
        for key, value in broker.env().items():
            monkeypatch.setenv(key, value)
        stores = {}
        owner_urls = {}
        for owner in OWNERS:
            url = stack.enter_context(throwaway_database())
            schema.upgrade(url)
            engine = make_engine(url, pool_size=5)
            stack.callback(engine.dispose)
            stores[owner] = EventStore(engine)
            owner_urls[owner] = url
            monkeypatch.setenv(f"KECHUANG_DB_URL_{owner.upper()}", url)
        database_url = stack.enter_context(throwaway_database())
        schema.upgrade(database_url, "reporting")
        monkeypatch.setenv("KECHUANG_DB_URL_REPORTING", database_url)
        engine = make_engine(database_url, pool_size=5)
        stack.callback(engine.dispose)
        private_pem, public_pem = new_key_pair()
        (tmp_path / "jwt-public.pem").write_bytes(public_pem)
        monkeypatch.setenv("KECHUANG_JWT_PUBLIC_KEY_FILE", str(tmp_path / "jwt-public.pem"))

        port = free_port()
        base = {"AMQP_URI": broker.uri, "max_workers": 10, "serializer": "json"}
        service_config = base | {"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}
        containers = {name: ServiceContainer(cls, base) for name, cls in OWNERS.items()}
        containers["reporting"] = ServiceContainer(ReportingService, service_config)
        for container in containers.values():
            container.start()
        found = Reporting(
            api=Api(f"http://127.0.0.1:{port}", private_pem),
            world=World(stores, broker, engine),
            broker=broker,
            config=service_config,
            database_url=database_url,
            owner_urls=owner_urls,
            containers=containers,
        )
        try:
            yield found
        finally:
            # The consumer first: stopped after its owners, a catch-up in flight would wait
            # out its RPC timeout (30 s) for an answer no one will send.
            for container in reversed(found.containers.values()):
                container.stop()
