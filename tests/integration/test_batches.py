"""The district's batch (汇总报送) through the front door of real services in this process:
intake, media (real MinIO, a stored material) and reporting, on real PostgreSQL and RabbitMQ,
each with its own database, intake's and media's events published by their relays.

An office sends its submitted entries (a draft is listed as not included); the manifest holds
each entry's version and each stored material's SHA-256 as media verified it, and its canonical
JSON hashes to the digest recorded; offices see only their own batches, staff all and may not
send one; a district with nothing submitted gets a 409 in Chinese; a second batch is 第2批. The
报送函 reads back with the titles, labels and digest, every character drawn with the project's
own fonts, embedded (pdffonts), the digest in the monospace one, a page kept
under test-output/, and its QR code decodes (zbarimg) to the verify address, which confirms the
recorded digest and denies another without a token. An entry patched after the batch shows
changed_after_batch in reporting's entries report.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from nameko.containers import ServiceContainer

from ops import schema
from services.reporting.service import ReportingService
from services.screening.service import ScreeningService
from shared.printing import MONO
from tests.entries import full_body
from tests.integration.conftest import throwaway_database
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api, free_port
from tests.integration.media_fixtures import MediaApi
from tests.integration.printed import SCREENSHOTS, assert_readable, drawn, read

BATCHES = "/api/v1/batches"
ENTRIES = "/api/v1/submissions"
PUBLIC_URL = "https://kechuang.example.cn"
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"x" * 4000


@pytest.fixture
def reporting(media_api: MediaApi, broker, database_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:  # fmt: skip
    """Reporting and screening beside the intake and media of `media_api`, and intake's relay
    (a batch asks screening for each entry's state: only what may go is forwarded)."""
    monkeypatch.setenv("KECHUANG_PUBLIC_URL", PUBLIC_URL)
    with throwaway_database() as url, throwaway_database() as screening_url:
        schema.upgrade(url, "reporting")
        schema.upgrade(screening_url, "screening")
        monkeypatch.setenv("KECHUANG_DB_URL_REPORTING", url)
        monkeypatch.setenv("KECHUANG_DB_URL_SCREENING", screening_url)
        port = free_port()
        container = ServiceContainer(
            ReportingService,
            {"AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"},
        )
        screening = ServiceContainer(
            ScreeningService,
            {"AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
             "serializer": "json"},
        )  # fmt: skip
        container.start()
        screening.start()
        try:
            with relay_process(broker, database_url, tmp_path / "intake-relay.log"):
                yield Api(f"http://127.0.0.1:{port}", media_api.api.private_pem)
        finally:
            screening.stop()
            container.stop()


def send_batch(api: Api, district: str = "巴州区", call_id: str = "open-call") -> requests.Response:
    """`POST /api/v1/batches`, again while screening has not yet judged what intake holds
    (503: the batch waits for screening, a few seconds behind intake at most)."""

    def sent() -> list[requests.Response]:  # a list: a 4xx Response is falsy
        answer = api.call("POST", BATCHES, district=district, json={"call_id": call_id})
        waiting = answer.status_code == 503 and "尚未更新" in answer.json()["error"]["message"]
        return [] if waiting else [answer]

    return wait_until(sent, timeout=30, message="screening caught up for the batch")[0]  # type: ignore[no-any-return]


def _entry(api: Api, title: str, submit: bool = True, district: str = "巴州区") -> dict[str, Any]:
    body = full_body("achievement") | {"call_id": "open-call", "title": title}
    created = api.call("POST", ENTRIES, district=district, json=body)
    assert created.status_code == 201, created.text
    entry = created.json()
    if submit:
        submitted = api.call("POST", f"{ENTRIES}/{entry['id']}/submit", district=district)
        assert submitted.status_code == 200, submitted.text
        entry = submitted.json()
    return entry  # type: ignore[no-any-return]


def _stored(media_api: MediaApi, entry_id: str) -> str:
    slot = media_api.slot(entry_id, PDF_BYTES, "introduction", "application/pdf")
    assert slot.status_code == 201, slot.text
    media_api.upload(slot.json(), PDF_BYTES)
    material = slot.json()["material_id"]
    done = media_api.call("POST", f"/api/v1/materials/{material}/complete")
    assert done.status_code == 202, done.text
    assert media_api.settled(material)["status"] == "stored"

    def linked() -> bool:
        shown = media_api.api.call("GET", f"{ENTRIES}/{entry_id}").json()["materials"]
        return any(m["material_id"] == material and m["status"] == "stored" for m in shown)

    wait_until(linked, message="intake links the stored material")
    return str(material)


def _report_row(reporting: Api, entry_id: str, **wanted: Any) -> dict[str, Any]:
    def row() -> dict[str, Any] | None:
        answer = reporting.call("GET", "/api/v1/reports/entries?per_page=200", role="staff")
        assert answer.status_code == 200, answer.text
        found = [r for r in answer.json()["items"] if r["submission_id"] == entry_id]
        if found and all(found[0].get(k) == v for k, v in wanted.items()):
            return found[0]
        return None

    return wait_until(row, timeout=60, message=f"report row {wanted}")  # type: ignore[no-any-return]


def _qr(pdf: bytes, name: str) -> str:
    """The QR code on the letter's first page, decoded by zbarimg from a 200 dpi render."""
    assert shutil.which("zbarimg"), "zbar-tools (zbarimg) is needed: deploy/local/install.sh"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / f"{name}.pdf"
    source.write_bytes(pdf)
    render = SCREENSHOTS / f"{name}-200dpi"
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile",
                    str(source), str(render)], check=True, timeout=60)  # fmt: skip
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{render}.png"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return decoded.stdout.strip()


def test_a_district_sends_its_batch_and_the_letter_verifies_it(
    media_api: MediaApi, reporting: Api
) -> None:
    api = media_api.api
    first = _entry(api, "高效低成本钙钛矿太阳能电池")
    hostile = _entry(api, "<b>粗</b>\u202egpj.exe 项目")
    draft = _entry(api, "尚未提交的草稿", submit=False)
    material = _stored(media_api, first["id"])
    other = _entry(api, "恩阳区的项目", district="恩阳区")

    # Staff may not send, nor may a district with no submitted entry (a 409 in Chinese).
    staff = api.call("POST", BATCHES, role="staff", json={"call_id": "open-call"})
    assert staff.status_code == 403 and staff.json()["error"]["code"] == "forbidden"
    empty = api.call("POST", BATCHES, district="恩阳区", json={"call_id": "tianfu-2021"})
    assert empty.status_code == 409, empty.text
    assert "没有已提交的项目" in empty.json()["error"]["message"]
    assert api.call("POST", BATCHES, json={"call_id": "no-such-call"}).status_code == 404
    assert api.call("POST", BATCHES, json={"call_id": "open-call", "x": 1}).status_code == 422

    sent = send_batch(api)
    assert sent.status_code == 201, sent.text
    batch = sent.json()
    assert (batch["number"], batch["label"], batch["entries"]) == (1, "第1批", 2)
    manifest = batch["manifest"]
    canonical = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == batch["sha256"]
    by_id = {e["id"]: e for e in manifest["entries"]}
    assert set(by_id) == {first["id"], hostile["id"]}
    assert (
        by_id[first["id"]]["version"]
        == api.call("GET", f"{ENTRIES}/{first['id']}").json()["version"]
    )
    (frozen,) = by_id[first["id"]]["materials"]
    assert frozen["id"] == material and frozen["size"] == len(PDF_BYTES)
    assert frozen["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert manifest["not_included"] == [
        {
            "id": draft["id"],
            "title": "尚未提交的草稿",
            "status": "draft",
            "reason": "未提交（草稿）",
        }
    ]
    # Each forwarded entry with its screening state at the batch (materials still missing).
    assert {e["screening_state"] for e in manifest["entries"]} == {"incomplete"}
    assert manifest["district"] == {"name": "巴州区", "code": "511902"}

    # Each office sees its own; staff see all; another district's batch is 404.
    own = api.call("GET", BATCHES).json()
    assert [b["id"] for b in own["items"]] == [batch["id"]] and own["total"] == 1
    theirs = send_batch(api, district="恩阳区")
    assert theirs.status_code == 201, theirs.text
    assert {e["id"] for e in theirs.json()["manifest"]["entries"]} == {other["id"]}
    everyone = api.call("GET", f"{BATCHES}?call_id=open-call", role="staff").json()
    assert {b["district"] for b in everyone["items"]} == {"巴州区", "恩阳区"}
    assert api.call("GET", f"{BATCHES}?call_id=other", role="staff").json()["total"] == 0
    assert api.call("GET", f"{BATCHES}/{batch['id']}").json()["sha256"] == batch["sha256"]
    assert api.call("GET", f"{BATCHES}/{batch['id']}", district="恩阳区").status_code == 404
    assert api.call("GET", f"{BATCHES}/{batch['id']}", role="staff").status_code == 200
    assert api.call("GET", f"{BATCHES}/not-an-id").status_code == 404

    # The 报送函.
    letter = api.call("GET", f"{BATCHES}/{batch['id']}/letter.pdf")
    assert letter.status_code == 200, letter.text
    assert letter.headers["Content-Type"] == "application/pdf"
    text, _ = read(letter.content, "batch-letter")
    flat = text.replace("\n", "")
    assert "关于报送“科创会”科创项目的函" in flat and "巴中市科协" in flat
    assert "高效低成本钙钛矿太阳能电池" in flat and "<b>粗</b>[U+202E]gpj.exe" in flat
    labels = ("序号", "项目名称", "类别", "材料数", "报送单位（盖章）", "日期", "第1批")
    for label in labels:
        assert label in flat, label
    assert batch["sha256"] in flat and "第 1 页 共" in text
    # Every character drawn with the project's own fonts (shared.printing.FONTS), embedded,
    # whatever fonts this machine has; the digest in the monospace one.
    shown = ("关于报送“科创会”科创项目的函", "巴中市科协", "高效低成本钙钛矿太阳能电池",
             "<b>粗</b>[U+202E]gpj.exe", batch["sha256"])  # fmt: skip
    assert_readable(letter.content, text, *labels, *shown)
    assert set(batch["sha256"]) <= drawn(letter.content).chars_in(MONO)
    listed = subprocess.run(["pdffonts", str(SCREENSHOTS / "batch-letter.pdf")],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    for line in listed.splitlines()[2:]:
        assert line.split()[-5] == "yes", listed  # the "emb" column: every font embedded
    assert (SCREENSHOTS / "batch-letter.png").exists()
    assert (
        api.call("GET", f"{BATCHES}/{batch['id']}/letter.pdf", district="恩阳区").status_code == 404
    )

    # Its QR code leads to the verification, which needs no token.
    address = _qr(letter.content, "batch-letter-qr")
    assert address == f"{PUBLIC_URL}{BATCHES}/{batch['id']}/verify?sha256={batch['sha256']}"
    local = f"{api.base}{urlsplit(address).path}?{urlsplit(address).query}"
    verified = requests.get(local, timeout=30)
    assert verified.status_code == 200, verified.text
    assert verified.json() == {
        "batch_id": batch["id"], "matches": True, "recorded_sha256": batch["sha256"],
        "sent_at": batch["sent_at"], "district": "巴州区", "entries": 2,
    }  # fmt: skip
    wrong = requests.get(f"{api.base}{BATCHES}/{batch['id']}/verify",
                         params={"sha256": "0" * 64}, timeout=30)  # fmt: skip
    assert wrong.status_code == 200 and wrong.json()["matches"] is False
    bad = requests.get(f"{api.base}{BATCHES}/{batch['id']}/verify?sha256=xyz", timeout=30)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_failed"

    # Reporting marks the entry amended after its batch; the other stays unmarked.
    _report_row(reporting, first["id"], batch=1, changed_after_batch=False)
    current = api.call("GET", f"{ENTRIES}/{first['id']}").json()
    patched = api.call("PATCH", f"{ENTRIES}/{first['id']}", json={"summary": "报送后修改的简介"},
                       headers={"If-Match": f'"{current["version"]}"'})  # fmt: skip
    assert patched.status_code == 200, patched.text
    _report_row(reporting, first["id"], batch=1, changed_after_batch=True)
    assert _report_row(reporting, hostile["id"], batch=1)["changed_after_batch"] is False

    # A supplement is 第2批 and lists every entry submitted at its time.
    again = send_batch(api)
    assert again.status_code == 201, again.text
    assert (again.json()["number"], again.json()["label"]) == (2, "第2批")
    _report_row(reporting, first["id"], batch=2, changed_after_batch=False)
