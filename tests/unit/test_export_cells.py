"""The exports' cells: whatever text was stored (before the input rule too), the xlsx opens, the
CSV parses, every value shows as the text it was, and nothing runs as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from services.reporting.adapters import export
from services.reporting.adapters.export import ENTRIES_SHEET, HEADERS
from services.reporting.domain.projection import Entry
from shared import cells
from tests.summary_sheet import table

SID = "7f0c5e8e-0000-4000-8000-000000000001"

KEPT = {
    "Chinese": "高效低成本钙钛矿太阳能电池",
    "tab and newline": "第一行\t说明\n第二行",
    "carriage return": "第一行\r\n第二行",
    "bidi override": "\u202egpj.exe",
    "emoji": "光伏 🌞👩🏽‍🔬 项目",
    "mixed scripts": "Résumé проект プロジェクト مشروع 项目",
    "10,000 characters": "长" * 10_000,
    "a phone number": "0827-5223387",
    "a dash inside": "巴中-成都",
}

FORMULAS = {
    "equals": "=1+1",
    "hyperlink": '=HYPERLINK("http://evil.example","点我")',
    "plus": "+1-1",
    "minus": "-2+3",
    "at": "@SUM(A1:A2)",
    "DDE": "=cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage return": "\r=1+1",
}

DROPPED = {
    "NUL": ("标题\x00", "标题"),
    "bell": ("标\x07题", "标题"),
    "escape": ("\x1b[31m红色", "[31m红色"),
    "vertical tab and form feed": ("a\x0b\x0cb", "ab"),
    "DEL and C1": ("a\x7f\x85b", "ab"),
    "lone surrogate": ("a\ud800b", "a\ufffdb"),
    "U+FFFE and U+FFFF": ("a\ufffe\uffff", "a\ufffd\ufffd"),
    "a control hiding a formula": ("\x01=1+1", "'=1+1"),
}


@pytest.mark.parametrize("value", KEPT.values(), ids=KEPT.keys())
def test_text_that_is_text_is_written_as_given(value: str) -> None:
    assert cells.text(value) == value


@pytest.mark.parametrize("value", FORMULAS.values(), ids=FORMULAS.keys())
def test_a_formula_gets_a_leading_apostrophe(value: str) -> None:
    assert cells.text(value) == "'" + value
    assert cells.defused(cells.text(value))


@pytest.mark.parametrize(("value", "written"), DROPPED.values(), ids=DROPPED.keys())
def test_what_a_spreadsheet_cannot_hold_is_dropped_or_replaced(value: str, written: str) -> None:
    assert cells.text(value) == written


def test_a_cell_over_excel_s_limit_is_cut_with_an_ellipsis() -> None:
    written = cells.text("长" * 40_000)
    assert len(written) == cells.MAX_CHARS == 32_767
    assert written.endswith("…") and written[:-1] == "长" * 32_766
    assert cells.text("长" * 32_767) == "长" * 32_767


def test_numbers_and_empty_cells_pass_unchanged() -> None:
    assert [cells.value(v) for v in (1, 0, -5, None, "")] == [1, 0, -5, None, ""]


HOSTILE_TITLES = [*KEPT.values(), *FORMULAS.values(), *(v for v, _ in DROPPED.values()),
                  "长" * 40_000]  # fmt: skip


def _entries() -> list[Entry]:
    return [
        Entry(submission_id=SID, known=True, district="巴州区", category="challenge",
              title=title, applicant_name="=HYPERLINK(\"x\")", contact_name="@张三\x07",
              contact_phone="+8613800000000", officer_name="-李四", status="submitted",
              location="=1+1", lead_name="@王五", lead_affiliation="\t四川大学",
              updated_at=datetime(2021, 10, 1, tzinfo=UTC))
        for title in HOSTILE_TITLES
    ]  # fmt: skip


def test_the_xlsx_opens_whatever_was_stored_and_nothing_is_a_formula() -> None:
    summary = {"districts": [], "totals": {}, "total": 0}
    heading = export.Heading("巴州区", datetime(2021, 10, 1, tzinfo=UTC))
    book = load_workbook(io.BytesIO(export.xlsx(_entries(), summary, heading)))
    sheet = book[ENTRIES_SHEET]
    rows = table(sheet, values_only=False)[1:]
    assert len(rows) == len(HOSTILE_TITLES)
    for row, title in zip(rows, HOSTILE_TITLES, strict=True):
        # An XML reader (Excel's too) reads a stored CR or CRLF as a newline.
        value = {header: cell.value for header, cell in zip(HEADERS, row, strict=True)}
        assert value["项目名称"] == cells.text(title).replace("\r\n", "\n").replace("\r", "\n")
        assert value["申报单位"] == '\'=HYPERLINK("x")'
        assert row[HEADERS.index("申报单位")].data_type == "s"
        assert (value["联系人"], value["联系电话"], value["服务专员（保姆）"]) == (
            "'@张三", "'+8613800000000", "'-李四")  # fmt: skip
        assert (value["所在地"], value["项目负责人"]) == ("'=1+1", "'@王五（\t四川大学）")
        assert all(cell.data_type != "f" for cell in row)


def test_the_csv_parses_whatever_was_stored_with_formulas_defused() -> None:
    text = export.csv_bytes(_entries()).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == HEADERS
    column = {header: n for n, header in enumerate(HEADERS)}
    assert [row[column["项目名称"]] for row in table[1:]] == [cells.text(t) for t in HOSTILE_TITLES]
    assert {row[column["申报单位"]] for row in table[1:]} == {'\'=HYPERLINK("x")'}
    assert {row[column["联系人"]] for row in table[1:]} == {"'@张三"}
    assert {row[column["所在地"]] for row in table[1:]} == {"'=1+1"}
