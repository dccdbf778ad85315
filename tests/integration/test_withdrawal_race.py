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
from typing import Any

import requests

from tests.entries import full_body
from tests.integration import stack_fixtures
from tests.integration.helpers import wait_until
from tests.integration.stack_fixtures import Stack

ENTRIES = 50
# Seconds the selection is sent ahead of the withdrawal (negative: behind) on the extra entries.
STAGGERED = (1.0, -1.0) * 5
ENTRIES_PATH = "/api/v1/submissions"
SCREENINGS_PATH = "/api/v1/screenings"
# The two refusals the race may give (api.md: 409 invalid_state), and nothing else.
WITHDRAW_REFUSED = "项目已被市科协遴选，不能撤回"
SELECT_REFUSED = "项目已撤回，不能遴选"


stack = stack_fixtures.stack  # the fixture, used by name below


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
    # 四(二): the district forwards them (the city selects only what was forwarded).
    sent = stack.intake.call("POST", "/api/v1/batches", json={"call_id": "open-call"})
    while sent.status_code == 503:  # screening not yet caught up with intake's versions
        time.sleep(0.5)
        sent = stack.intake.call("POST", "/api/v1/batches", json={"call_id": "open-call"})
    assert sent.status_code == 201, sent.text
    batch_id = sent.json()["id"]
    for entry in ids:

        def forwarded(entry: str = entry) -> bool:
            shown = stack.screening.call("GET", f"{SCREENINGS_PATH}/{entry}", role="staff")
            return bool((shown.json().get("forwarded") or {}).get("batch_id") == batch_id)

        wait_until(forwarded, timeout=60, message=f"{entry} forwarded")
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
