"""四(二) as the notice runs it (区科协汇总后报市科协进行遴选), issue #25 items 2 and 3, through
intake's and screening's HTTP entrypoints on real PostgreSQL and RabbitMQ (`stack_fixtures`).

A district's batch forwards what may go: an entry screening judged ineligible stays behind,
listed under `not_included` with the reason and the clauses it fails; an entry in review is
forwarded with its state."""

from __future__ import annotations

from typing import Any

import requests

from tests.entries import full_body
from tests.integration import stack_fixtures
from tests.integration.helpers import wait_until
from tests.integration.stack_fixtures import Stack

stack = stack_fixtures.stack  # the fixture, used by name below

ENTRIES = "/api/v1/submissions"
SCREENINGS = "/api/v1/screenings"
BATCHES = "/api/v1/batches"


def submitted(stack: Stack, title: str, **changes: Any) -> dict[str, Any]:
    """An achievement of 巴州区 with its three materials, submitted."""
    body = full_body("achievement") | {"call_id": "open-call", "title": title} | changes
    created = stack.intake.call("POST", ENTRIES, json=body)
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    for kind in ("promo_video", "introduction", "proof"):
        stack.feed.material(entry, kind)
    answer = stack.intake.call("POST", f"{ENTRIES}/{entry}/submit")
    assert answer.status_code == 200, answer.text

    def linked() -> bool:
        # Intake hears of the materials from media's events: the batch freezes what it knows.
        shown = stack.intake.call("GET", f"{ENTRIES}/{entry}").json()["materials"]
        return len([m for m in shown if m.get("status") == "stored"]) == 3

    wait_until(linked, timeout=30, message="intake to list the three stored materials")
    return answer.json()  # type: ignore[no-any-return]


def screened(stack: Stack, entry: str, state: str) -> dict[str, Any]:
    def shown() -> dict[str, Any] | None:
        answer = stack.screening.call("GET", f"{SCREENINGS}/{entry}", role="staff")
        ok = answer.status_code == 200 and answer.json()["state"] == state
        return answer.json() if ok else None

    return wait_until(shown, timeout=30, message=f"{entry} {state}")  # type: ignore[no-any-return]


def send_batch(stack: Stack, district: str = "巴州区") -> requests.Response:
    """The batch, sent again while screening has not yet judged what intake holds (503)."""

    def sent() -> list[requests.Response]:  # a list: a 4xx Response is falsy
        answer = stack.intake.call("POST", BATCHES, district=district,
                                   json={"call_id": "open-call"})  # fmt: skip
        waiting = answer.status_code == 503 and "尚未更新" in answer.json()["error"]["message"]
        return [] if waiting else [answer]

    return wait_until(sent, timeout=30, message="the batch sent")[0]  # type: ignore[no-any-return]


def test_a_batch_forwards_what_may_go_and_lists_the_ineligible_with_their_clauses(
    stack: Stack,
) -> None:
    fine = submitted(stack, "秸秆综合利用技术")
    disputed = submitted(
        stack, "有争议的专利", ip={"ownership_clear": True, "dispute": "unresolved", "patents": []}
    )
    screened(stack, fine["id"], "in_review")
    failing = screened(stack, disputed["id"], "ineligible")
    clauses = sorted({f["clause"] for f in failing["findings"] if f["outcome"] == "fail"})
    assert clauses  # the IP dispute's clause, as screening cites it

    sent = send_batch(stack)
    assert sent.status_code == 201, sent.text
    batch = sent.json()
    assert batch["entries"] == 1
    manifest = batch["manifest"]
    (forwarded,) = manifest["entries"]
    assert forwarded["id"] == fine["id"] and forwarded["screening_state"] == "in_review"
    assert len(forwarded["materials"]) == 3  # media's digests of the stored materials
    (left,) = manifest["not_included"]
    assert left["id"] == disputed["id"] and left["status"] == "submitted"
    assert left["reason"] == "不符合征集条件" and left["screening_state"] == "ineligible"
    assert sorted(left["clauses"]) == clauses
    assert all(f["message"] for f in left["findings"])

    shown = stack.intake.call("GET", f"{BATCHES}/{batch['id']}").json()
    assert shown["manifest"] == manifest

    # Nothing to forward: every submitted entry ineligible.
    body = full_body("achievement") | {"call_id": "open-call", "deployment": "widely_deployed"}
    alone = stack.intake.call("POST", ENTRIES, district="恩阳区", json=body)
    assert alone.status_code == 201, alone.text
    sid = alone.json()["id"]
    assert (
        stack.intake.call("POST", f"{ENTRIES}/{sid}/submit", district="恩阳区").status_code == 200
    )
    screened(stack, sid, "ineligible")
    refused = send_batch(stack, district="恩阳区")
    assert refused.status_code == 409, refused.text
    assert "均不符合征集条件" in refused.json()["error"]["message"]


def test_the_city_selects_what_was_forwarded_and_after_a_change_a_supplement(
    stack: Stack,
) -> None:
    """Issue #25 item 3: selection (and recommendation) only of an entry its district
    forwarded, in the version forwarded; never forwarded, or changed after its batch, is a
    409 naming what to do (报送补充批次); a supplementary batch forwards the new version."""
    entry = submitted(stack, "秸秆综合利用技术")["id"]
    screened(stack, entry, "in_review")
    shown = stack.intake.call("GET", f"{ENTRIES}/{entry}").json()

    def decide(what: str, body: dict[str, Any]) -> requests.Response:
        version = stack.intake.call("GET", f"{ENTRIES}/{entry}").json()["version"]
        return stack.screening.call("POST", f"{SCREENINGS}/{entry}/{what}", role="staff",
                                    json=body, headers={"If-Match": f'"{version}"'})  # fmt: skip

    assert decide("review", {"decision": "eligible"}).status_code == 200
    never = decide("selection", {"decision": "selected"})
    assert never.status_code == 409, never.text
    assert never.json()["error"]["code"] == "invalid_state"
    assert "尚未由区县汇总报送" in never.json()["error"]["message"]
    assert "报送补充批次" in never.json()["error"]["message"]
    # `not_selected` needs no batch: the city may always decline.
    assert decide("selection", {"decision": "not_selected"}).status_code == 200

    first = send_batch(stack)
    assert first.status_code == 201, first.text
    forwarded = wait_until(
        lambda: stack.screening.call("GET", f"{SCREENINGS}/{entry}", role="staff").json()[
            "forwarded"
        ],
        timeout=30,
        message="screening applies the batch",
    )
    assert forwarded["number"] == 1 and forwarded["version"] == shown["version"]

    # The office amends the entry after its batch: what the city would select is not what the
    # district stamped. Staff review the new text, and the selection is refused.
    patched = stack.intake.call("PATCH", f"{ENTRIES}/{entry}", json={"summary": "报送后改的简介"},
                                headers={"If-Match": f'"{shown["version"]}"'})  # fmt: skip
    assert patched.status_code == 200, patched.text
    screened(stack, entry, "in_review")
    wait_until(lambda: decide("review", {"decision": "eligible"}).status_code == 200,
               timeout=30, message="reviewed on the amended version")  # fmt: skip
    changed = decide("selection", {"decision": "selected"})
    assert changed.status_code == 409, changed.text
    message = changed.json()["error"]["message"]
    assert "报送（第1批）后已修改" in message and "报送补充批次" in message

    # The supplement forwards the new version; now the city selects and recommends it.
    second = send_batch(stack)
    assert second.status_code == 201 and second.json()["number"] == 2, second.text
    (again,) = [e for e in second.json()["manifest"]["entries"] if e["id"] == entry]
    assert again["version"] == patched.json()["version"]
    wait_until(
        lambda: (
            (
                stack.screening.call("GET", f"{SCREENINGS}/{entry}", role="staff").json()[
                    "forwarded"
                ]
                or {}
            ).get("number")
            == 2
        ),
        timeout=30,
        message="screening applies the supplement",
    )
    selected = decide("selection", {"decision": "selected"})
    assert selected.status_code == 200, selected.text
    recommended = decide("recommendation", {"rank": 1, "reason": "技术成熟"})
    assert recommended.status_code == 200, recommended.text
