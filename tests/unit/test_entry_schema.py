"""An entry's fields: which ones each category takes, their values, PATCH merging, submit checks."""

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from services.intake.domain.entry import (
    CATEGORIES,
    OPTIONAL,
    REQUIRED,
    SCHEMAS,
    EntryInvalid,
    load_draft,
    merge,
    missing_for_submit,
)
from tests.entries import full_body

CJK = re.compile(r"[\u4e00-\u9fff]")
THIS_YEAR = datetime.now(timezone(timedelta(hours=8))).year


def errors_of(body: object, category: str | None = None) -> dict[str, list[str]]:
    with pytest.raises(EntryInvalid) as caught:
        load_draft(body, category)
    return caught.value.fields


def with_contact(**contact: Any) -> dict[str, Any]:
    body = full_body("achievement")
    body["contact"] = body["contact"] | contact
    return body


def with_award(**award: Any) -> dict[str, Any]:
    body = full_body("promotion")
    body["awards"] = [body["awards"][0] | award]
    return body


# --- which fields each category takes --------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_complete_body_loads_as_given(category: str) -> None:
    body = full_body(category)
    assert load_draft(body) == body
    assert missing_for_submit(category, load_draft(body)) == {}


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_full_body_uses_exactly_the_fields_the_category_takes(category: str) -> None:
    assert set(full_body(category)) == set(REQUIRED[category]) | set(OPTIONAL[category])
    assert set(SCHEMAS[category]().fields) == set(full_body(category))


@pytest.mark.parametrize("category", CATEGORIES)
def test_submit_names_every_required_field_of_a_bare_draft(category: str) -> None:
    draft = load_draft({"category": category})
    missing = missing_for_submit(category, draft)
    assert set(missing) == set(REQUIRED[category]) - {"category"}
    assert all(messages == ["提交前必须填写"] for messages in missing.values())


def test_the_required_fields_follow_the_api_table() -> None:
    common = {
        "category",
        "title",
        "summary",
        "benefits",
        "applicant",
        "contact",
        "platform_listing_id",
        "declarations",
    }
    supply = {"ip", "lead", "tech_level", "deployment"}
    assert set(REQUIRED["achievement"]) == common | supply
    assert set(REQUIRED["promotion"]) == common | supply | {
        "lead_enterprise",
        "partners",
        "agreement_signed",
    }
    assert set(REQUIRED["challenge"]) == common | {"solved", "cooperation_mode"}
    assert set(REQUIRED["finance"]) == common | {"institution", "product_type"}
    matching = ("industry_codes", "keywords")  # every category, optional (issue #17)
    assert OPTIONAL["promotion"] == ("call_id", *matching, "awards", "plan_project")
    assert OPTIONAL["finance"] == ("call_id", *matching)


@pytest.mark.parametrize("category", ["achievement", "promotion"])
def test_statutory_review_must_be_stated_before_submitting_supply_entries(category: str) -> None:
    fields = full_body(category)
    del fields["declarations"]["statutory_review"]
    assert missing_for_submit(category, fields) == {
        "declarations.statutory_review": ["提交前必须填写"]
    }


@pytest.mark.parametrize("category", ["challenge", "finance"])
def test_statutory_review_is_optional_for_challenge_and_finance(category: str) -> None:
    fields = full_body(category)
    del fields["declarations"]["statutory_review"]
    assert missing_for_submit(category, load_draft(fields)) == {}


def test_submit_names_the_missing_keys_of_an_incomplete_nested_object() -> None:
    fields = full_body("finance")
    fields["applicant"] = {"name": "巴中某银行"}
    assert set(missing_for_submit("finance", fields)) == {"applicant.type", "applicant.region_code"}


def test_a_field_another_category_uses_is_refused() -> None:
    body = full_body("achievement") | {"solved": True, "institution": "某银行"}
    assert errors_of(body) == {
        "solved": ["该类别不使用此字段"],
        "institution": ["该类别不使用此字段"],
    }


def test_promotion_only_fields_are_refused_for_achievement() -> None:
    body = full_body("achievement") | {"awards": [], "plan_project": "none"}
    assert set(errors_of(body)) == {"awards", "plan_project"}


def test_an_unknown_top_level_field_is_refused() -> None:
    assert errors_of(full_body("finance") | {"budget": 100}) == {"budget": ["未知字段"]}


@pytest.mark.parametrize(
    ("field", "path"),
    [("contact", "contact.wechat"), ("declarations", "declarations.wechat")],
)
def test_an_unknown_nested_field_is_refused(field: str, path: str) -> None:
    body = full_body("challenge")
    body[field] = body[field] | {"wechat": "zhang3"}
    assert errors_of(body) == {path: ["未知字段"]}


def test_an_unknown_field_in_a_list_item_is_refused_with_its_index() -> None:
    body = full_body("promotion")
    body["partners"].append({"name": "某研究所", "type": "institute", "role": "lead"})
    assert errors_of(body) == {"partners.1.role": ["未知字段"]}


# --- the body and the category ----------------------------------------------------------------


@pytest.mark.parametrize("body", [[], "x", None, 3])
def test_a_body_that_is_not_an_object_is_refused(body: object) -> None:
    assert errors_of(body) == {"_body": ["请求体必须是 JSON 对象"]}


def test_a_new_entry_needs_a_category() -> None:
    assert errors_of({"title": "某项目"}) == {"category": ["此项必须填写"]}


def test_an_unknown_category_is_refused_and_the_other_fields_still_checked() -> None:
    errors = errors_of({"category": "gadget", "title": ""})
    assert set(errors) == {"category", "title"}
    assert "achievement" in errors["category"][0]


def test_a_patch_changing_the_category_is_refused() -> None:
    assert errors_of({"category": "finance"}, "achievement") == {"category": ["不能修改项目类别"]}


def test_a_patch_repeating_the_category_is_accepted() -> None:
    assert load_draft({"category": "finance", "title": "新标题"}, "finance") == {"title": "新标题"}


def test_a_patch_checks_fields_against_the_entrys_category() -> None:
    assert errors_of({"solved": True}, "finance") == {"solved": ["该类别不使用此字段"]}


def test_a_patch_of_an_unknown_category_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="gadget"):
        load_draft({}, "gadget")


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("13800000000", "13800000000"),
        ("19912345678", "19912345678"),
        ("0827-5223387", "0827-5223387"),
        ("08275223387", "0827-5223387"),
        ("010-12345678", "010-12345678"),
        ("0827-5223387-123", "0827-5223387-123"),
        (" 0827-5223387 ", "0827-5223387"),
    ],
)
def test_valid_phone_numbers_are_accepted_and_stored_in_one_form(phone: str, stored: str) -> None:
    assert load_draft(with_contact(phone=phone))["contact"]["phone"] == stored


@pytest.mark.parametrize(
    "phone",
    ["12800000000", "1380000000", "138000000001", "5223387", "827-5223387", "电话", "0827-52233"],
)
def test_invalid_phone_numbers_are_refused(phone: str) -> None:
    errors = errors_of(with_contact(phone=phone))
    assert list(errors) == ["contact.phone"]
    assert "0827-5223387" in errors["contact.phone"][0]


@pytest.mark.parametrize("email", ["zhang", "zhang@", "@example.cn", ""])
def test_an_invalid_email_is_refused(email: str) -> None:
    assert errors_of(with_contact(email=email)) == {"contact.email": ["请填写有效的电子邮箱"]}


def test_email_is_optional_in_the_contact() -> None:
    body = with_contact()
    del body["contact"]["email"]
    assert "email" not in load_draft(body)["contact"]


@pytest.mark.parametrize("year", [1948, THIS_YEAR + 1])
def test_an_award_year_outside_1949_to_this_year_is_refused(year: int) -> None:
    errors = errors_of(with_award(year=year))
    assert errors == {"awards.0.year": [f"年份须在 1949 到 {THIS_YEAR} 之间"]}


@pytest.mark.parametrize("year", [1949, THIS_YEAR])
def test_an_award_year_at_the_bounds_is_accepted(year: int) -> None:
    assert load_draft(with_award(year=year))["awards"][0]["year"] == year


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"agreement_signed": "true"}, "agreement_signed"),
        ({"agreement_signed": 1}, "agreement_signed"),
        ({"declarations": {"lawful": "yes"}}, "declarations.lawful"),
        ({"awards": [{"name": "奖", "level": "city", "year": "2020"}]}, "awards.0.year"),
        ({"awards": [{"name": "奖", "level": "city", "year": 2020.0}]}, "awards.0.year"),
        ({"awards": [{"name": "奖", "level": "city", "year": True}]}, "awards.0.year"),
        ({"title": 5}, "title"),
        ({"partners": {"name": "四川大学"}}, "partners"),
        ({"contact": "张三 13800000000"}, "contact"),
    ],
)
def test_values_of_the_wrong_json_type_are_refused(patch: dict[str, Any], path: str) -> None:
    assert list(errors_of(patch, "promotion")) == [path]


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("title", "", "title"),
        ("title", "长" * 201, "title"),
        ("summary", "长" * 5001, "summary"),
        ("platform_listing_id", "TFY 2021", "platform_listing_id"),
        ("platform_listing_id", "x" * 101, "platform_listing_id"),
        ("call_id", "", "call_id"),
        ("tech_level", "world_class", "tech_level"),
        ("deployment", "", "deployment"),
        ("applicant", {"type": "company"}, "applicant.type"),
        ("applicant", {"province": "四" * 51}, "applicant.province"),
        ("ip", {"dispute": "pending"}, "ip.dispute"),
        ("ip", {"patents": ["ZL1", ""]}, "ip.patents.1"),
        ("ip", {"patents": ["ZL1"] * 51}, "ip.patents"),
        ("partners", [{"name": "某公司", "type": "bank"}], "partners.0.type"),
        ("partners", [{"name": "某大学", "type": "university"}] * 51, "partners"),
        ("awards", [{"name": "奖", "level": "county", "year": 2020}], "awards.0.level"),
        ("plan_project", "city", "plan_project"),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: Any, path: str) -> None:
    body = full_body("promotion")
    body[field] = body[field] | value if isinstance(value, dict) else value
    assert list(errors_of(body)) == [path]


@pytest.mark.parametrize(
    ("category", "field", "value"),
    [
        ("challenge", "cooperation_mode", "outsourced"),
        ("finance", "product_type", "bond"),
        ("finance", "institution", ""),
    ],
)
def test_out_of_range_category_values_are_refused(category: str, field: str, value: str) -> None:
    assert list(errors_of(full_body(category) | {field: value})) == [field]


def test_chinese_text_is_kept_as_is() -> None:
    title = "  基于“卡脖子”技术的　高端装备  "
    assert load_draft({"category": "challenge", "title": title})["title"] == title


def test_a_nested_object_given_on_create_must_be_complete() -> None:
    errors = errors_of({"category": "finance", "contact": {"name": "张三"}})
    assert errors == {"contact.phone": ["此项必须填写"]}


def test_error_keys_are_dotted_paths() -> None:
    body = full_body("promotion") | {"title": ""}
    body["contact"]["phone"] = "123"
    body["awards"] = [body["awards"][0], {"name": "奖", "level": "city", "year": 1900}]
    assert set(errors_of(body)) == {"title", "contact.phone", "awards.1.year"}


def test_every_message_is_chinese() -> None:
    body = {
        "category": "promotion",
        "title": 5,
        "summary": "",
        "applicant": {"name": None, "type": "x", "extra": 1},
        "contact": {"name": "张三", "phone": "1", "email": "x"},
        "platform_listing_id": "#",
        "declarations": [],
        "tech_level": "x",
        "partners": [{"name": "某公司", "type": "x"}, "x"],
        "agreement_signed": "yes",
        "awards": [{"name": "奖", "level": "city", "year": "2020"}],
        "solved": True,
        "budget": 1,
    }
    errors = errors_of(body)
    assert len(errors) >= 13
    messages = [message for texts in errors.values() for message in texts]
    assert all(CJK.search(message) for message in messages), messages


# --- PATCH: partial objects, null clearing, merging ----------------------------------------


def test_a_patch_may_carry_part_of_a_nested_object() -> None:
    assert load_draft({"contact": {"phone": "0827-5223387"}}, "challenge") == {
        "contact": {"phone": "0827-5223387"}
    }


def test_a_patch_still_needs_whole_list_items() -> None:
    errors = errors_of({"awards": [{"name": "奖"}]}, "promotion")
    assert set(errors) == {"awards.0.level", "awards.0.year"}


def test_a_null_in_a_patch_clears_the_field() -> None:
    assert load_draft({"call_id": None, "title": None}, "finance") == {
        "call_id": None,
        "title": None,
    }


def test_a_null_is_refused_on_create_and_for_fields_the_category_does_not_take() -> None:
    assert errors_of({"category": "finance", "title": None}) == {"title": ["不能为 null"]}
    assert errors_of({"solved": None}, "finance") == {"solved": ["该类别不使用此字段"]}
    assert errors_of({"category": None}, "finance") == {"category": ["不能修改项目类别"]}


def test_merge_merges_nested_objects_key_by_key() -> None:
    current = full_body("achievement")
    patch = load_draft(
        {"contact": {"phone": "0827-5223387"}, "ip": {"dispute": "resolved"}}, "achievement"
    )
    merged = merge(current, patch)
    assert merged["contact"] == current["contact"] | {"phone": "0827-5223387"}
    assert merged["ip"] == current["ip"] | {"dispute": "resolved"}
    assert current["contact"]["phone"] == "13800000000"  # the stored fields are not changed


def test_merge_replaces_lists_and_plain_fields_whole() -> None:
    current = full_body("promotion")
    new_partners = [{"name": "中国科学院成都分院", "type": "institute"}]
    merged = merge(current, {"partners": new_partners, "title": "新标题"})
    assert merged["partners"] == new_partners
    assert merged["title"] == "新标题"


def test_merge_removes_fields_patched_to_null() -> None:
    current = full_body("promotion")
    merged = merge(current, load_draft({"awards": None, "contact": None}, "promotion"))
    assert "awards" not in merged and "contact" not in merged
    assert missing_for_submit("promotion", merged) == {"contact": ["提交前必须填写"]}


def test_merge_adds_a_nested_object_the_entry_did_not_have() -> None:
    merged = merge({"category": "finance"}, {"applicant": {"name": "巴中某银行"}})
    assert merged == {"category": "finance", "applicant": {"name": "巴中某银行"}}
    assert "applicant.type" in missing_for_submit("finance", merged)


@pytest.mark.parametrize("codes", [["A"], ["C", "13"], ["T", "97"], ["01", "43", "96"]])
def test_industry_codes_are_gbt_4754_sections_and_divisions(codes: list[str]) -> None:
    body = {"category": "challenge", "industry_codes": codes}
    assert load_draft(body)["industry_codes"] == codes


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"industry_codes": ["U"]}, "industry_codes.0"),
        ({"industry_codes": ["00"]}, "industry_codes.0"),
        ({"industry_codes": ["98"]}, "industry_codes.0"),
        ({"industry_codes": ["C", "C"]}, "industry_codes"),
        ({"keywords": [f"词{n}" for n in range(9)]}, "keywords"),
        ({"keywords": ["一" * 21]}, "keywords.0"),
        ({"keywords": ["秸秆", "秸秆"]}, "keywords"),
    ],
)
def test_industry_codes_and_keywords_are_checked(body: dict[str, Any], path: str) -> None:
    with pytest.raises(EntryInvalid) as caught:
        load_draft({"category": "achievement", **body})
    assert path in caught.value.fields
