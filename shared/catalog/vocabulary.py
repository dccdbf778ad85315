"""The project's vocabulary, declared once: the call's categories, the material kinds, the
states an entry, its screening and its materials go through, with the Chinese label a person
reads for each (the reports and exports show these labels as they are).

Standard library only. Codes are what the API, the events and the tables carry; a label is only
ever shown. Each table keeps the order the notice and the reports use.
"""

from __future__ import annotations

from typing import Final

# The call's four categories (征集通知 二(一)…二(四)).
ACHIEVEMENT: Final = "achievement"
PROMOTION: Final = "promotion"
CHALLENGE: Final = "challenge"
FINANCE: Final = "finance"
CATEGORY_LABELS: dict[str, str] = {
    ACHIEVEMENT: "科技成果转化项目",
    PROMOTION: "高新技术推广项目",
    CHALLENGE: "科技难题攻关项目",
    FINANCE: "科技金融创新产品",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)

# The materials an entry is supported by.
PROMO_VIDEO: Final = "promo_video"
INTRODUCTION: Final = "introduction"
PROOF: Final = "proof"
MATERIAL_KIND_LABELS: dict[str, str] = {
    PROMO_VIDEO: "推介视频",
    INTRODUCTION: "项目介绍资料",
    PROOF: "成果证明材料",
}
MATERIAL_KINDS: tuple[str, ...] = tuple(MATERIAL_KIND_LABELS)

# A material's status (media): only `stored` is a material the call can use.
AWAITING_UPLOAD: Final = "awaiting_upload"
VERIFYING: Final = "verifying"
STORED: Final = "stored"
REJECTED: Final = "rejected"
EXPIRED: Final = "expired"
MATERIAL_STATUS_LABELS: dict[str, str] = {
    AWAITING_UPLOAD: "待上传",
    VERIFYING: "校验中",
    STORED: "已存储",
    REJECTED: "已退回",
    EXPIRED: "已过期",
}
MATERIAL_STATUSES: tuple[str, ...] = tuple(MATERIAL_STATUS_LABELS)

# An entry's status as intake keeps it. `returned`: staff returned a submitted entry for
# revision (退回修改); the office edits it and submits it again until the return's due time.
DRAFT: Final = "draft"
SUBMITTED: Final = "submitted"
RETURNED: Final = "returned"
WITHDRAWN: Final = "withdrawn"
SUBMISSION_STATUS_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    SUBMITTED: "已提交",
    RETURNED: "已退回修改",
    WITHDRAWN: "已撤回",
}
SUBMISSION_STATUSES: tuple[str, ...] = tuple(SUBMISSION_STATUS_LABELS)

# A screening's state: `pending` until a submitted entry is first screened, then one of the
# screened states (domain.md's order).
PENDING: Final = "pending"
INCOMPLETE: Final = "incomplete"
IN_REVIEW: Final = "in_review"
ELIGIBLE: Final = "eligible"
INELIGIBLE: Final = "ineligible"
SCREENED_STATES: tuple[str, ...] = (INCOMPLETE, IN_REVIEW, ELIGIBLE, INELIGIBLE)
SCREENING_STATES: tuple[str, ...] = (PENDING, *SCREENED_STATES)
# Staff's settlement of the review items (审核): the screened state they rule.
REVIEW_DECISIONS: tuple[str, ...] = (ELIGIBLE, INELIGIBLE)

# The city's selection (遴选).
SELECTED: Final = "selected"
NOT_SELECTED: Final = "not_selected"
SELECTION_LABELS: dict[str, str] = {SELECTED: "入选", NOT_SELECTED: "未入选"}
SELECTIONS: tuple[str, ...] = tuple(SELECTION_LABELS)

# An entry's overall state in reports, in the order they list them: its life from draft to
# selection.
STATE_LABELS: dict[str, str] = {
    DRAFT: "草稿",
    SUBMITTED: "已提交（待筛查）",
    INCOMPLETE: "待补充材料",
    IN_REVIEW: "待审核",
    ELIGIBLE: "符合条件",
    INELIGIBLE: "不符合条件",
    RETURNED: "已退回修改",
    WITHDRAWN: "已撤回",
    SELECTED: "已入选",
}
STATES: tuple[str, ...] = tuple(STATE_LABELS)

# Who hands an entry in (回执's 单位类型), in the receipt's order. The notice addresses
# 企（事业）单位、科技工作者、学（协）会、院士（专家）工作站 (前言): a public institution (事业单位:
# a hospital, a school, an institute run as one) may apply, and so may another organisation;
# 学会 and 协会 are one type, named as the notice names it.
APPLICANT_TYPE_LABELS: dict[str, str] = {
    "enterprise": "企业",
    "public_institution": "事业单位",
    "university": "高校",
    "institute": "科研院所",
    "government": "政府部门",
    "society": "学（协）会",
    "workstation": "院士（专家）工作站",
    "individual": "个人",
    "financial_institution": "金融机构",
    "other_organization": "其他组织",
}

# An achievement's or a promotion's technical level (二(一)5, 二(二)2), highest first.
TECH_LEVEL_LABELS: dict[str, str] = {
    "international_leading": "国际领先",
    "international_advanced": "国际先进",
    "domestic_leading": "国内领先",
    "domestic_advanced": "国内先进",
    "other": "其他",
}
