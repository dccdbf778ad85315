"""The summary table (汇总表) as a spreadsheet, CSV or PDF: Chinese headers and values, one row
per entry; the xlsx has a second sheet with the counts. This is what goes to the city as is,
printed, signed and stamped, so codes never appear where a Chinese label exists, and the xlsx's
汇总表 sheet is set up to print (see `Heading`, `_print_setup`). Every value goes through `cells`
on the way out, so no stored text can break the file or run as a formula in it; the PDF is
rendered from a template (`shared.printing`), which prints stored text as text."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.domain.labels import label, lead_text, materials_text, priority_text
from services.reporting.domain.projection import Entry
from shared import cells, printing
from shared.calls import BEIJING
from shared.catalog.vocabulary import (
    APPLICANT_TYPE_LABELS,
    CATEGORY_LABELS,
    SELECTION_LABELS,
    STATE_LABELS,
    TECH_LEVEL_LABELS,
)

# (header, width in characters): widths fit the usual content of each column.
COLUMNS: list[tuple[str, int]] = [
    ("序号", 6),
    ("区县", 10),
    ("项目类别", 18),
    ("项目名称", 40),
    ("平台发布编号", 18),
    ("申报单位", 30),
    ("申报单位类型", 14),
    ("所在地", 24),
    ("项目负责人", 30),
    ("联系人", 10),
    ("联系电话", 16),
    ("技术水平", 10),
    ("状态", 16),
    ("筛查问题数", 10),
    ("待审核项数", 10),
    ("优先支持", 8),
    ("材料", 48),
    ("服务专员（保姆）", 14),
    ("服务专员电话", 16),
    ("遴选结果", 10),
    ("项目编号", 38),
    ("更新时间", 20),
    *[("报送批次", 10), ("报送后已修改", 12)],  # the district's batch (汇总报送)
    # 推荐省级 (screening's recommendation to the province), last so older readers keep theirs.
    ("推荐排序", 8),
    ("推荐理由", 40),
    ("填报人", 22),
    ("延期至", 20),  # the latest late exception (逾期补交) covering the entry
]
HEADERS = [name for name, _ in COLUMNS]

ENTRIES_SHEET = "汇总表"
SUMMARY_SHEET = "统计"

# The 汇总表 sheet's layout: the title, then 填报单位 and 填报日期, then the header row (repeated
# on every printed page), the entries, a blank row and the signing line.
TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
FIRST_ENTRY_ROW = HEADER_ROW + 1
CITY = "巴中市"
SIGNING = "填报人：　　　　　　　　审核人：　　　　　　　　负责人签字：　　　　　　　　（盖章）"
FOOTER = "第 &P 页 共 &N 页"  # Excel's codes: this page, all pages
# WeasyPrint lays a row out in about 20 ms: 1,000 rows (a district's whole call, many times
# over) print well within the front door's 60 s; the whole city's table is the xlsx's job.
MAX_PDF_ROWS = 1000


@dataclass(frozen=True)
class Heading:
    """What the printed 汇总表 says above its table: whose it is and when it was made."""

    district: str | None  # None: every district (the city's table)
    made_at: datetime

    @property
    def title(self) -> str:
        return f"{self.district or CITY}科创项目征集汇总表"

    @property
    def unit(self) -> str:
        return f"填报单位：{self.district or CITY}科协"

    @property
    def date(self) -> str:
        at = self.made_at.astimezone(BEIJING)
        return f"填报日期：{at.year}年{at.month}月{at.day}日"


def row_values(n: int, entry: Entry) -> list[Any]:
    updated = (
        entry.updated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if entry.updated_at else ""
    )
    return [
        n,
        entry.district or "",
        label(CATEGORY_LABELS, entry.category),
        entry.title,
        entry.platform_listing_id,
        entry.applicant_name,
        label(APPLICANT_TYPE_LABELS, entry.applicant_type),
        entry.location,
        lead_text(entry.lead_name, entry.lead_affiliation),
        entry.contact_name,
        entry.contact_phone,
        label(TECH_LEVEL_LABELS, entry.tech_level),
        label(STATE_LABELS, entry.state),
        entry.findings_count,
        entry.review_count,
        priority_text(entry.priority),
        materials_text(entry.materials),
        entry.officer_name or "",
        entry.officer_phone or "",
        label(SELECTION_LABELS, entry.selection),
        entry.submission_id,
        updated,
        *batch_values(entry),
        entry.recommendation_rank or "",
        entry.recommendation_reason,
        entry.submitted_by,
        (
            entry.extended_until.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
            if entry.extended_until
            else ""
        ),
    ]


def batch_values(entry: Entry) -> list[str]:
    """报送批次 (第N批) and 报送后已修改 (是 when changed after that batch)."""
    if entry.batch_number is None:
        return ["", ""]
    return [f"第{entry.batch_number}批", "是" if entry.changed_after_batch else "否"]


def _summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for district in summary["districts"]:
        for category, counts in district["categories"].items():
            rows.append(
                [district["district"], label(CATEGORY_LABELS, category)]
                + list(counts.values())
                + [sum(counts.values())]
            )
    rows.append(["合计", ""] + list(summary["totals"].values()) + [summary["total"]])
    return rows


def xlsx(entries: list[Entry], summary: dict[str, Any], heading: Heading) -> bytes:
    # Write-only mode streams rows instead of keeping a cell object per value: 10,000 entries
    # export in a fraction of the time and memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(ENTRIES_SHEET)
    for n, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = f"A{FIRST_ENTRY_ROW}"
    _print_setup(sheet)
    bold = Font(bold=True)
    last = get_column_letter(len(COLUMNS))
    middle = len(COLUMNS) // 2
    title = WriteOnlyCell(sheet, value=heading.title)
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.append([title])
    sheet.merged_cells.add(CellRange(f"A{TITLE_ROW}:{last}{TITLE_ROW}"))
    date = WriteOnlyCell(sheet, value=heading.date)
    date.alignment = Alignment(horizontal="right")
    sheet.append([heading.unit] + [None] * (middle - 1) + [date])
    sheet.merged_cells.add(CellRange(f"A{UNIT_ROW}:{get_column_letter(middle)}{UNIT_ROW}"))
    sheet.merged_cells.add(CellRange(f"{get_column_letter(middle + 1)}{UNIT_ROW}:{last}{UNIT_ROW}"))
    sheet.append([_header_cell(sheet, h, bold) for h in HEADERS])
    for n, entry in enumerate(entries, start=1):
        sheet.append(_xlsx_row(sheet, row_values(n, entry)))
    sheet.append([])
    signing_row = FIRST_ENTRY_ROW + len(entries) + 1
    sheet.append([SIGNING])
    sheet.merged_cells.add(CellRange(f"A{signing_row}:{last}{signing_row}"))

    counts = book.create_sheet(SUMMARY_SHEET)
    headers = ["区县", "项目类别", *STATE_LABELS.values(), "合计"]
    for n, width in enumerate([10, 18] + [12] * (len(headers) - 2), start=1):
        counts.column_dimensions[get_column_letter(n)].width = width
    counts.freeze_panes = "A2"
    counts.append([_header_cell(counts, h, bold) for h in headers])
    for row in _summary_rows(summary):
        counts.append(_xlsx_row(counts, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _print_setup(sheet: Any) -> None:
    """Landscape A4, every column on one page wide (as many pages down as it takes), the
    header row on every page, page numbers in the footer, centred: what an office prints."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    sheet.oddFooter.center.text = FOOTER
    sheet.evenFooter.center.text = FOOTER


def pdf(entries: list[Entry], heading: Heading) -> bytes:
    """The same table as the xlsx's 汇总表 sheet, as a PDF ready to print and stamp."""
    return printing.pdf(entries_html(entries, heading))


def entries_html(entries: list[Entry], heading: Heading) -> str:
    rows = [row_values(n, entry) for n, entry in enumerate(entries, start=1)]
    total = sum(width for _, width in COLUMNS)
    widths = [round(100 * width / total, 2) for _, width in COLUMNS]
    return printing.html(
        "services.reporting", "entries.html",
        heading=heading, headers=HEADERS, widths=widths, rows=rows, signing=SIGNING,
    )  # fmt: skip


def _xlsx_row(sheet: Any, values: list[Any]) -> list[Any]:
    row = []
    for raw in values:
        value = cells.value(raw)
        if isinstance(value, str) and cells.defused(value):
            # Typed as a string explicitly: whatever the value, it is never read as a formula.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    return row


def _header_cell(sheet: Any, value: str, font: Font) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def csv_bytes(entries: list[Entry]) -> bytes:
    """UTF-8 with a byte-order mark: without it, Excel opens Chinese CSV as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for n, entry in enumerate(entries, start=1):
        writer.writerow([cells.value(v) for v in row_values(n, entry)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
