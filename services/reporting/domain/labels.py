"""Chinese labels for what the reports show a person (the 汇总表 goes to the city as is)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CATEGORIES: dict[str, str] = {
    "achievement": "科技成果转化项目",
    "promotion": "高新技术推广项目",
    "challenge": "科技难题攻关项目",
    "finance": "科技金融创新产品",
}

# In the order the reports list them: an entry's life from draft to selection.
STATES: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已提交（待筛查）",
    "incomplete": "待补充材料",
    "in_review": "待审核",
    "eligible": "符合条件",
    "ineligible": "不符合条件",
    "withdrawn": "已撤回",
    "selected": "已入选",
}

MATERIAL_KINDS: dict[str, str] = {
    "promo_video": "推介视频",
    "introduction": "项目介绍资料",
    "proof": "成果证明材料",
}

MATERIAL_STATUSES: dict[str, str] = {
    "awaiting_upload": "待上传",
    "verifying": "校验中",
    "stored": "已存储",
    "rejected": "已退回",
    "expired": "已过期",
}

SELECTIONS: dict[str, str] = {"selected": "入选", "not_selected": "未入选"}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of `code`; an unknown code is shown as is rather than hidden."""
    if code is None:
        return ""
    return table.get(code, code)


def materials_text(materials: Sequence[dict[str, Any]]) -> str:
    """One cell for an entry's materials: `推介视频：已存储；项目介绍资料：待上传`."""
    return "；".join(
        f"{label(MATERIAL_KINDS, m.get('kind'))}：{label(MATERIAL_STATUSES, m.get('status'))}"
        for m in materials
    )
