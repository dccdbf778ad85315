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
