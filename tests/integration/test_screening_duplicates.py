"""Screening's 疑似重复申报 finding, fed by matching's events over the bus: in this process
matching and screening (real HTTP, PostgreSQL, RabbitMQ), owners standing in for intake and
media serving their logs, and `kechuang relay` processes publishing intake's and matching's
logs on the test's exchange, as production runs them.

Two entries with a copied summary across districts get a `review` finding naming each other;
`not_duplicate` clears it; `duplicate_of` makes the copy fail; an unrelated entry's findings
never change; and staff's match decisions (MatchDecided, which no queue reads) do not stall
matching's relay."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nameko.containers import ServiceContainer
from sqlalchemy import Engine, select

import shared.catalog  # noqa: F401  (registers the event types)
from ops import schema
from services.matching.queries import Matching as MatchingQueries
from services.matching.service import MatchingService
from services.screening.service import ScreeningService
from shared.auth import new_key_pair
from shared.catalog import screening as screening_catalog
from shared.db import make_engine
from shared.eventstore import EventStore, consumer_checkpoint, relay_checkpoint
from tests.entries import full_body
from tests.integration.conftest import Broker, throwaway_database
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api, free_port
from tests.integration.reporting_fixtures import IntakeOwner, MediaOwner, World
from tests.integration.test_matching import ORCHARD, ORCHARD_COPY, SOLAR, STRAW, STRAW_OFFER

pytestmark = pytest.mark.integration

CALLS = """
calls:
  - id: tianfu-2021
    title: 测试征集（进行中）
    opens: 2020-01-01T00:00:00+08:00
    closes: 2099-12-31T23:59:59+08:00
    categories: [achievement, promotion, challenge, finance]
    districts: [巴州区, 恩阳区, 通江县]
"""
ORCHARD_TITLE = "山地果园智能水肥一体化灌溉系统"
COPY_TITLE = "山地果园智能水肥一体化灌溉系统及应用"


@dataclass
class Stack:
    world: World  # intake's log, written as intake would
    matching: Api
    screening: Api
    matching_engine: Engine
    screening_engine: Engine

    def entry(self, district: str, category: str, title: str, summary: str, **extra: Any) -> str:
        plain = {"summary": summary, "benefits": "", "industry_codes": [], "keywords": []}
        sid = self.world.draft(district, category, title,
                               copy.deepcopy(full_body(category)) | plain | extra)  # fmt: skip
        self.world.submit(sid)
        return sid

    def matching_applied_intake(self) -> None:
        head = self.world.stores["intake"].head()

        def done() -> bool:
            with self.matching_engine.connect() as conn:
                at = conn.execute(
                    select(consumer_checkpoint.c.position).where(
                        consumer_checkpoint.c.consumer == "matching"
                    )
                ).scalar()
            return head > 0 and at == head

        self.world.stores["intake"].sequence()
        head = self.world.stores["intake"].head()
        wait_until(done, 30, "matching to apply intake's log (published by its relay)")

    def findings(self, sid: str) -> dict[str, dict[str, Any]] | None:
        answer = self.screening.call("GET", f"/api/v1/screenings/{sid}", role="staff")
        if answer.status_code != 200 or answer.json()["state"] == "pending":
            return None
        return {finding["rule"]: finding for finding in answer.json()["findings"]}

    def wait_findings(self, sid: str, holds: Any, message: str) -> dict[str, dict[str, Any]]:
        def shown() -> dict[str, dict[str, Any]] | None:
            found = self.findings(sid)
            return found if found is not None and holds(found) else None

        return wait_until(shown, 30, message)  # type: ignore[no-any-return]

    def screenings(self, sid: str) -> int:
        stream = EventStore(self.screening_engine).read_stream(screening_catalog.stream_id(sid))
        return sum(1 for event in stream if event.type == "ScreeningCompleted")

    def mark(self, copy_: str, original: str, decision: str) -> None:
        path = f"/api/v1/duplicates/{copy_}/{original}"
        answer = self.matching.call("POST", path, role="staff", json={"decision": decision})
        assert answer.status_code == 200, answer.text

    def relayed_all(self) -> None:
        """Matching's relay has published its whole log (it never stalls on an event)."""
        store = EventStore(self.matching_engine)

        def done() -> bool:
            store.sequence()
            with self.matching_engine.connect() as conn:
                at = conn.execute(
                    select(relay_checkpoint.c.position).where(
                        relay_checkpoint.c.name == "matching-relay"
                    )
                ).scalar()
            return at is not None and at == store.head()

        wait_until(done, 30, "matching's relay to publish its whole log")


@pytest.fixture
def stack(broker: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    with ExitStack() as exits:
        urls = {name: exits.enter_context(throwaway_database())
                for name in ("intake", "media", "matching", "screening")}  # fmt: skip
        engines: dict[str, Engine] = {}
        for name, url in urls.items():
            schema.upgrade(url, name)
            monkeypatch.setenv(f"KECHUANG_DB_URL_{name.upper()}", url)
            engines[name] = make_engine(url, pool_size=3)
            exits.callback(engines[name].dispose)
        private_pem, public_pem = new_key_pair()
        (tmp_path / "jwt-public.pem").write_bytes(public_pem)
        (tmp_path / "calls.yaml").write_text(CALLS, encoding="utf-8")
        monkeypatch.setenv("KECHUANG_JWT_PUBLIC_KEY_FILE", str(tmp_path / "jwt-public.pem"))
        monkeypatch.setenv("KECHUANG_CALLS", str(tmp_path / "calls.yaml"))
        base = {"AMQP_URI": broker.uri, "max_workers": 10, "serializer": "json"}
        ports = {"matching": free_port(), "screening": free_port()}
        containers = [
            ServiceContainer(IntakeOwner, base),
            ServiceContainer(MediaOwner, base),
            ServiceContainer(MatchingService,
                             base | {"WEB_SERVER_ADDRESS": f"127.0.0.1:{ports['matching']}"}),
            ServiceContainer(ScreeningService,
                             base | {"WEB_SERVER_ADDRESS": f"127.0.0.1:{ports['screening']}"}),
        ]  # fmt: skip
        for container in containers:
            container.start()
            exits.callback(container.stop)
        for service in ("intake", "matching"):
            log = tmp_path / f"{service}-relay.log"
            exits.enter_context(relay_process(broker, urls[service], log, service=service))
        world = World({"intake": EventStore(engines["intake"])}, broker, engines["matching"])
        yield Stack(
            world,
            Api(f"http://127.0.0.1:{ports['matching']}", private_pem),
            Api(f"http://127.0.0.1:{ports['screening']}", private_pem),
            engines["matching"],
            engines["screening"],
        )
        # The relay never met a message no queue would take.
        assert "no queue bound" not in (tmp_path / "matching-relay.log").read_text()


def suspected(found: dict[str, dict[str, Any]]) -> bool:
    return "duplicate.suspected" in found


def no_duplicate(found: dict[str, dict[str, Any]]) -> bool:
    return not any(rule.startswith("duplicate.") for rule in found)


def test_a_copied_entry_is_suspected_cleared_and_failed_as_staff_decide(stack: Stack) -> None:
    orchard = stack.entry("巴州区", "promotion", ORCHARD_TITLE, ORCHARD)
    copy_ = stack.entry("通江县", "promotion", COPY_TITLE, ORCHARD_COPY)
    need = stack.entry("巴州区", "challenge", "秸秆综合利用技术难题", STRAW,
                       industry_codes=["A", "01"], keywords=["秸秆"])  # fmt: skip
    straw = stack.entry("恩阳区", "achievement", "秸秆还田与秸秆饲料化成套技术", STRAW_OFFER,
                        industry_codes=["A"], keywords=["秸秆", "饲料"])  # fmt: skip
    solar = stack.entry("恩阳区", "achievement", "钙钛矿太阳能电池", SOLAR)
    stack.matching_applied_intake()
    before = stack.wait_findings(solar, lambda _: True, "the unrelated entry screened")
    # Matching's timer publishes the suspicion; here at once (either way once per pair).
    MatchingQueries(stack.matching_engine).publish_suspicions()

    # Each entry of the pair names the other: its title, district and the similarity.
    on_orchard = stack.wait_findings(orchard, suspected, "the suspicion on the original")
    on_copy = stack.wait_findings(copy_, suspected, "the suspicion on the copy")
    finding = on_orchard["duplicate.suspected"]
    assert finding["outcome"] == "review" and finding["clause"] == "一(二)"
    assert finding["message"].startswith(
        f"疑似重复申报：与《{COPY_TITLE}》（通江县）疑似重复，相似度 0."
    )
    assert on_copy["duplicate.suspected"]["message"].startswith(
        f"疑似重复申报：与《{ORCHARD_TITLE}》（巴州区）疑似重复，相似度 0."
    )

    # Staff's match decisions go out on the bus too: no queue reads MatchDecided, and the
    # relay publishes it and what follows without stalling.
    for decision in ("confirmed", "dismissed"):
        answer = stack.matching.call("POST", f"/api/v1/matches/{need}/{straw}", role="staff",
                                     json={"decision": decision})  # fmt: skip
        assert answer.status_code == 200, answer.text
    stack.relayed_all()

    # Not a duplicate: the finding goes from both.
    stack.mark(copy_, orchard, "not_duplicate")
    stack.wait_findings(orchard, no_duplicate, "the suspicion cleared on the original")
    stack.wait_findings(copy_, no_duplicate, "the suspicion cleared on the copy")

    # A duplicate after all (a later mark replaces the earlier): the copy fails, named.
    stack.mark(copy_, orchard, "duplicate_of")
    failed = stack.wait_findings(copy_, lambda f: "duplicate.marked" in f, "the copy failed")
    assert failed["duplicate.marked"]["outcome"] == "fail"
    assert failed["duplicate.marked"]["message"] == (
        f"重复申报（与《{ORCHARD_TITLE}》（巴州区）重复，经市科协认定）"
    )
    answer = stack.screening.call("GET", f"/api/v1/screenings/{copy_}", role="staff")
    assert answer.json()["state"] == "ineligible"
    stack.relayed_all()
    original = stack.findings(orchard)
    assert original is not None and no_duplicate(original)

    # The entries outside the pair were screened once, and as before.
    assert stack.findings(solar) == before and stack.screenings(solar) == 1
    assert no_duplicate(stack.findings(need) or {}) and stack.screenings(need) == 1
