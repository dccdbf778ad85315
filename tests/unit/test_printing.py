"""The printed documents' templates (HTML before WeasyPrint lays it out) and the xlsx's print
settings: the 回执 of every category lists what the office filled in, in order and in Chinese,
with the materials, the screening and the signing block; stored text prints as text whatever it
holds; the 汇总表 sheet prints on landscape A4, one page wide, its header row on every page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from services.intake import printed
from services.intake.receipt import form
from services.reporting.adapters import export
from services.reporting.domain.projection import Entry
from shared import printing
from shared.calls import load
from shared.catalog.vocabulary import CATEGORIES
from tests.entries import full_body

NOW = datetime(2021, 10, 20, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
HOSTILE = "<script>alert(1)</script>\u202egnp.exe&amp;" + "长" * 20_000
SID = "9b2f7c1e-4d3a-4b8e-9f0a-000000000001"
MID = "9b2f7c1e-4d3a-4b8e-9f0a-0000000000m1"


def _entry(category: str, **changes: Any) -> dict[str, Any]:
    body = full_body(category)
    return body | {
        "id": SID, "district": "巴州区", "category": category, "status": "submitted",
        "version": 3, "selected": False, "officer": {"name": "李保姆", "phone": "13900000000"},
        "materials": [{"material_id": MID, "kind": "video", "filename": "推介.mp4",
                       "size": 12 * 1024 * 1024, "status": "stored"}],
        "submitted_at": NOW.isoformat(),
    } | changes  # fmt: skip


SCREENED = {
    "state": "incomplete",
    "priority": False,
    "findings": [
        {"rule": "r", "clause": "二(一)6", "outcome": "missing", "message": "缺少推介视频"}
    ],
}


def _receipt(entry: dict[str, Any], **changes: Any) -> str:
    calls = load(str(Path(__file__).parents[2] / "deploy" / "calls.yaml"))
    arguments = {
        "entry": entry, "call": next(iter(calls.values())), "screened": SCREENED,
        "digests": {MID: {"sha256": "ab" * 32, "size": 12 * 1024 * 1024, "status": "stored"}},
        "asked": True, "now": NOW,
    } | changes  # fmt: skip
    return printed.receipt_html(**arguments)


def test_shown_keeps_text_as_text() -> None:
    assert printing.shown(None) == ""
    assert printing.shown(3) == "3"
    assert printing.shown("a\u202eb\u2066c") == "a[U+202E]b[U+2066]c"
    assert printing.shown("a\x00b\r\nc\x85") == "ab\nc"
    long = printing.shown("x" * 10_000)
    assert len(long) == printing.MAX_CHARS and long.endswith("…")


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_receipt_lists_what_was_filled_in_in_the_forms_order(category: str) -> None:
    html = _receipt(_entry(category))
    assert "《“科创会”科创项目征集回执》" in html
    labels = [f["label"] for f in form(category) if printed._at(_entry(category), f["name"])]
    positions = [html.index(f">{label}<") if f">{label}<" in html else html.index(label)
                 for label in labels]  # fmt: skip
    assert positions == sorted(positions)  # in the receipt's order
    assert "高效低成本钙钛矿太阳能电池" in html
    assert "四川省巴中市巴州区" in html  # a region code printed as its name
    for line in ("填报单位（盖章）", "负责人签字", "日期"):
        assert line in html
    assert '第 " counter(page) " 页 共 " counter(pages) " 页' in html
    assert "李保姆" in html and printed.OFFICER_NOTE in html
    assert "13541785756" in html  # the call's contact (the notice's 四(三))


def test_the_receipt_shows_the_lead_materials_and_screening() -> None:
    html = _receipt(_entry("achievement"))
    assert "项目负责人·</span>负责人姓名" in html and "李四" in html and "教授" in html
    assert "推介视频" in html and "12.0 MB" in html and "ab" * 8 in html and "ab" * 9 not in html
    assert "已存储" in html
    assert "待补充材料" in html and "二(一)6" in html and "缺少" in html and "缺少推介视频" in html


def test_the_receipt_says_what_it_could_not_ask() -> None:
    html = _receipt(_entry("achievement"), screened=None, digests=None, asked=False)
    assert "筛查结果暂时无法取得" in html and "（未取得）" in html
    html = _receipt(_entry("achievement"), screened=None, asked=True)
    assert "尚未筛查" in html


def test_hostile_stored_text_is_escaped_and_cut() -> None:
    entry = _entry("achievement", title=HOSTILE, officer={"name": "<b>x</b>", "phone": "1"})
    html = _receipt(entry)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in html and "[U+202E]gnp.exe&amp;amp;" in html
    assert "<b>x</b>" not in html
    assert "长" * 4000 in html and "长" * (printing.MAX_CHARS + 1) not in html


def _entries() -> list[Entry]:
    return [
        Entry(submission_id=f"id-{n}", known=True, district="巴州区", category="achievement",
              title=title, applicant_name="巴中某公司", updated_at=NOW)
        for n, title in enumerate(["钙钛矿电池", HOSTILE])
    ]  # fmt: skip


def test_the_summary_pdf_template_is_the_xlsx_table() -> None:
    html = export.entries_html(_entries(), export.Heading("巴州区", NOW))
    assert "<h1>巴州区科创项目征集汇总表</h1>" in html
    assert "填报单位：巴州区科协" in html and "填报日期：2021年10月20日" in html
    assert "<thead>" in html and html.count("<th>") == len(export.HEADERS)
    assert "钙钛矿电池" in html and "<script>" not in html
    assert export.SIGNING in html and "landscape" in html
    assert export.Heading(None, NOW).title == "巴中市科创项目征集汇总表"


def test_the_summary_sheet_is_ready_to_print() -> None:
    summary = {"districts": [], "totals": {}, "total": 0}
    heading = export.Heading(None, datetime(2021, 10, 31, 17, 0, tzinfo=UTC))  # 1 Nov in Beijing
    book = load_workbook(io.BytesIO(export.xlsx(_entries(), summary, heading)))
    sheet = book[export.ENTRIES_SHEET]
    assert sheet["A1"].value == "巴中市科创项目征集汇总表"
    assert sheet["A2"].value == "填报单位：巴中市科协"
    # The date starts at the table's middle column (it moves as columns are added).
    date_cell = f"{get_column_letter(len(export.COLUMNS) // 2 + 1)}2"
    assert sheet[date_cell].value == "填报日期：2021年11月1日"
    assert [c.value for c in sheet[export.HEADER_ROW]] == export.HEADERS
    assert sheet.cell(export.FIRST_ENTRY_ROW, 4).value == "钙钛矿电池"
    signing = export.FIRST_ENTRY_ROW + 2 + 1
    assert (
        sheet.cell(signing - 1, 1).value is None and sheet.cell(signing, 1).value == export.SIGNING
    )
    last = get_column_letter(len(export.COLUMNS))
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert merged >= {f"A1:{last}1", f"A{signing}:{last}{signing}"}
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", int(sheet.PAPERSIZE_A4))
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.freeze_panes == "A4"


def test_the_documents_name_only_the_projects_fonts_which_the_install_always_installs() -> None:
    # Every font-family of a printed document's template is one of FONTS (by the names the
    # templates are given for them), each declared by @font-face with its file: never a font
    # fontconfig would choose on the machine at hand.
    root = Path(__file__).parents[2]
    ours = {'"{{ sans.family }}"', '"{{ mono.family }}"', '"{{ font.family }}"'}
    templates = [root / "shared/printing/templates/base.html"]
    templates += sorted(root.glob("services/*/templates/*.html"))
    assert len(templates) >= 5
    for template in templates:
        for declared in re.findall(r"font-family:\s*((?:[^;{}]|{{[^}]*}})+)", template.read_text()):
            assert {name.strip() for name in declared.split(",")} <= ours, (template, declared)
    html = _receipt(_entry("achievement"))
    install = (root / "deploy/local/install.sh").read_text()
    image = (root / "Dockerfile").read_text()
    for font in printing.FONTS:
        assert f'@font-face {{ font-family: "{font.family}"; src: url("{font.url}"); }}' in html
        assert font.path.is_file(), printing.missing_fonts()
        # ... from a Debian package the install step and the image install every time.
        assert re.search(rf"for package in [^;]*\b{font.package}\b", install), font.package
        assert re.search(rf"apt-get install [^&]*\b{font.package}\b", image), font.package


@pytest.mark.parametrize(
    ("kind", "label"),
    [("public_institution", "事业单位"), ("other_organization", "其他组织"),
     ("society", "学（协）会")],
)  # fmt: skip
def test_the_receipt_and_the_summary_table_name_every_applicant_type(kind: str, label: str) -> None:
    """Issue #25 item 4: 事业单位 and 其他组织 apply, 学（协）会 as the notice names it; the 回执
    and the 汇总表 print the type as the office chose it."""
    body = _entry("achievement")
    html = _receipt(body | {"applicant": body["applicant"] | {"type": kind}})
    assert label in html
    row = export.row_values(1, Entry(submission_id="x", known=True, applicant_type=kind))
    assert label in row


def test_the_receipt_names_the_entry_s_own_district_contact() -> None:
    """Issue #25 item 6: 恩阳区's 回执 names 恩阳区's contact, not 巴州区's (四(三))."""
    demo = load(str(Path(__file__).parents[2] / "deploy" / "calls.demo.yaml"))["demo"]
    html = _receipt(_entry("achievement", district="恩阳区"), call=demo)
    assert "enyang@example.org" in html and "522176313@qq.com" not in html
    assert "522176313@qq.com" in _receipt(_entry("achievement"), call=demo)
