"""The vocabulary the console shows (`GET /api/v1/catalog`): categories, material kinds and
the reports' states with their Chinese labels, and per category the receipt form's fields.

Codes come from where they are declared (intake's categories, media's kinds); the labels are
the ones the reports print, so the console and the 汇总表 say the same words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from services.intake import receipt
from services.intake.domain.entry import CATEGORIES
from shared.catalog.media import KINDS

# The reports' labels (services/reporting/domain/labels.py), which a service may not import.
# MERGE: shared/catalog/vocabulary.py, written beside this change, declares them once under
# these names; import them from there and drop these copies.
CATEGORY_LABELS = {
    "achievement": "科技成果转化项目",
    "promotion": "高新技术推广项目",
    "challenge": "科技难题攻关项目",
    "finance": "科技金融创新产品",
}
MATERIAL_KIND_LABELS = {
    "promo_video": "推介视频",
    "introduction": "项目介绍资料",
    "proof": "成果证明材料",
}
# An entry's overall state in the reports, in the order of its life.
STATE_LABELS = {
    "draft": "草稿",
    "submitted": "已提交（待筛查）",
    "incomplete": "待补充材料",
    "in_review": "待审核",
    "eligible": "符合条件",
    "ineligible": "不符合条件",
    "withdrawn": "已撤回",
    "selected": "已入选",
}


def _labelled(codes: Iterable[str], names: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": names[code]} for code in codes]


@functools.cache  # derived from declarations fixed at start
def catalog() -> dict[str, Any]:
    return {
        "categories": _labelled(CATEGORIES, CATEGORY_LABELS),
        "material_kinds": _labelled(KINDS, MATERIAL_KIND_LABELS),
        "states": _labelled(STATE_LABELS, STATE_LABELS),
        "forms": {category: receipt.form(category) for category in CATEGORIES},
    }
