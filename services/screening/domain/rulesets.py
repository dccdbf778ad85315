"""The call's criteria (二、征集标准) per category: one rule per row of domain.md's tables, in
the notice's order, each citing its clause. `CLAUSES` lists, by hand from domain.md, every
clause those tables name, so a test can prove that none is left without a rule.

Each row reads: id, cited clause, outcome when broken, check, 中文 (the notice's words), English.

Two rows cite clauses outside section 二: finance's 一(二)4 (the products are "金融机构推出的")
and every category's 前言 (the notice's opening paragraph: the office collects "面向全区", so
an applicant elsewhere is raised for review, never excluded).
"""

from __future__ import annotations

from services.screening.domain import checks as c
from services.screening.domain.rules import FAIL, MISSING, PRIORITY, REVIEW, Rule
from shared.catalog import vocabulary as v

# Bump when a rule, clause or outcome changes: findings name the rule set that made them.
RULESET_VERSION = "tianfu-2021.2"

# Clause 1 and exclusion ① both ask for a platform listing; the exclusion is cited, as that is
# what takes an entry out of the call. The platform itself enforces its publishing norms
# (发布规范) when it accepts a listing, so the listing id stands for them.
# fmt: off
ACHIEVEMENT: tuple[Rule, ...] = (  # 二(一) 重大科技成果转化项目
    Rule("achievement.published_on_platform", "二(一)6①", FAIL, c.published,
         "未在天府科技云平台发布的不列入本次征集范围", "Not published on the platform",
         restates=("二(一)1",)),
    Rule("achievement.led_from_sichuan", "二(一)2", FAIL, c.led_from_sichuan,
         "由四川省高校、科研院所、企业的科技工作者牵头实施",
         "Led by sci-tech workers of a Sichuan university, institute or enterprise"),
    Rule("achievement.frontier_breakthrough", "二(一)2", REVIEW, c.for_staff("summary"),
         "瞄准国际、国内科技前沿和“卡脖子”技术，实现原创突破",
         "Aims at the frontier or a choke-point technology; an original breakthrough"),
    Rule("achievement.maturity", "二(一)3", REVIEW, c.mature,
         "具有较高的技术含量和成熟度", "High technical content and maturity"),
    Rule("achievement.ownership_clear", "二(一)3", FAIL, c.ownership_clear,
         "产权归属清晰，权利义务明确", "Ownership, rights and duties clear"),
    Rule("achievement.no_unresolved_ip_dispute", "二(一)6⑥", FAIL, c.no_unresolved_dispute,
         "存在知识产权权属争议且尚未解决的不列入本次征集范围", "Unresolved IP ownership dispute"),
    Rule("achievement.evident_benefit", "二(一)4", REVIEW, c.for_staff("benefits"),
         "潜在的经济效益、社会效益或生态效益明显",
         "Evident economic, social or ecological benefit"),
    Rule("achievement.technical_level", "二(一)5", FAIL, c.leading_level,
         "技术水平达到国内领先或国际先进", "Domestic leading or international advanced level"),
    Rule("achievement.not_widely_deployed", "二(一)6②", FAIL, c.not_widely_deployed,
         "已经大面积推广的成果不列入本次征集范围", "Already widely deployed"),
    Rule("achievement.lawful", "二(一)6③", FAIL, c.lawful,
         "违反国家法律、法规或违背社会公德，可能造成危害的不列入本次征集范围",
         "Unlawful, immoral or harmful to the public interest, environment or resources"),
    Rule("achievement.statutory_review_done", "二(一)6④", FAIL, c.statutory_review_done,
         "须经法定专门机构审查确认而尚未审查确认的不列入本次征集范围",
         "A review required by law is not yet done"),
    Rule("achievement.no_state_secret", "二(一)6⑤", FAIL, c.no_state_secret,
         "涉及国家秘密的不列入本次征集范围", "Involves a state secret"),
    Rule("achievement.promo_video", "二(一)6⑦", MISSING, c.video,
         "须提供征集所需完整材料：大会推介视频", "Required material: the promo video"),
    Rule("achievement.introduction", "二(一)6⑦", MISSING, c.introduction,
         "须提供征集所需完整材料：项目介绍资料", "Required material: the introduction"),
    Rule("achievement.proof", "二(一)6⑦", MISSING, c.proof,
         "须提供征集所需完整材料：成果证明材料", "Required material: proof of the achievement"),
    Rule("achievement.applicant_in_district", "前言", REVIEW, c.in_the_district,
         "申报单位不在本区县", "The applicant is not in the office's district"),
)

PROMOTION: tuple[Rule, ...] = (  # 二(二) 重大高新技术推广项目
    Rule("promotion.enterprise_led", "二(二)1", FAIL, c.enterprise_led,
         "该项目由国内外企业牵头", "Led by an enterprise"),
    Rule("promotion.research_partner", "二(二)1", FAIL, c.research_partner,
         "高校、科研院所作为技术依托的合作单位参与项目实施",
         "A university or institute takes part as technical partner"),
    Rule("promotion.agreement_signed", "二(二)1", FAIL, c.agreement_signed,
         "须签订相应的合同或协议", "A contract or agreement is signed"),
    Rule("promotion.ownership_clear", "二(二)1", FAIL, c.ownership_clear,
         "知识产权归属清晰，权利义务明确", "IP ownership, rights and duties clear"),
    Rule("promotion.piloted", "二(二)2", FAIL, c.piloted,
         "应已完成中试或进入产业化初期", "Pilot completed or early industrialisation"),
    Rule("promotion.technical_level", "二(二)2", FAIL, c.leading_level,
         "技术水平达到国内领先或国际先进", "Domestic leading or international advanced level"),
    Rule("promotion.market_prospects", "二(二)2", REVIEW, c.for_staff("summary", "benefits"),
         "具有良好的市场应用前景", "Good market prospects"),
    Rule("promotion.award_or_plan", "二(二)3", PRIORITY, c.high_award_or_plan,
         "优先支持获省部级及以上科技奖励或承担省级及以上科技计划验收通过的项目",
         "Provincial/ministerial or higher award, or accepted provincial or higher plan"),
    Rule("promotion.published_on_platform", "二(二)4①", FAIL, c.published,
         "未在天府科技云平台发布的不列入本次征集范围", "Not published on the platform"),
    Rule("promotion.not_widely_deployed", "二(二)4②", FAIL, c.not_widely_deployed,
         "已经大面积推广的技术不列入本次征集范围", "Already widely deployed"),
    Rule("promotion.lawful", "二(二)4③", FAIL, c.lawful,
         "违反国家法律、法规或违背社会公德，可能造成危害的不列入本次征集范围",
         "Unlawful, immoral or harmful to the public interest, environment or resources"),
    Rule("promotion.statutory_review_done", "二(二)4④", FAIL, c.statutory_review_done,
         "须经法定专门机构审查确认而尚未审查确认的不列入本次征集范围",
         "A review required by law is not yet done"),
    Rule("promotion.no_state_secret", "二(二)4⑤", FAIL, c.no_state_secret,
         "涉及国家秘密的不列入本次征集范围", "Involves a state secret"),
    Rule("promotion.no_unresolved_ip_dispute", "二(二)4⑥", FAIL, c.no_unresolved_dispute,
         "存在知识产权权属争议且尚未解决的不列入本次征集范围", "Unresolved IP ownership dispute"),
    Rule("promotion.promo_video", "二(二)4⑦", MISSING, c.video,
         "须提供征集所需完整材料：大会推介视频", "Required material: the promo video"),
    Rule("promotion.introduction", "二(二)4⑦", MISSING, c.introduction,
         "须提供征集所需完整材料：项目介绍资料", "Required material: the introduction"),
    Rule("promotion.proof", "二(二)4⑦", MISSING, c.proof,
         "须提供征集所需完整材料：成果证明材料", "Required material: proof of the achievement"),
    Rule("promotion.applicant_in_district", "前言", REVIEW, c.in_the_district,
         "申报单位不在本区县", "The applicant is not in the office's district"),
)

CHALLENGE: tuple[Rule, ...] = (  # 二(三) 重大科技难题攻关项目
    Rule("challenge.published_on_platform", "二(三)4①", FAIL, c.published,
         "未在天府科技云平台发布的不列入本次征集范围", "Not published on the platform",
         restates=("二(三)1",)),
    Rule("challenge.genuine", "二(三)2", REVIEW, c.for_staff("summary"),
         "重大科技难题攻关项目要真实、有效", "Genuine and valid"),
    Rule("challenge.technical_content", "二(三)3", REVIEW, c.for_staff("summary", "benefits"),
         "具有较高的技术含量，潜在的经济效益、社会效益或生态效益明显",
         "High technical content and evident benefit"),
    Rule("challenge.not_solved", "二(三)4②", FAIL, c.not_solved,
         "已攻克且取得成果的不列入本次征集范围", "Already solved"),
    Rule("challenge.willing_to_cooperate", "二(三)4③", FAIL, c.willing_to_cooperate,
         "不愿合作开发或委托开发的不列入本次征集范围",
         "Not willing to develop jointly or commission"),
    Rule("challenge.lawful", "二(三)4④", FAIL, c.lawful,
         "违反国家法律、法规或违背社会公德，可能造成危害的不列入本次征集范围",
         "Unlawful, immoral or harmful to the public interest, environment or resources"),
    Rule("challenge.no_state_secret", "二(三)4⑤", FAIL, c.no_state_secret,
         "涉及国家秘密的不列入本次征集范围", "Involves a state secret"),
    Rule("challenge.promo_video", "二(三)4⑥", MISSING, c.video,
         "须提供征集所需完整材料：大会推介视频", "Required material: the promo video"),
    Rule("challenge.introduction", "二(三)4⑥", MISSING, c.introduction,
         "须提供征集所需完整材料：项目介绍资料", "Required material: the introduction"),
    Rule("challenge.applicant_in_district", "前言", REVIEW, c.in_the_district,
         "申报单位不在本区县", "The applicant is not in the office's district"),
)

FINANCE: tuple[Rule, ...] = (  # 二(四) 重大科技金融创新产品
    Rule("finance.from_financial_institution", "一(二)4", FAIL, c.from_financial_institution,
         "科技金融创新产品须为金融机构推出的", "Offered by a financial institution"),
    Rule("finance.published_on_platform", "二(四)1", FAIL, c.published,
         "金融创新产品需在天府科技云平台进行发布", "Published on the platform"),
    Rule("finance.quality_and_fit", "二(四)2", REVIEW, c.for_staff("summary", "benefits"),
         "金融创新产品优质、专业性强，能切实推动成果转移转化，符合现实需求",
         "Quality, professional, serves technology transfer, meets real needs"),
    Rule("finance.promo_video", "二(四)3", MISSING, c.video,
         "须提供征集所需完整材料：大会推介视频", "Required material: the promo video"),
    Rule("finance.introduction", "二(四)3", MISSING, c.introduction,
         "须提供征集所需完整材料：项目介绍资料", "Required material: the introduction"),
    Rule("finance.applicant_in_district", "前言", REVIEW, c.in_the_district,
         "申报单位不在本区县", "The applicant is not in the office's district"),
)
# fmt: on

RULESETS: dict[str, tuple[Rule, ...]] = {
    v.ACHIEVEMENT: ACHIEVEMENT,
    v.PROMOTION: PROMOTION,
    v.CHALLENGE: CHALLENGE,
    v.FINANCE: FINANCE,
}

# Every clause domain.md's tables name, per category, written out rather than derived from the
# rules above: that is what lets a test catch a clause with no rule.
CLAUSES: dict[str, tuple[str, ...]] = {
    v.ACHIEVEMENT: (
        "前言", "二(一)1", "二(一)2", "二(一)3", "二(一)4", "二(一)5",
        "二(一)6①", "二(一)6②", "二(一)6③", "二(一)6④", "二(一)6⑤", "二(一)6⑥", "二(一)6⑦",
    ),
    v.PROMOTION: (
        "前言", "二(二)1", "二(二)2", "二(二)3",
        "二(二)4①", "二(二)4②", "二(二)4③", "二(二)4④", "二(二)4⑤", "二(二)4⑥", "二(二)4⑦",
    ),
    v.CHALLENGE: (
        "前言", "二(三)1", "二(三)2", "二(三)3",
        "二(三)4①", "二(三)4②", "二(三)4③", "二(三)4④", "二(三)4⑤", "二(三)4⑥",
    ),
    v.FINANCE: ("前言", "一(二)4", "二(四)1", "二(四)2", "二(四)3"),
}  # fmt: skip
