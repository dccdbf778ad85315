"""The matches table (供需对接表) as a spreadsheet: Chinese headers, one row per pair, stored text
made safe (shared.cells)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from services.matching.adapters import export
from services.matching.domain.profile import Profile

NEED = Profile(submission_id="c1", district="巴州区", category="challenge",
               title="=秸秆综合利用", applicant_name="某县农业局")  # fmt: skip
OFFER = Profile(submission_id="o1", district="恩阳区", category="achievement",
                title="秸秆饲料化技术", applicant_name="某大学")  # fmt: skip


def test_each_pair_is_a_row_with_its_score_reason_and_decision() -> None:
    rows = [
        export.Row(NEED, 1, OFFER, 0.87, "共同词语：秸秆", "confirmed"),
        export.Row(OFFER.__class__(submission_id="c2", title="无匹配难题"), None, None, None, "",
                   None),
    ]  # fmt: skip
    sheet = load_workbook(io.BytesIO(export.xlsx(rows)))[export.SHEET]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [name for name, _ in export.COLUMNS]
    first = dict(zip(table[0], table[1], strict=True))
    assert first["科技难题"] == "'=秸秆综合利用"  # never a formula
    assert first["对接项目"] == "秸秆饲料化技术" and first["项目类别"] == "科技成果转化项目"
    assert first["得分"] == 0.87 and first["对接状态"] == "已确认对接"
    assert first["匹配理由"] == "共同词语：秸秆"
    second = dict(zip(table[0], table[2], strict=True))
    assert second["对接项目"] == export.NO_MATCH and second["排名"] is None
