"""The 回执 PDF on a real intake (HTTP, PostgreSQL, RabbitMQ): a real PDF whose every character
is drawn with the project's own fonts, embedded, the title, what the office filled in, the
screening asked of screening over RPC (a stand-in answering as screening does) and page numbers;
another district's office gets 404; hostile stored text prints as text; without screening, the
receipt says so and still prints."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil
import pytest
import requests
from nameko.containers import ServiceContainer
from nameko.rpc import rpc

from shared import printing
from tests.entries import full_body
from tests.integration.access_fixtures import recorded
from tests.integration.intake_fixtures import Api
from tests.integration.printed import assert_readable, drawn, read

BASE = "/api/v1/submissions"
FINDINGS = [
    {"rule": "deadline", "clause": "二(一)6⑦", "outcome": "missing", "message": "缺少推介视频"},
]


class ScreeningStandIn:
    """Answers `screening_of` as screening does (services/screening/service.py)."""

    name = "screening"

    @rpc
    def screening_of(self, submission_id: str) -> dict[str, Any]:
        return {"submission_id": submission_id, "state": "incomplete", "findings": FINDINGS,
                "priority": True}  # fmt: skip


@pytest.fixture
def screening_stand_in(broker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    container = ServiceContainer(ScreeningStandIn, {"AMQP_URI": broker.uri})
    container.start()
    yield
    container.stop()


def _entry(api: Api, **changes: Any) -> dict[str, Any]:
    body = full_body("achievement") | {"call_id": "open-call"} | changes
    created = api.call("POST", BASE, json=body)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def test_the_receipt_is_a_pdf_to_sign_and_stamp(
    intake_api: Api, screening_stand_in: None, access_recorder: str
) -> None:
    entry = _entry(intake_api)
    response = intake_api.call("GET", f"{BASE}/{entry['id']}/receipt.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text, _ = read(response.content, "receipt")
    shown = ("《“科创会”科创项目征集回执》", "高效低成本钙钛矿太阳能电池", "项目名称",
             "四川省巴中市巴州区", "李四", "二(一)6⑦", "缺少推介视频", "待补充材料",
             "陈训煜", "填报单位（盖章）", "负责人签字", "第 1 页 共")  # fmt: skip
    for expected in shown:  # a place's name, the lead, the call's contact among them
        assert expected in text, expected
    # Every character drawn with the project's own fonts (shared.printing.FONTS), embedded,
    # whatever fonts this machine has; the entry's number in the monospace one.
    assert_readable(response.content, text, *shown, entry["id"])
    assert set(entry["id"]) <= drawn(response.content).chars_in(printing.MONO)

    staff = intake_api.call("GET", f"{BASE}/{entry['id']}/receipt.pdf", role="staff")
    assert staff.status_code == 200
    other = intake_api.call("GET", f"{BASE}/{entry['id']}/receipt.pdf", district="恩阳区")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    unknown = intake_api.call("GET", f"{BASE}/not-an-id/receipt.pdf")
    assert unknown.status_code == 404
    assert intake_api.call("GET", f"{BASE}/{entry['id']}/receipt.pdf", role="operator",
                           district=None).status_code == 403  # fmt: skip
    # Who read the contacts' phones: the two receipts handed out, recorded in reporting's
    # log with who asked (the refused ones are not).
    reads = recorded(access_recorder)
    assert [(r["document"], r["scope"], r["actor"]["role"]) for r in reads] == [
        ("receipt", {"submission_id": entry["id"]}, "office"),
        ("receipt", {"submission_id": entry["id"]}, "staff"),
    ]  # fmt: skip


def test_no_receipt_is_handed_out_when_its_reading_cannot_be_recorded(intake_api: Api) -> None:
    """The 回执 holds phones and e-mails: with reporting's access log out of reach, intake
    answers 503 (retry) rather than hand it out unrecorded."""
    entry = _entry(intake_api)
    refused = intake_api.call("GET", f"{BASE}/{entry['id']}/receipt.pdf")
    assert refused.status_code == 503 and "记录" in refused.json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0


def test_hostile_text_prints_as_text_and_screening_down_is_said(
    intake_api: Api, access_recorder: str
) -> None:
    hostile = "<script>alert(1)</script>\u202egpj.exe 项目"
    entry = _entry(intake_api, title=hostile, summary="<b>粗</b>" + "长" * 1900)
    response = intake_api.call("GET", f"{BASE}/{entry['id']}/receipt.pdf")
    assert response.status_code == 200, response.text
    text, _ = read(response.content, "receipt-hostile")
    assert "<script>alert(1)</script>[U+202E]gpj.exe" in text.replace("\n", "")
    assert "<b>粗</b>" in text
    assert "筛查结果暂时无法取得" in text  # no screening answered


def _layouts_running() -> int:
    """The PDF layouts (`shared.printing.render` child processes) this process runs now."""
    found = 0
    # Direct children only: a layout forks helpers of its own (they show its command line
    # until they exec), which are not layouts.
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            found += "shared.printing.render" in " ".join(child.cmdline())
    return found


def _at_once(api: Api, path: str, n: int) -> tuple[list[requests.Response], int]:
    """`n` requests of `path` at once; their answers and the most layouts seen running."""
    most, done = 0, threading.Event()

    def watch() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, _layouts_running())
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(n) as pool:
            answers = list(pool.map(lambda _: api.call("GET", path), range(n)))
    finally:
        done.set()
        watcher.join()
    return answers, most


def test_many_receipts_asked_at_once_are_laid_out_a_few_at_a_time(
    intake_api: Api, access_recorder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each layout is a child process holding a core for a second or more: an office asking
    for many documents at once gets them all, but the machine lays out at most
    `printing.PARALLEL` per process at once; past `TURN_WAIT` the rest are told to retry
    (503 in the documented shape, in Chinese), never a 500."""
    entry = _entry(intake_api)
    path = f"{BASE}/{entry['id']}/receipt.pdf"
    answers, most = _at_once(intake_api, path, 6)
    assert [a.status_code for a in answers] == [200] * 6
    assert most == printing.PARALLEL

    monkeypatch.setattr(printing, "TURN_WAIT", 0.2)
    answers, most = _at_once(intake_api, path, 6)
    assert most <= printing.PARALLEL
    busy = [a for a in answers if a.status_code != 200]
    assert busy and all(a.status_code == 503 for a in busy)
    for answer in busy:
        assert answer.json()["error"] == {"code": "unavailable", "message": printing.BUSY,
                                          "fields": {}}  # fmt: skip
