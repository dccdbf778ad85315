"""The matches as a spreadsheet (供需对接表, `GET /api/v1/reports/matches.xlsx`): each handed-in
challenge with its top offers, one row per pair, with the score, why, and staff's decision.
Every value goes through `shared.cells`, so no stored text can break the file or run as a
formula in it."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.matching.domain.profile import Profile
from shared import cells
from shared.catalog.vocabulary import CATEGORY_LABELS

SHEET = "供需对接"
DECISION_LABELS = {"confirmed": "已确认对接", "dismissed": "已排除", None: ""}
NO_MATCH = "（暂无较好的匹配）"

# (header, width in characters)
COLUMNS: list[tuple[str, int]] = [
    ("序号", 6),
    ("难题区县", 10),
    ("科技难题", 36),
    ("难题申报单位", 26),
    ("排名", 6),
    ("对接项目", 36),
    ("项目类别", 16),
    ("项目区县", 10),
    ("项目申报单位", 26),
    ("得分", 8),
    ("匹配强度", 10),
    ("匹配理由", 60),
    ("对接状态", 12),
    ("难题编号", 38),
    ("项目编号", 38),
]


@dataclass(frozen=True)
class Row:
    challenge: Profile
    rank: int | None  # None: a confirmed pair outside the top, or no match at all
    offer: Profile | None
    score: float | None
    explanation: str
    decision: str | None
    band: str | None = None  # 强, 中 or 弱 (scoring.band)


def values(n: int, row: Row) -> list[Any]:
    challenge, offer = row.challenge, row.offer
    return [
        n,
        challenge.district,
        challenge.title,
        challenge.applicant_name,
        row.rank,
        offer.title if offer else NO_MATCH,
        CATEGORY_LABELS.get(offer.category, offer.category) if offer else "",
        offer.district if offer else "",
        offer.applicant_name if offer else "",
        row.score,
        row.band or "",
        row.explanation,
        DECISION_LABELS.get(row.decision, row.decision or ""),
        challenge.submission_id,
        offer.submission_id if offer else "",
    ]


def xlsx(rows: Iterable[Row]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for n, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for n, row in enumerate(rows, start=1):
        sheet.append([cells.value(v) for v in values(n, row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
