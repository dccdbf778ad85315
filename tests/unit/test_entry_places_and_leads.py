"""Issue #13's entry fields: places as codes, who leads, 国际领先, the lead enterprise's shape."""

from typing import Any

import pytest

from services.intake.domain import submission as domain
from services.intake.domain.entry import (
    EntryInvalid,
    load_draft,
    merge,
    missing_for_submit,
    with_region_code,
)
from shared.calls import parse
from shared.catalog import submission as catalog
from shared.events import Actor, new_event
from tests.entries import full_body

CALL = parse(
    """
calls:
  - id: tianfu-2021
    title: 首届科创会
    opens: 2021-09-27T00:00:00+08:00
    closes: 2021-11-02T23:59:59+08:00
    categories: [achievement, promotion, challenge, finance]
    districts: ["511902", "511903"]
"""
)["tianfu-2021"]


def errors_of(body: object, category: str | None = None) -> dict[str, list[str]]:
    with pytest.raises(EntryInvalid) as caught:
        load_draft(body, category)
    return caught.value.fields


def with_applicant(**applicant: Any) -> dict[str, Any]:
    body = full_body("finance")
    body["applicant"] = {"name": "巴中某银行", "type": "financial_institution"} | applicant
    return body


def drafted(body: dict[str, Any]) -> dict[str, Any]:
    return domain.draft("s1", "巴州区", CALL, body)["fields"]  # type: ignore[no-any-return]


# --- applicant.region_code --------------------------------------------------------------------


def test_a_known_region_code_is_accepted_without_names() -> None:
    fields = load_draft(with_applicant(region_code="511921"))
    assert fields["applicant"] == {
        "name": "巴中某银行", "type": "financial_institution", "region_code": "511921",
    }  # fmt: skip
    assert missing_for_submit("finance", fields) == {}


@pytest.mark.parametrize("code", ["511999", "51190", "5119021", "巴州区", "51-902"])
def test_an_unknown_or_malformed_region_code_is_refused_in_chinese(code: str) -> None:
    errors = errors_of(with_applicant(region_code=code))
    assert list(errors) == ["applicant.region_code"]
    assert "511902（巴中市巴州区）" in errors["applicant.region_code"][0]


def test_names_that_map_fill_the_region_code_on_create() -> None:
    body = with_applicant(province="四川", city="巴中", district="恩阳区 ")
    assert drafted(body)["applicant"]["region_code"] == "511903"


def test_names_that_do_not_map_leave_the_code_empty_and_submit_asks_for_it() -> None:
    body = with_applicant(province="四川省", city="巴中市", district="经开区")
    fields = drafted(body)
    assert "region_code" not in fields["applicant"]
    missing = missing_for_submit("finance", fields)
    assert list(missing) == ["applicant.region_code"]
    assert "region_code" in missing["applicant.region_code"][0]
    assert "如 511902（巴中市巴州区）" in missing["applicant.region_code"][0]


def test_a_code_given_with_names_is_kept_as_given() -> None:
    body = with_applicant(region_code="511923", province="四川省", city="巴中市", district="巴州区")
    assert drafted(body)["applicant"]["region_code"] == "511923"


def test_a_patch_renaming_the_place_recomputes_the_code() -> None:
    current = full_body("finance")  # 511902, 巴州区
    patch = load_draft({"applicant": {"district": "通江县"}}, "finance")
    fields = with_region_code(merge(current, patch), patch)
    assert fields["applicant"]["region_code"] == "511921"


def test_a_patch_renaming_the_place_to_an_unknown_one_drops_the_stale_code() -> None:
    current = full_body("finance")
    patch = load_draft({"applicant": {"district": "经开区"}}, "finance")
    fields = with_region_code(merge(current, patch), patch)
    assert "region_code" not in fields["applicant"]


def test_a_patch_leaving_the_place_alone_keeps_the_code() -> None:
    current = full_body("finance")
    patch = load_draft({"applicant": {"name": "新名称"}}, "finance")
    assert with_region_code(merge(current, patch), patch)["applicant"]["region_code"] == "511902"


def test_province_city_and_district_are_optional() -> None:
    body = with_applicant(region_code="511902")
    assert "province" not in load_draft(body)["applicant"]


# --- lead (项目负责人) ---------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["achievement", "promotion"])
def test_the_lead_is_required_to_submit_an_achievement_or_a_promotion(category: str) -> None:
    fields = full_body(category)
    del fields["lead"]
    assert missing_for_submit(category, fields) == {"lead": ["提交前必须填写"]}


@pytest.mark.parametrize("category", ["challenge", "finance"])
def test_challenge_and_finance_take_no_lead(category: str) -> None:
    body = full_body(category) | {"lead": full_body("achievement")["lead"]}
    assert errors_of(body) == {"lead": ["该类别不使用此字段"]}


def test_the_lead_s_title_is_optional_and_the_rest_required() -> None:
    lead = {"name": "李四"}
    errors = errors_of(full_body("achievement") | {"lead": lead})
    assert set(errors) == {"lead.affiliation", "lead.affiliation_type"}
    # The place code is asked for on submitting, of a lead in China only (issue #25 item 5).
    body = full_body("achievement")
    in_china = body | {"lead": {k: v for k, v in body["lead"].items() if k != "region_code"}}
    assert set(missing_for_submit("achievement", in_china)) == {"lead.region_code"}


def test_a_lead_abroad_gives_its_country_and_no_place_code() -> None:
    body = full_body("promotion")
    abroad = body["lead"] | {"country": "DE"}
    cleaned = load_draft(body | {"lead": abroad}) | {"category": "promotion"}
    assert missing_for_submit("promotion", with_region_code(cleaned, cleaned)) == {}
    assert "region_code" not in with_region_code(cleaned, cleaned)["lead"]
    assert list(errors_of(body | {"lead": abroad | {"country": "XX"}})) == ["lead.country"]
    assert list(errors_of(body | {"lead": abroad | {"country": "de"}})) == ["lead.country"]


@pytest.mark.parametrize(
    ("change", "path"),
    [({"affiliation_type": "society"}, "lead.affiliation_type"),
     ({"region_code": "519999"}, "lead.region_code"),
     ({"title": ""}, "lead.title")],
)  # fmt: skip
def test_a_wrong_lead_value_is_refused(change: dict[str, str], path: str) -> None:
    body = full_body("promotion")
    body["lead"] = body["lead"] | change
    assert list(errors_of(body)) == [path]


def test_a_patch_merges_the_lead_key_by_key() -> None:
    current = full_body("achievement")
    patch = load_draft({"lead": {"title": "研究员"}}, "achievement")
    assert merge(current, patch)["lead"] == current["lead"] | {"title": "研究员"}


# --- tech_level, lead_enterprise --------------------------------------------------------------


def test_international_leading_is_a_technical_level() -> None:
    body = full_body("achievement") | {"tech_level": "international_leading"}
    assert load_draft(body)["tech_level"] == "international_leading"


@pytest.mark.parametrize("kind", ["enterprise", "university", "institute", "other"])
def test_the_lead_enterprise_is_a_name_and_a_type(kind: str) -> None:
    body = full_body("promotion") | {"lead_enterprise": {"name": "某公司", "type": kind}}
    assert load_draft(body)["lead_enterprise"] == {"name": "某公司", "type": kind}


def test_a_lead_enterprise_written_as_a_string_is_refused_naming_the_new_shape() -> None:
    errors = errors_of(full_body("promotion") | {"lead_enterprise": "巴中某科技有限公司"})
    assert list(errors) == ["lead_enterprise"]
    assert '"name"' in errors["lead_enterprise"][0] and '"type"' in errors["lead_enterprise"][0]


@pytest.mark.parametrize(
    ("value", "path"),
    [({"name": "某公司"}, "lead_enterprise.type"), ({"name": "某公司", "type": "bank"},
      "lead_enterprise.type"), ({"type": "enterprise"}, "lead_enterprise.name")],
)  # fmt: skip
def test_a_lead_enterprise_needs_both_its_name_and_a_known_type(value: Any, path: str) -> None:
    assert list(errors_of(full_body("promotion") | {"lead_enterprise": value})) == [path]


# --- old events fold in today's shape -----------------------------------------------------------


def test_an_entry_folded_from_old_events_reads_in_today_s_shape() -> None:
    old = full_body("promotion") | {"lead_enterprise": "巴中某科技有限公司"}
    old["applicant"] = {k: v for k, v in old["applicant"].items() if k != "region_code"}
    actor = Actor("office", "t", "巴州区")
    drafted_event = new_event(
        catalog.SubmissionDrafted, "submission-s1",
        {"submission_id": "s1", "district": "巴州区", "call_id": CALL.id,
         "category": "promotion", "fields": old}, actor,
    )  # fmt: skip
    entry = domain.replay([drafted_event])
    assert entry is not None
    assert entry.fields["applicant"]["region_code"] == "511902"
    assert entry.fields["lead_enterprise"] == {"name": "巴中某科技有限公司"}
    assert missing_for_submit("promotion", entry.fields) == {
        "lead_enterprise.type": ["提交前必须填写"]
    }
