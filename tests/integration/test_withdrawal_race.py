"""A withdrawal and a selection sent together cannot both stand (issue #15, item 3).

Intake and screening both run in this process on real HTTP, PostgreSQL and RabbitMQ, each with
its own throw-away database and relay, and learn of each other's events as in production
(media is a stand-in serving a log of materials the test appends). Fifty eligible entries are
each selected by the city and withdrawn by their office at the same moment. Whichever request
wins, once both services have applied each other's events: no entry is selected in screening
and withdrawn in intake, the two agree on the selection, a lapse points at the withdrawal that
caused it, and every answer was 2xx or a documented 409 (never a 500). A few more entries get
one request a second ahead of the other, so that the other two orders (intake or screening
already knows) are checked by the same assertions.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from ops import openapi, schema
from services.intake.service import IntakeService
from services.screening.service import ScreeningService
from shared.auth import new_key_pair
from shared.db import make_engine
from shared.eventstore import EventStore, consumer_checkpoint
from tests.entries import full_body
from tests.integration.conftest import throwaway_database
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api
from tests.integration.screening_fixtures import (
    CLOSES_AFTER,
    Feed,
    MediaLog,
    _container,
    calls_yaml,
)

ENTRIES = 50
# Seconds the selection is sent ahead of the withdrawal (negative: behind) on the extra entries.
STAGGERED = (1.0, -1.0) * 5
ENTRIES_PATH = "/api/v1/submissions"
SCREENINGS_PATH = "/api/v1/screenings"
# The two refusals the race may give (api.md: 409 invalid_state), and nothing else.
WITHDRAW_REFUSED = "项目已被市科协遴选，不能撤回"
SELECT_REFUSED = "项目已撤回，不能遴选"


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
        media = _container(MediaLog, broker)
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


def _eligible_entries(stack: Stack, count: int) -> list[str]:
    """`count` submitted entries with all their materials, reviewed eligible by staff."""
    ids = []
    for _ in range(count):
        created = stack.intake.call(
            "POST", ENTRIES_PATH, json=full_body("achievement") | {"call_id": "open-call"}
        )
        assert created.status_code == 201, created.text
        entry = created.json()["id"]
        for kind in ("promo_video", "introduction", "proof"):
            stack.feed.material(entry, kind)
        submitted = stack.intake.call("POST", f"{ENTRIES_PATH}/{entry}/submit")
        assert submitted.status_code == 200, submitted.text
        ids.append(entry)
    for entry in ids:

        def in_review(entry: str = entry) -> bool:
            shown = stack.screening.call("GET", f"{SCREENINGS_PATH}/{entry}", role="staff")
            return shown.status_code == 200 and shown.json()["state"] == "in_review"

        wait_until(in_review, timeout=60, message=f"{entry} in review")
        reviewed = stack.screening.call(
            "POST", f"{SCREENINGS_PATH}/{entry}/review", role="staff",
            json={"decision": "eligible", "note": "材料属实"},
        )  # fmt: skip
        assert reviewed.status_code == 200 and reviewed.json()["state"] == "eligible"
    return ids


def _race(stack: Stack, entry: str, lead: float = 0.0) -> dict[str, requests.Response]:
    """The city selects and the office withdraws `entry`, the two requests sent together (or
    the selection `lead` seconds ahead)."""
    start = threading.Barrier(2)
    answers: dict[str, requests.Response] = {}

    def select() -> None:
        start.wait()
        time.sleep(max(0.0, -lead))
        answers["select"] = stack.screening.call(
            "POST", f"{SCREENINGS_PATH}/{entry}/selection", role="staff",
            json={"decision": "selected", "note": "推荐"},
        )  # fmt: skip

    def withdraw() -> None:
        start.wait()
        time.sleep(max(0.0, lead))
        answers["withdraw"] = stack.intake.call("POST", f"{ENTRIES_PATH}/{entry}/withdraw")

    threads = [threading.Thread(target=select), threading.Thread(target=withdraw)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _answer(response: requests.Response, refusal: str) -> str:
    """'ok', or 'refused' for the documented 409; anything else fails the test."""
    if response.status_code == 200:
        return "ok"
    error: dict[str, Any] = response.json()["error"]
    assert (response.status_code, error["code"], error["message"]) == (
        409, "invalid_state", refusal
    ), response.text  # fmt: skip
    return "refused"


def test_a_withdrawal_and_a_selection_sent_together_never_both_stand(stack: Stack) -> None:
    entries = _eligible_entries(stack, ENTRIES + len(STAGGERED))
    leads = [0.0] * ENTRIES + list(STAGGERED)
    answers = {entry: _race(stack, entry, lead) for entry, lead in zip(entries, leads, strict=True)}
    stack.settle()

    outcomes: Counter[tuple[str, str]] = Counter()
    for entry, answer in answers.items():
        select_answer = _answer(answer["select"], SELECT_REFUSED)
        withdraw_answer = _answer(answer["withdraw"], WITHDRAW_REFUSED)
        outcomes[(select_answer, withdraw_answer)] += 1
        assert (select_answer, withdraw_answer) != ("refused", "refused")

        intake = stack.intake.call("GET", f"{ENTRIES_PATH}/{entry}").json()
        screening = stack.screening.call("GET", f"{SCREENINGS_PATH}/{entry}", role="staff").json()
        selection = screening["selection"] or {}
        selected = selection.get("decision") == "selected"
        withdrawn = intake["status"] == "withdrawn"
        assert not (selected and withdrawn), (entry, answer, intake, screening)
        # The two services agree, and each answer is what happened.
        assert intake["selected"] == selected
        assert withdrawn == (withdraw_answer == "ok") == (screening["entry_status"] == "withdrawn")
        assert selected == (withdraw_answer == "refused")
        if withdrawn and select_answer == "ok":
            # Selected before screening heard of the withdrawal: the selection lapsed, caused
            # by the withdrawal (its event id in the lapse's envelope).
            assert (selection["decision"], selection["lapsed"]) == ("not_selected", True)
            assert selection["note"] == "区县已撤回该项目"
            history = stack.intake.call("GET", f"{ENTRIES_PATH}/{entry}/history").json()
            withdrawal = [e for e in history["items"] if e["type"] == "SubmissionWithdrawn"]
            lapse = stack.screening_store.read_stream(f"screening-{entry}")[-1]
            assert lapse.type == "SelectionRecorded" and lapse.data["lapsed"]
            assert [str(lapse.causation_id)] == [e["event_id"] for e in withdrawal]
    print(f"\noutcomes (selection, withdrawal) of {len(entries)} races: {dict(outcomes)}")
