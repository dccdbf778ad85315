"""The catalog the console builds its form and labels from is derived from intake's entry
schemas: the fields, required marks, choices and lengths it reports are the ones the schemas
enforce, and every one has a Chinese label."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake import receipt
from services.intake.catalog import catalog
from services.intake.domain.entry import (
    CATEGORIES,
    NESTED_OBJECTS,
    SCHEMAS,
    EntryInvalid,
    EntrySchema,
    load_draft,
    missing_for_submit,
)
from shared.catalog import vocabulary


def _form(category: str) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in catalog()["forms"][category]}


def _nested(name: str, value: Any) -> dict[str, Any]:
    """A body holding `value` at the dotted `name`."""
    head, _, key = name.partition(".")
    return {head: {key: value}} if key else {head: value}


def test_the_vocabulary_lists_every_code_with_a_label() -> None:
    answer = catalog()
    assert [c["code"] for c in answer["categories"]] == list(CATEGORIES)
    assert [k["code"] for k in answer["material_kinds"]] == list(vocabulary.MATERIAL_KINDS)
    assert [s["code"] for s in answer["states"]][:2] == ["draft", "submitted"]
    for table in ("categories", "material_kinds", "states"):
        assert all(item["label"] for item in answer[table]), table
    assert set(answer["forms"]) == set(CATEGORIES)


def test_the_form_order_covers_every_field_of_the_entry_once() -> None:
    assert len(set(receipt.ORDER)) == len(receipt.ORDER)
    assert set(receipt.ORDER) | set(receipt.NOT_ON_FORM) == set(EntrySchema().fields)
    assert not set(receipt.ORDER) & set(receipt.NOT_ON_FORM)


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_category_form_has_exactly_the_fields_its_schema_takes(category: str) -> None:
    tops = {name.partition(".")[0] for name in _form(category)}
    assert tops == set(SCHEMAS[category]().fields) - set(receipt.NOT_ON_FORM)


@pytest.mark.parametrize("category", CATEGORIES)
def test_required_marks_are_what_submitting_asks_for(category: str) -> None:
    form = _form(category)
    required = {name for name, field in form.items() if field["required"]}
    # An empty entry misses every required top-level field; empty nested objects name the
    # required keys inside them.
    objects = {name.partition(".")[0] for name in form if "." in name}
    asked = set(missing_for_submit(category, {})) - set(receipt.NOT_ON_FORM) - objects
    asked |= set(missing_for_submit(category, dict.fromkeys(objects, {}))) - set(
        missing_for_submit(category, {})
    )
    assert required == asked


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_listed_choice_is_accepted_and_nothing_else(category: str) -> None:
    for name, field in _form(category).items():
        subs = [(f"{name}.{s['name']}", s) for s in field.get("item", {}).get("fields", [])]
        for path, described in [(name, field), *subs]:
            if described["type"] != "choice":
                continue
            for choice in described["choices"]:
                assert choice["label"], (path, choice)
                load_draft(_body(path, choice["code"]), category)
            with pytest.raises(EntryInvalid):
                load_draft(_body(path, "no-such-choice"), category)


def _body(path: str, value: Any) -> dict[str, Any]:
    """A PATCH body (nested objects may be partial) with `value` at `path`; a list item's field
    goes in a one-item list whose other fields are valid."""
    if path == "partners.type":
        return {"partners": [{"name": "四川大学", "type": value}]}
    if path == "awards.level":
        return {"awards": [{"name": "四川省科技进步奖", "level": value, "year": 2020}]}
    return _nested(path, value)


@pytest.mark.parametrize("category", CATEGORIES)
def test_max_lengths_are_the_schemas(category: str) -> None:
    for name, field in _form(category).items():
        limit = field.get("max_length")
        if field["type"] != "text" or limit is None:
            continue
        value = "a" * limit  # letters only: platform_listing_id takes nothing else
        load_draft(_nested(name, value), category)
        with pytest.raises(EntryInvalid):
            load_draft(_nested(name, value + "a"), category)


def test_every_label_is_used_and_every_field_has_one() -> None:
    used = set(NESTED_OBJECTS)  # the nested objects' own labels, for messages
    for category in CATEGORIES:
        for name, field in _form(category).items():
            assert field["label"], name
            used.add(name)
            used |= {f"{name}.{s['name']}" for s in field.get("item", {}).get("fields", [])}
    assert set(receipt.LABELS) == used
    assert set(receipt.CHOICE_LABELS) <= used


def test_types_follow_the_field_declarations() -> None:
    form = _form("promotion")
    assert form["contact.phone"]["type"] == "phone"
    assert form["contact.email"]["type"] == "email"
    assert form["declarations.lawful"]["type"] == "boolean"
    assert form["ip.patents"]["item"] == {"type": "text", "max_length": 100}
    awards = {f["name"]: f for f in form["awards"]["item"]["fields"]}
    assert awards["year"]["type"] == "integer" and awards["year"]["required"]
    assert [f["name"] for f in form["partners"]["item"]["fields"]] == ["name", "type"]
    # statutory review is required only where the notice asks for it (二(一)6④)
    assert _form("achievement")["declarations.statutory_review"]["required"]
    assert not _form("finance")["declarations.statutory_review"]["required"]


def test_the_labels_are_the_vocabulary_the_reports_print() -> None:
    answer = catalog()
    for table, printed in (
        ("categories", vocabulary.CATEGORY_LABELS),
        ("material_kinds", vocabulary.MATERIAL_KIND_LABELS),
        ("states", vocabulary.STATE_LABELS),
    ):
        assert {i["code"]: i["label"] for i in answer[table]} == printed, table
    assert [s["code"] for s in answer["states"]] == list(vocabulary.STATES)


def test_region_codes_are_picked_from_sichuan_s_places() -> None:
    form = _form("achievement")
    assert form["applicant.region_code"]["type"] == "region"
    assert form["applicant.region_code"]["required"]  # asked for on submitting
    assert form["lead.region_code"]["type"] == "region"
    places = {p["code"]: p["name"] for p in catalog()["regions"]}
    assert places["511902"] == "四川省巴中市巴州区"
    assert places["510000"] == "四川省"
    assert all(code.startswith("51") for code in places)
    assert "110101" not in places


def test_the_new_fields_of_issue_13_are_on_the_form() -> None:
    promotion = _form("promotion")
    affiliation = promotion["lead.affiliation_type"]["choices"]
    assert affiliation[0] == {"code": "university", "label": "高校"}
    assert promotion["lead_enterprise.type"]["type"] == "choice"
    assert promotion["lead_enterprise.name"]["required"]
    levels = {c["code"]: c["label"] for c in promotion["tech_level"]["choices"]}
    assert levels["international_leading"] == "国际领先"
    assert "lead.name" not in _form("finance")
