"""The console builds its receipt form from `GET /api/v1/catalog`; this checks, over intake's
real HTTP API, that what the catalog says is what intake enforces: every field it marks
required is refused when missing, an entry without the optional ones can be submitted, and
every choice it lists is accepted."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.intake.domain.entry import CATEGORIES
from tests.entries import full_body
from tests.integration.intake_fixtures import Api

BASE = "/api/v1/submissions"


@pytest.fixture
def catalog(intake_api: Api) -> dict[str, Any]:
    response = intake_api.call("GET", "/api/v1/catalog")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _body(category: str) -> dict[str, Any]:
    return full_body(category) | {"call_id": "open-call"}


def _without(body: dict[str, Any], name: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    head, _, key = name.partition(".")
    if name == "applicant.region_code":
        # Place names given without a code are mapped to one: without the code means without
        # what stands for it too.
        for place in ("province", "city", "district"):
            changed[head].pop(place, None)
    if key:
        changed[head].pop(key, None)
    else:
        changed.pop(head, None)
    return changed


def _with(body: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    head, _, key = name.partition(".")
    if head in ("partners", "awards") and key:  # a list item's field: set it on the first item
        changed[head][0][key] = value
    elif key:
        changed[head][key] = value
    else:
        changed[head] = value
    return changed


def _refusals(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    """The fields refused on creating the entry or, when a draft may lack them, on submitting."""
    created = api.call("POST", BASE, json=body)
    if created.status_code == 422:
        return dict(created.json()["error"]["fields"])
    assert created.status_code == 201, created.text
    submitted = api.call("POST", f"{BASE}/{created.json()['id']}/submit")
    assert submitted.status_code == 422, submitted.text
    return dict(submitted.json()["error"]["fields"])


def test_every_role_reads_the_same_catalog_and_a_stranger_none(intake_api: Api) -> None:
    answers = [
        intake_api.call("GET", "/api/v1/catalog", role=role).json()
        for role in ("office", "staff", "operator")
    ]
    assert answers[0] == answers[1] == answers[2]
    assert [c["code"] for c in answers[0]["categories"]] == list(CATEGORIES)
    anonymous = intake_api.call("GET", "/api/v1/catalog", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_required_field_is_refused_when_missing(
    intake_api: Api, catalog: dict[str, Any], category: str
) -> None:
    required = [f["name"] for f in catalog["forms"][category] if f["required"]]
    assert required
    for name in required:
        refused = _refusals(intake_api, _without(_body(category), name))
        assert name in refused, (name, refused)


@pytest.mark.parametrize("category", CATEGORIES)
def test_an_entry_without_the_optional_fields_can_be_submitted(
    intake_api: Api, catalog: dict[str, Any], category: str
) -> None:
    body = _body(category)
    for field in catalog["forms"][category]:
        if not field["required"]:
            body = _without(body, field["name"])
    created = intake_api.call("POST", BASE, json=body)
    assert created.status_code == 201, created.text
    submitted = intake_api.call("POST", f"{BASE}/{created.json()['id']}/submit")
    assert submitted.status_code == 200, submitted.text


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_listed_choice_is_accepted(
    intake_api: Api, catalog: dict[str, Any], category: str
) -> None:
    choices: list[tuple[str, str]] = []
    for field in catalog["forms"][category]:
        items = field.get("item", {}).get("fields", [])
        for name, described in [(field["name"], field)] + [
            (f"{field['name']}.{sub['name']}", sub) for sub in items
        ]:
            choices += [(name, c["code"]) for c in described.get("choices", [])]
    assert choices
    for name, code in choices:
        created = intake_api.call("POST", BASE, json=_with(_body(category), name, code))
        assert created.status_code == 201, (name, code, created.text)
