"""Reporting on a real RabbitMQ and PostgreSQL, beside owners serving real logs over RPC
(`reporting_fixtures`): the reports equal a ground truth computed from the events the test
wrote, live, after a redelivery or an out-of-order delivery, after downtime and after a
rebuild; exports open in openpyxl; an office sees nothing of another district."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openpyxl import load_workbook
from sqlalchemy import MetaData, create_engine, select

from ops import schema
from services.reporting.adapters import notice_tables, rebuild, tables
from services.reporting.adapters.export import ENTRIES_SHEET, HEADERS, SUMMARY_SHEET
from services.reporting.adapters.owners import LogPages
from shared import migrations
from shared.catalog import call as call_catalog
from shared.eventstore import consumer_checkpoint
from shared.eventstore import metadata as store_tables
from tests.entries import full_body
from tests.integration.helpers import relay_process, wait_until
from tests.integration.printed import assert_readable, read
from tests.integration.reporting_fixtures import (  # noqa: F401  (a fixture)
    Reporting,
    reporting_fixture,
    summary_counts,
)
from tests.summary_sheet import table as entry_table


def counts(r: Reporting, **params: str) -> dict[tuple[str, str, str], int]:
    response = r.get("/summary", params=params)
    assert response.status_code == 200, response.text
    return summary_counts(response.json())


def all_entries(r: Reporting, role: str = "staff", district: str | None = None,
                **params: Any) -> list[dict[str, Any]]:  # fmt: skip
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = r.get("/entries", role=role, district=district,
                         params=params | {"page": page, "per_page": 500})  # fmt: skip
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1


def assert_matches_truth(r: Reporting) -> None:
    assert counts(r) == r.world.counts()
    rows = {e["submission_id"]: e for e in all_entries(r)}
    assert set(rows) == set(r.world.truth)
    for sid, truth in r.world.truth.items():
        row = rows[sid]
        assert (row["district"], row["category"], row["state"]) == (
            truth.district, truth.category, truth.state)  # fmt: skip
        assert row["title"] == truth.title
        assert row["applicant"]["name"] == truth.applicant
        assert row["findings_count"] == truth.findings
        assert row["review_count"] == truth.reviews
        assert row["priority"] == truth.priority
        assert (row["officer"] or {}).get("name") == truth.officer
        assert {m["material_id"]: m["status"] for m in row["materials"]} == truth.materials


def checkpoints(r: Reporting) -> dict[str, int]:
    with r.world.engine.connect() as conn:
        return dict(
            conn.execute(
                select(consumer_checkpoint.c.source, consumer_checkpoint.c.position).where(
                    consumer_checkpoint.c.consumer == "reporting"
                )
            ).all()
        )


def heads(r: Reporting) -> dict[str, int]:
    """Each owner's head; numbering what is committed first, as serving the log would."""
    for store in r.world.stores.values():
        store.sequence()
    return {owner: store.head() for owner, store in r.world.stores.items()}


def caught_up(r: Reporting) -> bool:
    done = checkpoints(r)
    return all(done.get(owner, 0) == head for owner, head in heads(r).items())


def settled(r: Reporting, message: str = "caught up") -> None:
    """The owners' relays publish (a wake-up each), and the reports have applied it all."""
    r.world.wake()
    wait_until(lambda: caught_up(r), timeout=40, message=message)


def generation(r: Reporting) -> int:
    with r.world.engine.connect() as conn:
        return tables.current(conn)


def test_reports_equal_the_truth_live_and_after_a_rebuild(rpt: Reporting, tmp_path: Path):
    r = rpt
    r.world.random_entries(60)
    with (
        relay_process(r.broker, r.owner_urls["intake"], tmp_path / "i.log", service="intake"),
        relay_process(r.broker, r.owner_urls["media"], tmp_path / "m.log", service="media"),
        relay_process(r.broker, r.owner_urls["screening"], tmp_path / "s.log", service="screening"),
    ):  # fmt: skip
        # Counts alone may match before media's events are in: wait for every source.
        wait_until(lambda: caught_up(r), timeout=60, message="live reports")
        assert_matches_truth(r)

        # The operator's command, as its own process, reading the owners' logs over RPC.
        env = os.environ | r.broker.env() | {"KECHUANG_DB_URL_REPORTING": r.database_url}
        done = subprocess.run(
            [sys.executable, "-m", "ops.cli", "rebuild", "reporting"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "generation 2" in done.stdout
        assert "rebuild" in done.stderr  # the tqdm progress bar
        assert generation(r) == 2
        assert_matches_truth(r)
        assert caught_up(r)

        # Live consumption goes on into the new generation.
        r.world.random_entries(10)
        wait_until(lambda: caught_up(r), timeout=60, message="after rebuild")
        assert_matches_truth(r)


def test_the_service_answers_from_the_old_tables_until_the_switch(rpt: Reporting) -> None:
    r = rpt
    r.world.random_entries(40)
    wait_until(lambda: caught_up(r), timeout=40, message="catch-up at start")  # eager timer
    before = r.world.counts()
    assert counts(r) == before
    seen_during: list[Any] = []

    def before_switch(gen: int) -> None:
        # The new tables are complete, not yet switched to: readers still get generation 1.
        seen_during.append((generation(r), counts(r)))
        # Events logged now are not in the bulk read: the switch must fold them in.
        sid = r.world.draft("巴州区", "finance", title="重建期间新建的项目")
        r.world.submit(sid)
        r.world.screen(sid, "eligible", 0)

    with LogPages({"AMQP_URI": r.broker.uri}, timeout=30) as fetch:
        result = rebuild.rebuild(r.world.engine, fetch, before_switch=before_switch)
    assert seen_during == [(1, before)]
    assert result.generation == 2 and generation(r) == 2
    assert caught_up(r)
    assert_matches_truth(r)  # including the entry logged during the rebuild
    with r.world.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT to_regclass('report_entries_g1')").scalar()
    assert left is None  # the old generation is dropped


def test_a_redelivered_and_an_out_of_order_event_change_nothing(rpt: Reporting) -> None:
    r = rpt
    sid = r.world.draft("巴州区", "achievement", title="乱序测试")
    r.world.submit(sid)
    r.world.officer(sid, "王保姆")
    r.world.screen(sid, "in_review", 2)
    r.world.screen(sid, "eligible", 0)
    intake = r.world.stores["intake"].read_log_raw(after=0)
    screening = r.world.stores["screening"].read_log_raw(after=0)
    # In order, then each one again (redelivery): applied once.
    for raw in intake:
        r.world.publish("intake", raw)
    for raw in intake:
        r.world.publish("intake", raw)
    wait_until(lambda: checkpoints(r).get("intake") == 3, message="intake applied")
    # The second screening result first: the first was "lost"; catch-up heals it in order.
    r.world.publish("screening", screening[1])
    wait_until(lambda: checkpoints(r).get("screening") == 2, message="screening caught up")
    r.world.publish("screening", screening[0])  # arrives late: a duplicate now
    r.world.publish("screening", screening[1])
    wait_until(lambda: caught_up(r))
    assert_matches_truth(r)
    assert counts(r) == {("巴州区", "achievement", "eligible"): 1}


def test_a_consumer_stopped_while_entries_change_catches_up(rpt: Reporting) -> None:
    r = rpt
    r.world.random_entries(20)
    settled(r, "first catch-up")
    r.stop()
    made = r.world.random_entries(30)
    for sid in made[:5]:
        if r.world.truth[sid].status == "submitted" and r.world.truth[sid].selection is None:
            r.world.withdraw(sid)
    # Nothing was published while it was down: only catch-up can bring these.
    r.restart()
    wait_until(lambda: caught_up(r), timeout=40, message="catch-up after restart")
    assert_matches_truth(r)


def _some_entries(r: Reporting) -> None:
    w = r.world
    a = w.draft("巴州区", "achievement", title="钙钛矿电池")
    w.submit(a)
    w.material(a, "promo_video", "stored")
    w.material(a, "introduction", None)
    w.screen(a, "incomplete", 1, reviews=1)
    w.officer(a, "李保姆")
    b = w.draft("巴州区", "challenge", title="难题攻关")
    w.submit(b)
    w.screen(b, "eligible", 0)
    w.select(b, "selected")
    w.draft("恩阳区", "finance", title="恩阳金融产品")
    c = w.draft("恩阳区", "promotion", title="恩阳推广")
    w.submit(c)
    w.withdraw(c)
    settled(r)


def test_the_summary_counts_the_entries_with_a_service_officer(rpt: Reporting) -> None:
    """Issue #25 item 8: per district, of the entries handed in (submitted or returned),
    how many have a 保姆; drafts and withdrawn entries do not count."""
    r = rpt
    _some_entries(r)  # 巴州区: two submitted, one with a 保姆; 恩阳区: a draft, a withdrawn one
    summary = r.get("/summary").json()
    by_district = {d["district"]: d["officers"] for d in summary["districts"]}
    assert by_district["巴州区"] == {"entries": 2, "assigned": 1}
    assert by_district["恩阳区"] == {"entries": 0, "assigned": 0}
    assert summary["officers"] == {"entries": 2, "assigned": 1}
    own = r.get("/summary", role="office", district="恩阳区").json()
    assert [d["officers"] for d in own["districts"]] == [{"entries": 0, "assigned": 0}]


def test_extensions_show_in_the_report_and_the_summary_table(rpt: Reporting) -> None:
    """Issue #25 item 7: a late exception (逾期补交) shows where people look: the entries
    report's `extended_until` and the 汇总表's 延期至, the district's for each of its entries
    and an entry's own for that entry only."""
    r = rpt
    _some_entries(r)
    ids = {e["title"]: e["submission_id"] for e in all_entries(r)}

    def granted(district: str, until: str, submission_id: str | None = None) -> None:
        r.world.append("intake", call_catalog.ExtensionGranted,
                       call_catalog.stream_id("tianfu-2021"),
                       {"extension_id": str(uuid.uuid4()), "call_id": "tianfu-2021",
                        "district": district, "submission_id": submission_id, "until": until,
                        "reason": "暴雨停电"})  # fmt: skip

    granted("巴州区", "2021-11-09T23:59:59+08:00")
    granted("恩阳区", "2021-11-12T18:00:00+08:00", ids["恩阳推广"])
    settled(r)

    def extended() -> dict[str, str | None] | None:
        shown = {e["title"]: e["extended_until"] for e in all_entries(r)}
        return shown if shown["恩阳推广"] is not None else None

    shown = wait_until(extended, timeout=30, message="the extensions reported")
    assert shown["钙钛矿电池"] == shown["难题攻关"] == "2021-11-09T15:59:59+00:00"
    assert shown["恩阳推广"] == "2021-11-12T10:00:00+00:00"
    assert shown["恩阳金融产品"] is None
    exported = r.get("/entries.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(exported)))
    column = table[0].index("延期至")
    by_title = {row[3]: row[column] for row in table[1:]}
    assert by_title["钙钛矿电池"] == "2021-11-09 23:59" and by_title["恩阳金融产品"] == ""
    assert by_title["恩阳推广"] == "2021-11-12 18:00"


def test_the_xlsx_and_csv_exports(rpt: Reporting) -> None:
    r = rpt
    _some_entries(r)
    response = r.get("/entries.xlsx")
    assert response.status_code == 200, response.text
    assert "spreadsheetml" in response.headers["Content-Type"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [ENTRIES_SHEET, SUMMARY_SHEET]
    sheet = book[ENTRIES_SHEET]
    rows = entry_table(sheet)
    assert list(rows[0]) == HEADERS
    assert rows[0][:4] == ("序号", "区县", "项目类别", "项目名称")
    assert len(rows) == 1 + 4
    assert sheet["A1"].value == "巴中市科创项目征集汇总表"  # staff's, every district
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["D"].width == 40
    by_title = {row[3]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    first = by_title["钙钛矿电池"]
    assert (first["区县"], first["项目类别"]) == ("巴州区", "科技成果转化项目")
    assert first["状态"] == "待补充材料"
    assert (first["筛查问题数"], first["待审核项数"]) == (1, 1)
    assert first["材料"] == "推介视频：已存储；项目介绍资料：待上传"
    assert first["服务专员（保姆）"] == "李保姆"
    assert by_title["难题攻关"]["状态"] == "已入选"
    assert by_title["难题攻关"]["遴选结果"] == "入选"
    assert by_title["恩阳金融产品"]["项目类别"] == "科技金融创新产品"
    assert by_title["恩阳金融产品"]["状态"] == "草稿"
    assert by_title["恩阳推广"]["状态"] == "已撤回"
    summary = list(book[SUMMARY_SHEET].iter_rows(values_only=True))
    assert summary[0][:3] == ("区县", "项目类别", "草稿")
    assert summary[-1][0] == "合计" and summary[-1][-1] == 4

    filtered = r.get("/entries.xlsx", params={"state": "withdrawn"})
    rows = entry_table(load_workbook(io.BytesIO(filtered.content))[ENTRIES_SHEET])
    assert [row[3] for row in rows[1:]] == ["恩阳推广"]

    response = r.get("/entries.csv", params={"district": "巴州区"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0] == HEADERS
    assert sorted(row[3] for row in table[1:]) == ["钙钛矿电池", "难题攻关"]


def test_the_summary_pdf_is_the_table_ready_to_print(rpt: Reporting) -> None:
    r = rpt
    _some_entries(r)
    wait_until(lambda: len(all_entries(r)) == 4, timeout=40, message="the entries reported")
    response = r.get("/entries.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    text, _ = read(response.content, "summary")
    shown = ("巴中市科创项目征集汇总表", "填报单位：巴中市科协", "填报日期：", "负责人签字",
             "第 1 页 共 1 页", "钙钛矿电池", "恩阳推广", "项目名称")  # fmt: skip
    for expected in shown:
        assert expected in text, expected
    # Every character drawn with the project's own fonts (shared.printing.FONTS), embedded,
    # whatever fonts this machine has.
    assert_readable(response.content, text, *shown)

    own = r.get("/entries.pdf", role="office", district="巴州区", params={"state": "selected"})
    text, _ = read(own.content, "summary-office")
    assert "巴州区科创项目征集汇总表" in text and "难题攻关" in text
    assert "钙钛矿电池" not in text and "恩阳" not in text.replace("恩阳区", "")
    other = r.get("/entries.pdf", role="office", district="巴州区", params={"district": "恩阳区"})
    text, _ = read(other.content, "summary-other")
    assert "巴州区科创项目征集汇总表" in text and "恩阳" not in text
    assert r.get("/entries.pdf", params={"state": "nope"}).status_code == 422


def _rebuild(r: Reporting) -> None:
    """The operator's command, as its own process (as in production: one rebuild per
    process, since the tables of a generation are declared once per process)."""
    env = os.environ | r.broker.env() | {"KECHUANG_DB_URL_REPORTING": r.database_url}
    done = subprocess.run(
        [sys.executable, "-m", "ops.cli", "rebuild", "reporting"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _before_codes() -> dict[str, Any]:
    """A promotion as it was written before #13: the place by names, the lead enterprise a
    string, no lead."""
    body = full_body("promotion")
    body["applicant"] = {"name": "x", "type": "university", "province": "四川",
                         "city": "巴中市", "district": "通江县"}  # fmt: skip
    body["lead_enterprise"] = "巴中某科技有限公司"
    del body["lead"]
    return body


def test_the_new_columns_and_honest_counts_in_the_report_and_both_exports(
    rpt: Reporting,
) -> None:
    r = rpt
    w = r.world
    leading = full_body("achievement") | {"tech_level": "international_leading"}
    a = w.draft("巴州区", "achievement", title="国际领先成果", body=leading)
    w.submit(a)
    w.screen(a, "in_review", 0, reviews=2)
    b = w.draft("通江县", "promotion", title="旧推广", body=_before_codes())
    w.submit(b)
    w.screen(b, "ineligible", 3, reviews=1, priority=True)
    w.draft("恩阳区", "finance", title="金融产品")  # not screened
    settled(r)

    def check() -> None:
        rows = {e["title"]: e for e in all_entries(r)}
        first, old, finance = rows["国际领先成果"], rows["旧推广"], rows["金融产品"]
        assert (first["findings_count"], first["review_count"]) == (0, 2)
        assert (old["findings_count"], old["review_count"]) == (3, 0)  # ineligible: none await
        assert (first["priority"], old["priority"], finance["priority"]) == (False, True, None)
        assert first["platform_listing_id"] == "TFY-2021_0001"
        assert first["tech_level"] == "international_leading"
        assert first["applicant"]["type"] == "enterprise"
        assert first["applicant"]["region_code"] == "511902"
        assert first["applicant"]["location"] == "四川省巴中市巴州区"
        assert first["lead"] == {"name": "李四", "affiliation": "四川大学"}
        assert (old["applicant"]["region_code"], old["applicant"]["location"]) == (
            "511921", "四川省巴中市通江县")  # fmt: skip
        assert old["lead"] is None and finance["lead"] is None

        book = load_workbook(io.BytesIO(r.get("/entries.xlsx").content))
        sheet = entry_table(book[ENTRIES_SHEET])
        table = list(csv.reader(io.StringIO(r.get("/entries.csv").content.decode("utf-8-sig"))))
        for exported in (sheet, table):
            assert list(exported[0]) == HEADERS
            by_title = {row[3]: dict(zip(HEADERS, row, strict=True)) for row in exported[1:]}
            xlsx = exported is sheet  # numbers are numbers there, text in the csv
            number = (lambda n: n) if xlsx else str
            first_row, old_row = by_title["国际领先成果"], by_title["旧推广"]
            assert first_row["平台发布编号"] == "TFY-2021_0001"
            assert first_row["技术水平"] == "国际领先"
            assert first_row["申报单位类型"] == "企业"
            assert first_row["所在地"] == "四川省巴中市巴州区"
            assert first_row["项目负责人"] == "李四（四川大学）"
            assert (first_row["筛查问题数"], first_row["待审核项数"]) == (number(0), number(2))
            assert (first_row["优先支持"], old_row["优先支持"]) == ("否", "是")
            assert (old_row["筛查问题数"], old_row["待审核项数"]) == (number(3), number(0))
            assert old_row["申报单位类型"] == "高校"
            assert old_row["所在地"] == "四川省巴中市通江县"
            assert old_row["技术水平"] == "国内领先"
            assert old_row["项目负责人"] in ("", None)  # an empty cell reads None in openpyxl
            assert by_title["金融产品"]["优先支持"] in ("", None)

    check()
    _rebuild(r)  # the rebuild fills the same columns from the owners' logs
    assert generation(r) == 2
    check()


def test_an_office_gets_nothing_of_another_district(rpt: Reporting) -> None:
    r = rpt
    _some_entries(r)
    office = {"role": "office", "district": "巴州区"}
    own = r.get("/summary", **office).json()
    assert [d["district"] for d in own["districts"]] == ["巴州区"]
    assert own["total"] == 2
    other = r.get("/summary", params={"district": "恩阳区"}, **office).json()
    assert other["districts"] == [] and other["total"] == 0
    assert {e["district"] for e in all_entries(r, **office)} == {"巴州区"}
    response = r.get("/entries", params={"district": "恩阳区"}, **office)
    assert response.json()["total"] == 0 and response.json()["items"] == []
    response = r.get("/entries.xlsx", params={"district": "恩阳区"}, **office)
    rows = entry_table(load_workbook(io.BytesIO(response.content))[ENTRIES_SHEET])
    assert len(rows) == 1  # the headers only
    csv_text = r.get("/entries.csv", params={"district": "恩阳区"}, **office).text
    assert "恩阳" not in csv_text
    # Staff see every district of the call, those without entries at zero; and may narrow.
    listed = {d["district"]: d for d in r.get("/summary").json()["districts"]}
    assert set(listed) == {"巴州区", "恩阳区", "通江县", "南江县", "平昌县"}
    assert sum(listed["通江县"]["totals"].values()) == 0
    assert set(listed["通江县"]["categories"]) == {"achievement", "promotion", "challenge",
                                                  "finance"}  # fmt: skip
    narrowed = r.get("/summary", params={"district": "恩阳区"}).json()
    assert [d["district"] for d in narrowed["districts"]] == ["恩阳区"]
    assert narrowed["districts"][0]["categories"]["finance"]["draft"] == 1


def test_the_summary_lists_the_districts_in_the_call_s_order(rpt: Reporting) -> None:
    r = rpt
    for district in ("平昌县", "某新区", "南江县", "通江县", "巴州区", "恩阳区"):
        r.world.draft(district, "finance")
    settled(r)
    listed = [d["district"] for d in r.get("/summary").json()["districts"]]
    # The notice's order (not 南江县 first, as by character code); one no call names, last.
    assert listed == ["巴州区", "恩阳区", "通江县", "南江县", "平昌县", "某新区"]
    book = load_workbook(io.BytesIO(r.get("/entries.xlsx").content))
    column = [row[0] for row in book[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)]
    assert list(dict.fromkeys(c for c in column if c and c != "合计")) == listed


def test_filters_search_paging_errors_and_lag(rpt: Reporting) -> None:
    r = rpt
    _some_entries(r)
    found = r.get("/entries", params={"q": "钙钛矿"}).json()
    assert [e["title"] for e in found["items"]] == ["钙钛矿电池"]
    found = r.get("/entries", params={"q": "恩阳区某单位"}).json()  # the applicant's name
    assert found["total"] == 2
    found = r.get("/entries", params={"category": "challenge", "state": "selected"}).json()
    assert [e["title"] for e in found["items"]] == ["难题攻关"]
    page = r.get("/entries", params={"per_page": 3, "page": 2}).json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 2, 3, 1)

    def titles(**params: str) -> list[str]:
        response = r.get("/entries", params=params)
        assert response.status_code == 200, response.text
        return [e["title"] for e in response.json()["items"]]

    created = ["钙钛矿电池", "难题攻关", "恩阳金融产品", "恩阳推广"]
    assert titles() == titles(sort="created_at") == created
    assert titles(sort="-created_at") == created[::-1]
    assert titles(sort="-created_at", per_page="3", page="2") == [created[0]]
    [first] = [e for e in all_entries(r) if e["title"] == "钙钛矿电池"]
    r.world.officer(first["submission_id"], "王专员")  # the oldest entry is now the last changed
    settled(r)
    assert titles(sort="-updated_at")[0] == "钙钛矿电池"
    assert titles(sort="updated_at")[-1] == "钙钛矿电池"
    exported = r.get("/entries.csv", params={"sort": "-created_at"}).content.decode("utf-8-sig")
    assert [row[3] for row in csv.reader(io.StringIO(exported))][1:] == created[::-1]
    bad = r.get("/entries", params={"sort": "title"})
    assert bad.status_code == 422 and "sort" in bad.json()["error"]["fields"]
    # 二(二)3's priority first (issue #25 item 7), then the rest, the unscreened last.
    [second] = [e for e in all_entries(r) if e["title"] == "难题攻关"]
    r.world.screen(second["submission_id"], "eligible", 0, priority=True)
    settled(r)
    assert titles(sort="-priority") == ["难题攻关", "钙钛矿电池", "恩阳金融产品", "恩阳推广"]

    bad = r.get("/entries", params={"state": "bogus", "per_page": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_failed"
    bad = r.get("/summary", params={"category": "nope"})
    assert bad.status_code == 422 and "category" in bad.json()["error"]["fields"]
    unauthenticated = r.api.call("GET", "/api/v1/reports/summary", headers={"Authorization": ""})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["code"] == "unauthorized"
    assert r.get("/summary", role="operator").status_code == 403
    assert r.get("/lag", role="office", district="巴州区").status_code == 403
    assert r.get("/nothing-here").json()["error"]["code"] == "not_found"

    lag = r.get("/lag", role="operator").json()
    by_source = {s["source"]: s for s in lag["sources"]}
    assert set(by_source) == {"intake", "media", "screening"}
    for source, head in heads(r).items():
        assert by_source[source]["head"] == head
        assert by_source[source]["position"] == head
        assert by_source[source]["behind"] == 0
        assert by_source[source]["head_from"] == "owner"
    # An owner that is down: its head is the highest position we saw of it.
    r.containers["media"].stop()
    lag = r.get("/lag", role="staff").json()
    media = next(s for s in lag["sources"] if s["source"] == "media")
    assert media["head_from"] == "last_seen" and media["head"] == heads(r)["media"]


def test_the_migration_builds_the_tables_the_code_declares(database_url: str) -> None:
    schema.upgrade(database_url, "reporting")
    schema.upgrade(database_url, "reporting")  # a second run changes nothing
    tables.indexes(1)
    declared = MetaData()
    for part in (store_tables, tables.metadata, tables.entries(1).metadata,
                 tables.counts(1).metadata, notice_tables.metadata):  # fmt: skip
        for table in part.tables.values():
            table.to_metadata(declared)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), declared) == []
        assert tables.current(conn) == 1
    engine.dispose()


def test_the_migration_adds_the_new_columns_to_rows_already_there(database_url: str) -> None:
    migrations.upgrade(database_url, *schema.revisions("reporting"), target="reporting_0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO report_entries_g1 (submission_id, known, title, applicant_name, "
            "contact_name, contact_phone, status, findings_count, materials, state) VALUES "
            "('s', true, 't', 'a', 'c', 'p', 'submitted', 14, '[]', 'in_review')"
        )
    schema.upgrade(database_url, "reporting")
    with engine.connect() as conn:
        row = conn.execute(
            select(tables.entries(1)).where(tables.entries(1).c.submission_id == "s")
        ).one()
    engine.dispose()
    # Empty until `kechuang rebuild reporting` folds the logs again.
    assert (row.review_count, row.location, row.lead_name, row.priority) == (0, "", "", None)
    assert row.findings_count == 14


@pytest.mark.parametrize("path", ["/summary", "/entries", "/entries.xlsx", "/entries.csv"])
def test_the_reports_need_a_token(rpt: Reporting, path: str) -> None:
    response = rpt.api.call("GET", f"/api/v1/reports{path}", headers={"Authorization": "x"})
    assert response.status_code == 401
