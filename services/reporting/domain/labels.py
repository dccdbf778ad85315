"""Chinese labels for what the reports show a person (the 汇总表 goes to the city as is). The
labels themselves are the project's vocabulary (`shared.catalog.vocabulary`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.catalog.vocabulary import MATERIAL_KIND_LABELS, MATERIAL_STATUS_LABELS


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of `code`; an unknown code is shown as is rather than hidden."""
    if code is None:
        return ""
    return table.get(code, code)


def materials_text(materials: Sequence[dict[str, Any]]) -> str:
    """One cell for an entry's materials: `推介视频：已存储；项目介绍资料：待上传`."""
    return "；".join(
        f"{label(MATERIAL_KIND_LABELS, m.get('kind'))}："
        f"{label(MATERIAL_STATUS_LABELS, m.get('status'))}"
        for m in materials
    )


def lead_text(name: str, affiliation: str) -> str:
    """One cell for who leads: `张三（四川大学）`; either part alone when the other is blank."""
    if name and affiliation:
        return f"{name}（{affiliation}）"
    return name or affiliation


def priority_text(priority: bool | None) -> str:
    """二(二)3's priority: 是 or 否 once screened, blank before."""
    if priority is None:
        return ""
    return "是" if priority else "否"
