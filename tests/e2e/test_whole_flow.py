"""The whole flow through the front door of the stack `make up` started, with a media worker
and the reporting service killed (SIGKILL) mid-flow and restarted by the runner's supervisor
on its own: an office hands in an
entry of each category with real materials, screening finds the states and clauses the notice
gives, staff review and select, and the roll-up and the 汇总表 equal the ground truth read from
the owning services. A second office sees none of it anywhere."""

from __future__ import annotations

import io
import os
import signal
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ops import demo
from ops.client import Client, wait_until
from shared.catalog.vocabulary import STATE_LABELS as STATES
from tests.entries import full_body
from tests.front_door import token

REPO = Path(__file__).resolve().parents[2]
PIDS = REPO / ".run" / "pids"
DISTRICT, NEIGHBOUR = "通江县", "恩阳区"


def kill(process: str) -> int:
    """SIGKILL one of the local runner's processes (`.run/pids/<process>.pid`); its PID."""
    pid = int((PIDS / f"{process}.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), 10, f"{process} to die")
    return pid


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def restarted(process: str, old: int) -> bool:
    """The supervisor started `process` again: a new, living PID in its PID file."""
    new = int((PIDS / f"{process}.pid").read_text())
    return new != old and Path(f"/proc/{new}").exists() and not _zombie(new)


def ground_truth(staff: Client, district: str) -> Counter[tuple[str, str]]:
    """(category, state) of every entry of `district`, from intake and screening themselves."""
    counts: Counter[tuple[str, str]] = Counter()
    page = 1
    while True:
        params = {"district": district, "page": page, "per_page": 500}
        listed = staff.call("GET", "/api/v1/submissions", params=params).json()
        for entry in listed["items"]:
            counts[(entry["category"], demo.current_state(staff, entry))] += 1
        if page * 500 >= listed["total"]:
            return counts
        page += 1


def rolled_up(staff: Client, district: str) -> Counter[tuple[str, str]]:
    summary = staff.summary(district=district)
    [row] = [d for d in summary["districts"] if d["district"] == district]
    return Counter({(category, state): n for category, states in row["categories"].items()
                    for state, n in states.items() if n})  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    return demo.materials(tmp_path)


def test_an_entry_of_each_category_from_office_to_selection_with_workers_killed_mid_flow(
    base_url: str, files: dict[str, bytes]
) -> None:
    office = Client(base_url, token("--role", "office", "--district", DISTRICT))
    staff = Client(base_url, token("--role", "staff"))
    run = uuid.uuid4().hex[:8]

    def entry(category: str, **changes: Any) -> dict[str, Any]:
        body = full_body(category) | {"call_id": "demo", "title": f"全流程{category}{run}"}
        body["applicant"] = body["applicant"] | {"district": DISTRICT}
        return office.create(body | changes)

    achievement, promotion = entry("achievement"), entry("promotion")
    challenge, finance = entry("challenge"), entry("finance")
    dispute = {"ownership_clear": True, "dispute": "unresolved", "patents": []}
    disputed = entry("achievement", title=f"全流程知识产权纠纷{run}", ip=dispute)
    entries = [achievement, promotion, challenge, finance, disputed]

    killed = {"reporting": kill("reporting")}  # it misses everything until it is back

    uploaded: list[str] = []

    def hand_in(item: dict[str, Any], kinds: tuple[str, ...]) -> None:
        materials = [
            office.upload(item["id"], kind, demo.KIND_NAMES[kind], demo.CONTENT_TYPES[kind],
                          files[kind]) for kind in kinds
        ]  # fmt: skip
        assert [office.verified(m)["status"] for m in materials] == ["stored"] * len(kinds)
        uploaded.extend(materials)

    hand_in(achievement, demo.NEEDED["achievement"])
    killed["media-1"] = kill("media-1")  # uploads and verifications go on with media-2
    hand_in(promotion, demo.NEEDED["promotion"])
    hand_in(challenge, ("introduction",))  # the promo video never comes
    hand_in(finance, demo.NEEDED["finance"])
    hand_in(disputed, demo.NEEDED["achievement"])
    for item in entries:
        office.submit(item["id"])

    # Screening, as the notice reads.
    for item in (achievement, promotion, finance):
        assert staff.screened(item["id"], {"in_review"})["state"] == "in_review"
    incomplete = staff.screened(challenge["id"], {"incomplete"})
    missing = {
        (f["rule"], f["clause"]) for f in incomplete["findings"] if f["outcome"] == "missing"
    }
    assert missing == {("challenge.promo_video", "二(三)4⑥")}
    refused = staff.screened(disputed["id"], {"ineligible"})
    failed = {(f["rule"], f["clause"]) for f in refused["findings"] if f["outcome"] == "fail"}
    assert failed == {("achievement.no_unresolved_ip_dispute", "二(一)6⑥")}

    # Staff review and select.
    staff.review(achievement["id"], "eligible", "同意")
    office.forward("demo", achievement["id"])  # 四(二): the district forwards it first
    staff.select(achievement["id"], "selected", "推荐路演")
    staff.review(promotion["id"], "ineligible", "市场前景不明")

    # Nobody restarts them by hand: the local runner's supervisor does.
    for process, old in killed.items():
        wait_until(lambda p=process, o=old: restarted(p, o), 60, f"{process} to be restarted")

    expected = {achievement["id"]: "selected", promotion["id"]: "ineligible",
                challenge["id"]: "incomplete", finance["id"]: "in_review",
                disputed["id"]: "ineligible"}  # fmt: skip

    def reported() -> dict[str, str]:
        return {row["submission_id"]: row["state"] for row in staff.report_rows(q=run)}

    wait_until(lambda: reported() == expected, 30, "the restarted reporting to show the states")
    wait_until(lambda: rolled_up(staff, DISTRICT) == ground_truth(staff, DISTRICT), 30,
               "the roll-up to equal the ground truth")  # fmt: skip

    export = staff.call("GET", "/api/v1/reports/entries.xlsx", params={"q": run})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert {item["title"] for item in entries} <= cells
    assert {STATES[state] for state in expected.values()} <= cells  # in Chinese

    # The second office sees none of it.
    neighbour = Client(base_url, token("--role", "office", "--district", NEIGHBOUR))
    sees_nothing(neighbour, entries, uploaded, run)


def sees_nothing(other: Client, entries: list[dict[str, Any]], materials: list[str],
                 run: str) -> None:  # fmt: skip
    listed, page = set(), 1
    while items := other.call("GET", "/api/v1/submissions",
                              params={"page": page, "per_page": 500}).json()["items"]:  # fmt: skip
        listed |= {e["id"] for e in items}
        page += 1
    assert not {e["id"] for e in entries} & listed
    slot = {"kind": "introduction", "filename": "a.pdf", "content_type": "application/pdf",
            "size": 1000, "sha256": "0" * 64}  # fmt: skip
    for item in entries:
        for method, path, body in [
            ("GET", f"/api/v1/submissions/{item['id']}", None),
            ("GET", f"/api/v1/submissions/{item['id']}/history", None),
            ("PATCH", f"/api/v1/submissions/{item['id']}", {"title": "改"}),
            ("POST", f"/api/v1/submissions/{item['id']}/withdraw", None),
            ("POST", f"/api/v1/submissions/{item['id']}/materials", slot),
            ("GET", f"/api/v1/screenings/{item['id']}", None),
        ]:
            answer = other.call(method, path, json=body, headers={"If-Match": '"1"'})
            assert answer.status_code == 404, (method, path, answer.text)
            assert answer.json()["error"]["code"] == "not_found"
    for material in materials:
        assert other.call("GET", f"/api/v1/materials/{material}").status_code == 404
        done = other.call("POST", f"/api/v1/materials/{material}/complete", json={})
        assert done.status_code == 404, done.text
    assert other.report_rows(q=run) == []
    summary = other.summary()
    assert [d["district"] for d in summary["districts"]] == [NEIGHBOUR]
    csv = other.call("GET", "/api/v1/reports/entries.csv", params={"q": run})
    assert csv.status_code == 200 and run not in csv.content.decode("utf-8-sig")
