"""The city's recommendation letter to the province (推荐函), as a PDF from an HTML template
(`templates/recommendation_letter.html`, laid out by `shared.printing`: fonts embedded, page
numbers, a header row on every page).

The letter goes inside the province package, so it cannot cite the package's digest; it cites
the table's (`domain.package.table_digest`), which `manifest.json` lets anyone recompute.
"""

from __future__ import annotations

from datetime import datetime

from services.reporting.domain.labels import label
from services.reporting.domain.package import Plan, table_digest
from shared import printing
from shared.calls import BEIJING
from shared.catalog.vocabulary import CATEGORY_LABELS

TITLE = "关于推荐“科创会”优秀科创项目的函"
SENDER = "巴中市科学技术协会"
RECIPIENT = "四川省科学技术协会"
HEADERS = ("推荐排序", "项目名称", "类别", "所属区县", "推荐理由")
DIGEST_NOTE = (
    "摘要按推荐排序，由每个项目的编号、推荐排序及其各材料经校验的 SHA-256 计算"
    "（算法见材料包 manifest.json 的 table_sha256_covers），可据材料包复核。"
)


def letter_html(plan: Plan, made_at: datetime) -> str:
    at = made_at.astimezone(BEIJING)
    rows = [
        {"rank": e.recommendation_rank, "title": e.title, "district": e.district or "",
         "category": label(CATEGORY_LABELS, e.category), "reason": e.recommendation_reason}
        for e in plan.entries
    ]  # fmt: skip
    return printing.html(
        "services.reporting", "recommendation_letter.html",
        title=TITLE, recipient=RECIPIENT, sender=SENDER, headers=HEADERS, rows=rows,
        opening=(
            "根据首届科创中国·天府科技云服务大会科创项目征集工作安排，经各区县科协汇总报送、"
            f"我会遴选，现推荐以下 {len(rows)} 个优秀科创项目参加四川省“科创会”展示展出，"
            "项目材料见随函材料包。"
        ),
        closing="妥否，请予审定。",
        digest=table_digest(plan), digest_note=DIGEST_NOTE,
        date=f"{at.year}年{at.month}月{at.day}日",
    )  # fmt: skip


def letter_pdf(plan: Plan, made_at: datetime) -> bytes:
    return printing.pdf(letter_html(plan, made_at))
