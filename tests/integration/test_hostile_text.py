"""Hostile text over real HTTP, PostgreSQL and RabbitMQ (issue #15): what no text may hold is a
422 naming the field in every service, never a 500; what is text (bidi overrides, emoji, mixed
scripts, long strings) is stored and read back as given; and text stored before that rule
(appended straight to the owners' logs here) still exports as an xlsx that opens and a CSV
that parses, with formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any

import requests
from openpyxl import load_workbook

from services.reporting.adapters.export import ENTRIES_SHEET, HEADERS
from shared.catalog import submission
from tests.entries import full_body
from tests.integration import screening_fixtures
from tests.integration.helpers import wait_until
from tests.integration.intake_fixtures import Api
from tests.integration.media_fixtures import MediaApi
from tests.integration.reporting_fixtures import (  # noqa: F401  (a fixture)
    Reporting,
    reporting_fixture,
)
from tests.integration.screening_fixtures import ScreeningApi
from tests.summary_sheet import table as entry_table

screening_api = screening_fixtures.screening_api  # the fixture, used by name below

BASE = "/api/v1/submissions"
CONTROL = "不能包含控制字符"

TEXT = {
    "bidi": "\u202egpj.exe 项目",
    "emoji": "光伏 🌞👩🏽‍🔬 项目",
    "mixed": "Résumé проект プロジェクト مشروع 项目",
}


def refused_fields(response: requests.Response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    return error["fields"]  # type: ignore[no-any-return]


def raw_json(api: Api, method: str, path: str, raw: bytes, **kwargs: Any) -> requests.Response:
    """A body sent as written: `requests` could not encode a lone surrogate as JSON."""
    headers = {"Content-Type": "application/json"} | kwargs.pop("headers", {})
    return api.call(method, path, data=raw, headers=headers, **kwargs)


def test_intake_refuses_control_characters_naming_the_field(intake_api: Api) -> None:
    body = full_body("achievement") | {"call_id": "open-call"}
    nul = intake_api.call("POST", BASE, json=body | {"title": "标题\x00"})
    assert refused_fields(nul) == {"title": [CONTROL]}
    nested = body | {"applicant": body["applicant"] | {"name": "某公司\x1b[0m"}}
    assert refused_fields(intake_api.call("POST", BASE, json=nested)) == {
        "applicant.name": [CONTROL]
    }
    key = raw_json(intake_api, "POST", BASE, b'{"category": "achievement", "ti\\u0000tle": "x"}')
    assert refused_fields(key) == {"ti\\u0000tle": ["字段名" + CONTROL]}
    # A lone surrogate broke the Idempotency-Key's body hash: a 500 until now.
    surrogate = raw_json(
        intake_api, "POST", BASE, b'{"category": "achievement", "title": "\\ud800"}'
    )
    assert "title" in refused_fields(surrogate)
    header = intake_api.call("POST", BASE, json=body, headers={"Idempotency-Key": "key\x01"})
    assert refused_fields(header) == {"Idempotency-Key": [CONTROL]}
    listed = intake_api.call("GET", BASE, role="staff", params={"district": "\x00"})
    assert refused_fields(listed) == {"district": [CONTROL]}
    assert intake_api.call("GET", BASE).json()["total"] == 0  # nothing was stored

    created = intake_api.call("POST", BASE, json=body | {"title": TEXT["bidi"]})
    assert created.status_code == 201, created.text
    entry = created.json()
    patch = intake_api.call("PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"1"'},
                            json={"summary": "摘要\x07"})  # fmt: skip
    assert refused_fields(patch) == {"summary": [CONTROL]}
    officer = intake_api.call("POST", f"{BASE}/{entry['id']}/service-officer", role="staff",
                              json={"name": "李\x00四", "phone": "13800000000"})  # fmt: skip
    assert refused_fields(officer) == {"name": [CONTROL]}


def test_intake_stores_and_answers_text_as_given(intake_api: Api) -> None:
    body = full_body("achievement") | {"call_id": "open-call"}
    kept = body | {"title": TEXT["bidi"], "summary": "长" * 5000, "benefits": TEXT["emoji"],
                   "applicant": body["applicant"] | {"name": TEXT["mixed"]}}  # fmt: skip
    created = intake_api.call("POST", BASE, json=kept, headers={"Idempotency-Key": "键-1".encode()})
    assert created.status_code == 201, created.text
    shown = intake_api.call("GET", f"{BASE}/{created.json()['id']}").json()
    assert shown["title"] == TEXT["bidi"] and shown["summary"] == "长" * 5000
    assert shown["benefits"] == TEXT["emoji"] and shown["applicant"]["name"] == TEXT["mixed"]
    history = intake_api.call("GET", f"{BASE}/{created.json()['id']}/history")
    assert history.status_code == 200


def test_media_refuses_a_filename_or_content_type_with_control_characters(
    media_api: MediaApi,
) -> None:
    path = f"/api/v1/submissions/{media_api.entry()}/materials"
    slot = {"kind": "promo_video", "filename": "视频.mp4", "content_type": "video/mp4",
            "size": 10, "sha256": "0" * 64}  # fmt: skip
    bad = media_api.call("POST", path, json=slot | {"filename": "视频\x00.mp4"})
    assert refused_fields(bad) == {"filename": [CONTROL]}
    bad = media_api.call("POST", path, json=slot | {"content_type": "video/mp4\x0d"})
    assert refused_fields(bad) == {"content_type": [CONTROL]}
    kept = media_api.call("POST", path, json=slot | {"filename": "\u202e4pm.exe"})
    assert kept.status_code == 201, kept.text
    shown = media_api.call("GET", f"/api/v1/materials/{kept.json()['material_id']}")
    assert shown.json()["filename"] == "\u202e4pm.exe"


def test_a_screening_note_with_a_nul_is_a_422_and_a_bidi_note_is_kept(
    screening_api: ScreeningApi,
) -> None:
    feed = screening_api.feed
    entry = feed.draft()
    for kind in ("promo_video", "introduction", "proof"):
        feed.material(entry, kind)
    feed.submit(entry)
    screening_api.wait_for(entry, "in_review")

    def post(what: str, body: dict[str, Any]) -> requests.Response:
        return screening_api.call("POST", f"/api/v1/screenings/{entry}/{what}", role="staff",
                                  json=body)  # fmt: skip

    review = post("review", {"decision": "eligible", "note": "属实\x00"})
    assert refused_fields(review) == {"note": [CONTROL]}
    assert post("review", {"decision": "eligible", "note": TEXT["mixed"]}).status_code == 200
    # PostgreSQL cannot hold U+0000 in jsonb: this answered 500 until now.
    screening_api.forward(entry)
    selection = post("selection", {"decision": "selected", "note": "推荐\x00"})
    assert refused_fields(selection) == {"note": [CONTROL]}
    selected = post("selection", {"decision": "selected", "note": TEXT["bidi"] + TEXT["emoji"]})
    assert selected.status_code == 200, selected.text
    assert selected.json()["selection"]["note"] == TEXT["bidi"] + TEXT["emoji"]


# Text an office could store before the rule (no NUL or lone surrogate: PostgreSQL never held
# those), and what has always been allowed and a spreadsheet would read as a formula.
OLD_TITLES = {
    "控制\x01字符\x07\x1b": "控制字符",
    "C1\x85 and U+FFFF\uffff": "C1 and U+FFFF\ufffd",
    '=HYPERLINK("http://evil.example","点我")': '\'=HYPERLINK("http://evil.example","点我")',
    "+1-1": "'+1-1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\x02=1+1": "'=1+1",
    TEXT["bidi"]: TEXT["bidi"],
    TEXT["emoji"]: TEXT["emoji"],
    TEXT["mixed"]: TEXT["mixed"],
    "长" * 10_000: "长" * 10_000,
    "长" * 40_000: "长" * 32_766 + "…",
}


def test_text_stored_before_the_rule_still_exports(rpt: Reporting) -> None:
    w = rpt.world
    made = {w.draft("巴州区", "challenge", title=title): title for title in OLD_TITLES}
    updated = next(iter(made))
    fields = full_body("challenge") | {"title": "=1+1",
                                       "applicant": {**full_body("challenge")["applicant"],
                                                     "name": "@某公司\x08"}}  # fmt: skip
    changed = {"submission_id": updated, "changed": ["title", "applicant"], "fields": fields}
    w.append("intake", submission.SubmissionUpdated, submission.stream_id(updated), changed)
    made[updated] = "=1+1"
    w.wake()

    def listed() -> list[dict[str, Any]] | None:
        items = rpt.get("/entries", params={"per_page": 500}).json()["items"]
        titles = {item["submission_id"]: item["title"] for item in items}
        return items if titles == made else None

    items = wait_until(listed, timeout=40, message="the entries reported")
    assert {i["title"] for i in items} == set(made.values())  # JSON shows stored text as is

    response = rpt.get("/entries.xlsx")
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))[ENTRIES_SHEET]
    rows = entry_table(sheet, values_only=False)[1:]
    sid_at, title_at = HEADERS.index("项目编号"), HEADERS.index("项目名称")
    applicant_at = HEADERS.index("申报单位")
    by_id = {row[sid_at].value: row for row in rows}
    assert set(by_id) == set(made)
    for sid, title in made.items():
        expected = OLD_TITLES.get(title, "'=1+1")
        title_cell = by_id[sid][title_at]
        assert title_cell.value == expected and title_cell.data_type == "s"
    assert by_id[updated][applicant_at].value == "'@某公司"
    assert all(cell.data_type != "f" for row in rows for cell in row)

    exported = rpt.get("/entries.csv")
    assert exported.status_code == 200, exported.text
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    titles = {row[sid_at]: row[title_at] for row in table[1:]}
    assert titles == {s: OLD_TITLES.get(t, "'=1+1") for s, t in made.items()}

    for name in ("q", "district"):
        assert refused_fields(rpt.get("/entries", params={name: "\x00"})) == {name: [CONTROL]}
