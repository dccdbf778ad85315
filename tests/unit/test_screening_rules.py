"""Screening's rules: each criterion of the notice met and broken, every clause covered, and the
state an entry's findings give it (fail, then missing, then review, then eligible)."""

import re
from collections.abc import Mapping
from typing import Any

import pytest

from services.screening.domain.entry import Entry
from services.screening.domain.rules import FAIL, MISSING, PASS, PRIORITY, REVIEW, Finding, Rule
from services.screening.domain.rulesets import CLAUSES, RULESET_VERSION, RULESETS
from services.screening.domain.screening import (
    ELIGIBLE,
    IN_REVIEW,
    INCOMPLETE,
    INELIGIBLE,
    evaluate,
    screen,
    state_of,
)
from tests.entries import full_body

ABSENT = object()  # as a change: take the field out
ALL_STORED = {"promo_video": "stored", "introduction": "stored", "proof": "stored"}
Change = Mapping[str, Any]


def entry(category: str, change: Change | None = None) -> Entry:
    """A complete entry with every material stored, then `change`: dotted field paths, or
    `materials.<kind>` for a material's status."""
    fields, materials = full_body(category), dict(ALL_STORED)
    for path, value in (change or {}).items():
        target: dict[str, Any]
        if path.startswith("materials."):
            target, key = materials, path.removeprefix("materials.")
        else:
            *parents, key = path.split(".")
            target = fields
            for parent in parents:
                target = target[parent]
        if value is ABSENT:
            target.pop(key, None)
        else:
            target[key] = value
    return Entry(category=category, fields=fields, materials=materials, district="巴州区")


def finding(result_findings: tuple[Finding, ...], rule_id: str) -> Finding:
    return next(found for found in result_findings if found.rule == rule_id)


RULES = [(category, rule) for category, rules in RULESETS.items() for rule in rules]


def rules_breaking_to(*outcomes: str) -> list[Any]:
    return [
        pytest.param(category, rule, id=rule.id)
        for category, rule in RULES
        if rule.outcome_if_broken in outcomes
    ]


# The one change that breaks each rule: the same criterion breaks the same way in every
# category, a few are the category's own. Review rules "break" by having nothing to judge.
BREAKS_BY_NAME: dict[str, Change] = {
    "published_on_platform": {"platform_listing_id": ""},
    "ownership_clear": {"ip.ownership_clear": False},
    "no_unresolved_ip_dispute": {"ip.dispute": "unresolved"},
    "technical_level": {"tech_level": "domestic_advanced"},
    # 通江县: another county of 巴中市 than the office's (巴州区).
    "applicant_in_district": {
        "applicant": {"name": "通江某公司", "type": "enterprise", "region_code": "511921"}
    },
    "not_widely_deployed": {"deployment": "widely_deployed"},
    "lawful": {"declarations.lawful": False},
    "statutory_review_done": {"declarations.statutory_review": "pending"},
    "no_state_secret": {"declarations.state_secret": True},
    "promo_video": {"materials.promo_video": "verifying"},
    "introduction": {"materials.introduction": "rejected"},
    "proof": {"materials.proof": "awaiting_upload"},
}
BREAKS_BY_ID: dict[str, Change] = {
    "achievement.led_from_sichuan": {"lead.affiliation_type": "other"},
    "achievement.frontier_breakthrough": {"summary": ABSENT},
    "achievement.maturity": {"summary": ABSENT},
    "achievement.evident_benefit": {"benefits": ABSENT},
    "promotion.enterprise_led": {"lead_enterprise": {"name": "四川大学", "type": "university"}},
    "promotion.research_partner": {"partners": [{"name": "某公司", "type": "enterprise"}]},
    "promotion.agreement_signed": {"agreement_signed": False},
    "promotion.piloted": {"deployment": "lab"},
    "promotion.market_prospects": {"summary": ABSENT, "benefits": ABSENT},
    "promotion.award_or_plan": {
        "awards": [{"name": "巴中市科技进步奖", "level": "city", "year": 2020}],
        "plan_project": "none",
    },
    "challenge.genuine": {"summary": ABSENT},
    "challenge.technical_content": {"summary": ABSENT, "benefits": ABSENT},
    "challenge.not_solved": {"solved": True},
    "challenge.willing_to_cooperate": {"cooperation_mode": "none"},
    "finance.quality_and_fit": {"summary": ABSENT, "benefits": ABSENT},
    "finance.from_financial_institution": {"applicant.type": "enterprise"},
}


def breaking(rule: Rule) -> Change:
    return BREAKS_BY_ID.get(rule.id) or BREAKS_BY_NAME[rule.id.split(".", 1)[1]]


# --- each rule, met and broken ------------------------------------------------------------


def test_every_rule_has_a_change_that_breaks_it() -> None:
    unbroken = []
    for _, rule in RULES:
        try:
            breaking(rule)
        except KeyError:
            unbroken.append(rule.id)
    assert unbroken == []


@pytest.mark.parametrize("category, rule", rules_breaking_to(FAIL, MISSING))
def test_a_complete_entry_meets_every_rule_the_data_can_settle(category: str, rule: Rule) -> None:
    assert rule.outcome(entry(category)) == PASS


@pytest.mark.parametrize("category, rule", rules_breaking_to(FAIL, MISSING))
def test_changing_the_field_a_rule_reads_breaks_it_with_its_outcome(
    category: str, rule: Rule
) -> None:
    assert rule.outcome(entry(category, breaking(rule))) == rule.outcome_if_broken


# Review rules that pass when the data settles them, and ask staff only when it does not.
CONDITIONAL_REVIEWS = ("applicant_in_district",)


@pytest.mark.parametrize(
    "category, rule",
    [p for p in rules_breaking_to(REVIEW) if p.id.split(".", 1)[1] not in CONDITIONAL_REVIEWS],
)
def test_a_review_rule_asks_staff_whenever_there_is_something_to_judge(
    category: str, rule: Rule
) -> None:
    assert rule.check(entry(category)) is False
    assert rule.outcome(entry(category)) == REVIEW


@pytest.mark.parametrize("category, rule", rules_breaking_to(FAIL, MISSING, REVIEW))
def test_a_rule_whose_data_is_absent_reports_missing_not_fail(category: str, rule: Rule) -> None:
    absent = dict.fromkeys(breaking(rule), ABSENT)
    assert rule.outcome(entry(category, absent)) == MISSING


@pytest.mark.parametrize("category, rule", rules_breaking_to(PRIORITY))
def test_a_priority_rule_gives_priority_when_met_and_a_plain_pass_otherwise(
    category: str, rule: Rule
) -> None:
    assert rule.outcome(entry(category)) == PRIORITY
    assert rule.outcome(entry(category, breaking(rule))) == PASS
    assert rule.outcome(entry(category, dict.fromkeys(breaking(rule), ABSENT))) == PASS


def rule(rule_id: str) -> tuple[str, Rule]:
    return next((category, found) for category, found in RULES if found.id == rule_id)


@pytest.mark.parametrize(
    "rule_id, change",
    [
        ("achievement.led_from_sichuan", {"lead.affiliation_type": "institute"}),
        ("achievement.led_from_sichuan", {"lead.affiliation_type": "enterprise"}),
        ("achievement.led_from_sichuan", {"lead.region_code": "511902"}),
        # Who hands the entry in does not matter (domain.md, round 2).
        ("achievement.led_from_sichuan", {"applicant.type": "individual"}),
        ("achievement.led_from_sichuan", {"applicant.type": "society"}),
        ("achievement.led_from_sichuan", {"applicant.type": "workstation"}),
        ("achievement.led_from_sichuan", {"applicant.type": "government"}),
        ("achievement.led_from_sichuan", {"applicant.province": "重庆市"}),
        ("achievement.technical_level", {"tech_level": "international_leading"}),
        ("promotion.technical_level", {"tech_level": "international_leading"}),
        ("achievement.no_unresolved_ip_dispute", {"ip.dispute": "resolved"}),
        ("achievement.technical_level", {"tech_level": "international_advanced"}),
        ("achievement.not_widely_deployed", {"deployment": "lab"}),
        ("achievement.not_widely_deployed", {"deployment": "early_industrialization"}),
        ("achievement.statutory_review_done", {"declarations.statutory_review": "not_required"}),
        ("promotion.research_partner", {"partners": [{"name": "某研究所", "type": "institute"}]}),
        ("promotion.piloted", {"deployment": "early_industrialization"}),
        ("challenge.willing_to_cooperate", {"cooperation_mode": "commissioned"}),
        ("challenge.willing_to_cooperate", {"cooperation_mode": "either"}),
    ],
)
def test_every_accepted_value_meets_the_rule(rule_id: str, change: Change) -> None:
    category, found = rule(rule_id)
    assert found.outcome(entry(category, change)) == PASS


@pytest.mark.parametrize(
    "rule_id, change",
    [
        ("achievement.led_from_sichuan", {"lead.region_code": "500101"}),  # 重庆市万州区
        ("achievement.led_from_sichuan", {"lead.region_code": "110101"}),  # 北京市东城区
        ("achievement.technical_level", {"tech_level": "other"}),
        ("promotion.technical_level", {"tech_level": "domestic_advanced"}),
        ("promotion.enterprise_led", {"lead_enterprise.type": "institute"}),
        ("promotion.enterprise_led", {"lead_enterprise.type": "other"}),
        ("promotion.enterprise_led", {"lead_enterprise.name": " "}),
        ("finance.from_financial_institution", {"applicant.type": "individual"}),
        ("finance.from_financial_institution", {"applicant.type": "government"}),
        ("promotion.research_partner", {"partners": []}),
        ("promotion.piloted", {"deployment": "widely_deployed"}),
        ("finance.published_on_platform", {"platform_listing_id": "   "}),
    ],
)
def test_every_other_value_breaks_the_rule(rule_id: str, change: Change) -> None:
    category, found = rule(rule_id)
    assert found.outcome(entry(category, change)) == FAIL


@pytest.mark.parametrize("status", ["awaiting_upload", "verifying", "rejected", ABSENT])
def test_a_material_counts_only_once_stored(status: object) -> None:
    _, video = rule("achievement.promo_video")
    assert video.outcome(entry("achievement", {"materials.promo_video": status})) == MISSING


@pytest.mark.parametrize(
    "change",
    [
        {"awards": [{"name": "国家科技进步奖", "level": "national", "year": 2019}]},
        {"awards": [], "plan_project": "national"},
        {"awards": ABSENT, "plan_project": "provincial"},
    ],
)
def test_a_national_award_or_an_accepted_plan_project_gives_priority(change: Change) -> None:
    assert screen(entry("promotion", change), window_closed=False).priority is True


def test_a_promotion_with_a_provincial_award_has_priority() -> None:
    result = screen(entry("promotion", {"plan_project": "none"}), window_closed=False)
    assert result.priority is True
    assert finding(result.findings, "promotion.award_or_plan").clause == "二(二)3"


def test_priority_never_changes_the_state() -> None:
    without = {"awards": ABSENT, "plan_project": ABSENT}
    for settled in (None, ELIGIBLE):
        ranked = screen(entry("promotion"), window_closed=False, review_settled=settled)
        plain = screen(entry("promotion", without), window_closed=False, review_settled=settled)
        assert (ranked.priority, plain.priority) == (True, False)
        assert ranked.state == plain.state


# --- the tables against the notice ---------------------------------------------------------


def uncovered(category: str, rules: tuple[Rule, ...]) -> list[str]:
    covered = {clause for rule in rules for clause in rule.clauses}
    return [clause for clause in CLAUSES[category] if clause not in covered]


@pytest.mark.parametrize("category", CLAUSES)
def test_every_clause_of_the_notice_has_a_rule(category: str) -> None:
    assert uncovered(category, RULESETS[category]) == []


@pytest.mark.parametrize(
    "category, rule_id, clause",
    [
        ("finance", "finance.from_financial_institution", "一(二)4"),
        ("achievement", "achievement.applicant_in_district", "前言"),
        ("achievement", "achievement.led_from_sichuan", None),  # 二(一)2: frontier cites it too
    ],
)
def test_the_clause_table_catches_a_clause_left_without_a_rule(
    category: str, rule_id: str, clause: str | None
) -> None:
    fewer = tuple(rule for rule in RULESETS[category] if rule.id != rule_id)
    assert uncovered(category, fewer) == ([clause] if clause else [])


@pytest.mark.parametrize("category", RULESETS)
def test_every_rule_cites_a_clause_of_its_own_category(category: str) -> None:
    assert set(RULESETS) == set(CLAUSES)
    for rule in RULESETS[category]:
        assert rule.id.startswith(f"{category}.")
        assert set(rule.clauses) <= set(CLAUSES[category]), rule.id
        assert re.fullmatch(r"前言|一\(二\)\d|二\([一二三四]\)\d[①-⑦]?", rule.clause), rule.clause


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for _, rule in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "category, kinds",
    [
        ("achievement", {"promo_video", "introduction", "proof"}),
        ("promotion", {"promo_video", "introduction", "proof"}),
        ("challenge", {"promo_video", "introduction"}),
        ("finance", {"promo_video", "introduction"}),
    ],
)
def test_each_category_asks_for_its_own_materials(category: str, kinds: set[str]) -> None:
    asked = {
        rule.id.split(".", 1)[1] for rule in RULESETS[category] if rule.outcome_if_broken == MISSING
    }
    assert asked == kinds


def test_every_message_is_chinese_with_an_english_gloss() -> None:
    for _, rule in RULES:
        assert re.search(r"[\u4e00-\u9fff]", rule.message), rule.id
        assert rule.message_en and rule.message_en.isascii(), rule.id


# --- the entry's state -----------------------------------------------------------------------


@pytest.mark.parametrize("category", RULESETS)
def test_a_complete_entry_waits_in_review_until_staff_settle(category: str) -> None:
    assert screen(entry(category), window_closed=False).state == IN_REVIEW
    assert screen(entry(category), window_closed=True).state == IN_REVIEW


@pytest.mark.parametrize("category", RULESETS)
def test_staff_settling_the_review_decides_a_complete_entry(category: str) -> None:
    assert screen(entry(category), False, review_settled=ELIGIBLE).state == ELIGIBLE
    assert screen(entry(category), False, review_settled=INELIGIBLE).state == INELIGIBLE


def test_a_widely_deployed_achievement_is_ineligible_citing_6_2() -> None:
    result = screen(entry("achievement", {"deployment": "widely_deployed"}), window_closed=False)
    assert result.state == INELIGIBLE
    assert [f.clause for f in result.findings if f.outcome == FAIL] == ["二(一)6②"]
    assert finding(result.findings, "achievement.not_widely_deployed").message == (
        "已经大面积推广的成果不列入本次征集范围"
    )


def test_a_fail_outweighs_missing_material_review_and_a_settlement() -> None:
    change = {"declarations.state_secret": True, "materials.promo_video": ABSENT}
    result = screen(entry("challenge", change), window_closed=False, review_settled=ELIGIBLE)
    assert {f.outcome for f in result.findings} >= {FAIL, MISSING, REVIEW}
    assert result.state == INELIGIBLE


def test_a_missing_material_leaves_the_entry_incomplete_while_the_window_is_open() -> None:
    result = screen(entry("achievement", {"materials.promo_video": ABSENT}), window_closed=False)
    assert result.state == INCOMPLETE


def test_an_achievement_missing_its_video_at_the_deadline_is_ineligible_citing_6_7() -> None:
    result = screen(entry("achievement", {"materials.promo_video": ABSENT}), window_closed=True)
    assert result.state == INELIGIBLE
    # The finding keeps saying what is missing; the closed window is what makes it exclude.
    broken = [
        (f.rule, f.clause, f.outcome) for f in result.findings if f.outcome in (FAIL, MISSING)
    ]
    assert broken == [("achievement.promo_video", "二(一)6⑦", MISSING)]


def test_a_missing_field_excludes_the_entry_only_once_the_window_closes() -> None:
    draft = entry("finance", {"platform_listing_id": ABSENT})
    assert screen(draft, window_closed=False).state == INCOMPLETE
    assert screen(draft, window_closed=True).state == INELIGIBLE


def test_a_settlement_cannot_override_a_fail() -> None:
    broken = entry("promotion", {"agreement_signed": False})
    assert screen(broken, window_closed=False, review_settled=ELIGIBLE).state == INELIGIBLE


def test_a_settlement_cannot_make_an_incomplete_entry_eligible() -> None:
    unfinished = entry("promotion", {"materials.proof": "verifying"})
    assert screen(unfinished, window_closed=False, review_settled=ELIGIBLE).state == INCOMPLETE


def test_an_entry_with_nothing_to_review_and_nothing_broken_is_eligible() -> None:
    passed = [Finding("x.rule", "二(四)1", PASS, "…"), Finding("x.rank", "二(二)3", PRIORITY, "…")]
    assert state_of(passed, window_closed=True) == ELIGIBLE


def test_an_unknown_review_decision_is_refused() -> None:
    with pytest.raises(ValueError):
        screen(entry("finance"), window_closed=False, review_settled="selected")


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError):
        evaluate(Entry(category="patent", fields={}, materials={}, district="巴州区"))


# --- the result -----------------------------------------------------------------------------


@pytest.mark.parametrize("category", RULESETS)
def test_the_result_has_one_finding_per_rule_in_the_tables_order(category: str) -> None:
    result = screen(entry(category), window_closed=False)
    assert [f.rule for f in result.findings] == [rule.id for rule in RULESETS[category]]


def test_the_result_names_the_ruleset_version_it_was_judged_by() -> None:
    assert screen(entry("achievement"), window_closed=False).ruleset == RULESET_VERSION
    assert RULESET_VERSION == "tianfu-2021.2"


def test_the_result_serialises_to_the_screening_response_shape() -> None:
    body = screen(entry("promotion"), window_closed=False).to_dict()
    assert body.keys() == {"state", "ruleset", "findings", "priority"}
    assert body["findings"][0] == {
        "rule": "promotion.enterprise_led",
        "clause": "二(二)1",
        "outcome": PASS,
        "message": "该项目由国内外企业牵头",
        "message_en": "Led by an enterprise",
    }


# --- round 2 of the notice's reading (domain.md) --------------------------------------------


def test_an_individual_may_hand_in_an_achievement_a_sichuan_university_leads() -> None:
    individual = {"applicant.type": "individual", "applicant.name": "王五"}
    result = screen(entry("achievement", individual), window_closed=True)
    assert finding(result.findings, "achievement.led_from_sichuan").outcome == PASS
    assert result.state == IN_REVIEW


@pytest.mark.parametrize("code", ["519999", "999999", 511902])
def test_a_lead_whose_place_is_no_known_code_is_for_review_not_a_fail(code: object) -> None:
    result = screen(entry("achievement", {"lead.region_code": code}), window_closed=True)
    found = finding(result.findings, "achievement.led_from_sichuan")
    assert (found.outcome, found.clause) == (REVIEW, "二(一)2")
    assert "项目负责人所在地无法识别" in found.message
    assert result.state == IN_REVIEW


def test_a_lead_of_another_kind_fails_even_with_an_unknown_place() -> None:
    change = {"lead.affiliation_type": "other", "lead.region_code": "519999"}
    _, led = rule("achievement.led_from_sichuan")
    assert led.outcome(entry("achievement", change)) == FAIL


def test_an_entry_written_before_the_lead_was_asked_for_is_for_review() -> None:
    found = finding(
        evaluate(entry("achievement", {"lead": ABSENT})), "achievement.led_from_sichuan"
    )
    assert found.outcome == REVIEW
    assert "未填写项目负责人" in found.message


def test_promotions_are_not_held_to_a_sichuan_lead() -> None:
    # 二(二)1 takes "国内外企业牵头": no rule of the promotion table reads where the lead is.
    assert not any(r.clause == "二(一)2" for r in RULESETS["promotion"])
    result = screen(entry("promotion", {"lead.region_code": "110101"}), window_closed=False)
    assert [f.rule for f in result.findings if f.outcome == FAIL] == []


@pytest.mark.parametrize("category", ["achievement", "promotion"])
def test_international_leading_meets_the_technical_level(category: str) -> None:
    result = screen(entry(category, {"tech_level": "international_leading"}), False)
    assert finding(result.findings, f"{category}.technical_level").outcome == PASS


def test_an_enterprise_must_lead_a_promotion() -> None:
    _, led = rule("promotion.enterprise_led")
    assert led.outcome(entry("promotion")) == PASS
    university = entry("promotion", {"lead_enterprise": {"name": "四川大学", "type": "university"}})
    assert led.outcome(university) == FAIL


def test_a_lead_enterprise_of_unknown_type_is_for_review() -> None:
    """An entry written when the lead enterprise was a name only, read through the upcast."""
    from services.screening.domain.tracked import Tracked, as_entry

    old = full_body("promotion") | {"lead_enterprise": "巴中某科技有限公司"}
    tracked = Tracked("s-1", district="巴州区", category="promotion", fields=old)
    found = finding(evaluate(as_entry(tracked)), "promotion.enterprise_led")
    assert found.outcome == REVIEW
    assert "牵头单位类型未注明" in found.message


@pytest.mark.parametrize(
    "change, outcome",
    [
        # A university applying for a project an enterprise leads is the technical partner.
        ({"applicant.type": "university", "partners": ABSENT}, PASS),
        ({"applicant.type": "institute", "partners": []}, PASS),
        ({"applicant.type": "university", "partners": [], "lead_enterprise.type": ABSENT}, REVIEW),
        (
            {"applicant.type": "university", "partners": [], "lead_enterprise.type": "university"},
            FAIL,
        ),
        ({"applicant.type": "enterprise", "partners": []}, FAIL),
        ({"applicant.type": "enterprise", "partners": ABSENT}, MISSING),
        ({"applicant.type": "enterprise"}, PASS),  # its partner is a university
    ],
)
def test_the_research_partner_may_be_the_applicant_when_an_enterprise_leads(
    change: Change, outcome: str
) -> None:
    _, partner = rule("promotion.research_partner")
    assert partner.outcome(entry("promotion", change)) == outcome


def test_a_finance_product_not_from_a_financial_institution_is_ineligible_citing_1_2_4() -> None:
    result = screen(entry("finance", {"applicant.type": "enterprise"}), window_closed=False)
    assert result.state == INELIGIBLE
    assert [f.clause for f in result.findings if f.outcome == FAIL] == ["一(二)4"]


def test_maturity_is_for_staff_to_judge() -> None:
    found = finding(evaluate(entry("achievement")), "achievement.maturity")
    assert (found.clause, found.outcome, found.message) == (
        "二(一)3",
        REVIEW,
        "具有较高的技术含量和成熟度",
    )


@pytest.mark.parametrize("category", RULESETS)
@pytest.mark.parametrize(
    "code, outcome, message",
    [
        ("511902", PASS, None),  # the office's own 巴州区
        ("511921", REVIEW, "申报单位不在本区县"),  # 通江县
        ("510107", REVIEW, "申报单位不在本区县"),  # 成都市武侯区
        ("110101", REVIEW, "申报单位不在本区县"),  # 北京市东城区
        ("511900", REVIEW, "申报单位不在本区县"),  # 巴中市 as a whole: which county?
        ("519999", REVIEW, "所在地无法识别"),
        (ABSENT, REVIEW, "所在地无法识别"),  # older entries whose names did not map
    ],
)
def test_an_applicant_outside_the_district_is_for_review_never_a_fail(
    category: str, code: object, outcome: str, message: str | None
) -> None:
    result = screen(entry(category, {"applicant.region_code": code}), window_closed=True)
    found = finding(result.findings, f"{category}.applicant_in_district")
    assert found.outcome == outcome
    if message:
        assert found.message == message
    assert result.state == IN_REVIEW


def test_an_applicant_outside_the_district_of_an_eligible_entry_is_what_staff_review() -> None:
    settled = {"applicant.region_code": "511921"}
    assert screen(entry("finance", settled), False, review_settled=ELIGIBLE).state == ELIGIBLE
