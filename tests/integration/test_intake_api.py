"""Intake's entries API over real HTTP, PostgreSQL and RabbitMQ (see intake_fixtures)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
from sqlalchemy import create_engine

from ops import openapi, schema
from shared.catalog.screening import SelectionRecorded
from shared.catalog.screening import stream_id as screening_stream
from shared.events import new_event
from shared.eventstore import EventStore
from tests.entries import full_body
from tests.integration.helpers import drain, relay_process, wait_until
from tests.integration.intake_fixtures import Api

BASE = "/api/v1/submissions"


def body(category: str = "achievement", **changes) -> dict:  # type: ignore[no-untyped-def]
    return full_body(category) | {"call_id": "open-call"} | changes


def create(api: Api, district: str = "巴州区", **changes) -> dict:  # type: ignore[no-untyped-def]
    response = api.call("POST", BASE, district=district, json=body(**changes))
    assert response.status_code == 201, response.text
    return response.json()


def error(response) -> dict:  # type: ignore[no-untyped-def]
    payload = response.json()
    assert set(payload) == {"error"} and {"code", "message", "fields"} <= set(payload["error"])
    return payload["error"]


def test_an_office_drafts_edits_submits_and_reads_the_history(intake_api: Api) -> None:
    draft = create(intake_api, title="初稿")
    assert (draft["status"], draft["version"], draft["district"]) == ("draft", 1, "巴州区")
    assert draft["call_id"] == "open-call" and draft["materials"] == []

    edited = intake_api.call(
        "PATCH",
        f"{BASE}/{draft['id']}",
        headers={"If-Match": '"1"'},
        json={"title": "高效钙钛矿电池", "contact": {"phone": "0827-5223387"}},
    )
    assert edited.status_code == 200, edited.text
    assert edited.headers["ETag"] == '"2"'
    assert edited.json()["title"] == "高效钙钛矿电池"
    assert edited.json()["contact"]["name"] == "张三"  # nested objects merge

    submitted = intake_api.call("POST", f"{BASE}/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"

    history = intake_api.call("GET", f"{BASE}/{draft['id']}/history").json()["items"]
    assert [e["type"] for e in history] == [
        "SubmissionDrafted", "SubmissionUpdated", "SubmissionSubmitted",
    ]  # fmt: skip
    assert [e["version"] for e in history] == [1, 2, 3]
    assert history[0]["actor"] == {"role": "office", "subject": "test-office", "district": "巴州区"}

    listed = intake_api.call("GET", BASE, params={"status": "submitted"}).json()
    assert [item["id"] for item in listed["items"]] == [draft["id"]]
    assert (listed["total"], listed["page"], listed["per_page"]) == (1, 1, 50)


def test_another_districts_office_gets_404_and_sees_nothing(intake_api: Api) -> None:
    mine = create(intake_api, district="巴州区")
    path = f"{BASE}/{mine['id']}"
    for method, suffix, kwargs in (
        ("GET", "", {}),
        ("PATCH", "", {"json": {"title": "x"}, "headers": {"If-Match": '"1"'}}),
        ("POST", "/submit", {}),
        ("POST", "/withdraw", {}),
        ("GET", "/history", {}),
    ):
        response = intake_api.call(method, path + suffix, district="恩阳区", **kwargs)
        assert response.status_code == 404, (method, suffix, response.text)
        assert error(response)["code"] == "not_found"
    theirs = intake_api.call("GET", BASE, district="恩阳区").json()
    assert theirs["total"] == 0
    asking = intake_api.call("GET", BASE, district="恩阳区", params={"district": "巴州区"}).json()
    assert asking["total"] == 0
    assert intake_api.call("GET", BASE, role="staff").json()["total"] == 1


def test_twenty_concurrent_patches_at_one_version_let_exactly_one_through(intake_api: Api) -> None:
    entry = create(intake_api)

    def patch(n: int) -> int:
        return intake_api.call(
            "PATCH",
            f"{BASE}/{entry['id']}",
            headers={"If-Match": '"1"'},
            json={"title": f"版本 {n}"},
        ).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = sorted(pool.map(patch, range(20)))
    assert codes == [200] + [409] * 19
    assert intake_api.call("GET", f"{BASE}/{entry['id']}").json()["version"] == 2


def test_concurrent_retries_with_one_idempotency_key_create_one_entry(intake_api: Api) -> None:
    headers = {"Idempotency-Key": "retry-me-1"}

    def post(_: int):  # type: ignore[no-untyped-def]
        return intake_api.call("POST", BASE, headers=headers, json=body(title="重试"))

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(10)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert intake_api.call("GET", BASE).json()["total"] == 1

    other = intake_api.call("POST", BASE, headers=headers, json=body(title="另一个"))
    assert other.status_code == 422 and "Idempotency-Key" in error(other)["fields"]


def test_submitting_after_the_deadline_is_call_closed(intake_api: Api) -> None:
    entry = create(intake_api, call_id="tianfu-2021")  # the 2021 call closed 2021-11-02
    response = intake_api.call("POST", f"{BASE}/{entry['id']}/submit")
    assert response.status_code == 409
    assert error(response)["code"] == "call_closed"


def test_submit_names_every_missing_field(intake_api: Api) -> None:
    response = intake_api.call("POST", BASE, json={"category": "challenge", "title": "难题"})
    assert response.status_code == 201, response.text  # only one call is open: call_id may go
    submitted = intake_api.call("POST", f"{BASE}/{response.json()['id']}/submit")
    assert submitted.status_code == 422
    missing = set(error(submitted)["fields"])
    assert missing == {
        "summary", "benefits", "applicant", "contact", "platform_listing_id", "declarations",
        "solved", "cooperation_mode",
    }  # fmt: skip


def test_a_district_outside_the_call_is_forbidden(intake_api: Api) -> None:
    response = intake_api.call("POST", BASE, district="通江县", json=body())
    assert response.status_code == 403 and error(response)["code"] == "forbidden"


def test_withdraw_then_no_more_changes(intake_api: Api) -> None:
    entry = create(intake_api)
    assert intake_api.call("POST", f"{BASE}/{entry['id']}/withdraw").status_code == 200
    again = intake_api.call("POST", f"{BASE}/{entry['id']}/withdraw")
    assert again.status_code == 409 and error(again)["code"] == "invalid_state"
    patch = intake_api.call(
        "PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"2"'}, json={"title": "x"}
    )
    assert patch.status_code == 409 and error(patch)["code"] == "invalid_state"


def test_only_staff_assign_the_service_officer(intake_api: Api) -> None:
    entry = create(intake_api)
    path = f"{BASE}/{entry['id']}/service-officer"
    officer = {"name": "李保姆", "phone": "13900000000"}
    assert intake_api.call("POST", path, json=officer).status_code == 403
    assigned = intake_api.call("POST", path, role="staff", json=officer)
    assert assigned.status_code == 200 and assigned.json()["officer"] == officer
    bad = intake_api.call("POST", path, role="staff", json={"name": "李", "phone": "12"})
    assert bad.status_code == 422 and "phone" in error(bad)["fields"]


@pytest.mark.parametrize(
    "role, method, suffix",
    [("staff", "PATCH", ""), ("staff", "POST", "/submit"), ("operator", "GET", "")],
)
def test_roles_other_than_the_office_cannot_change_entries(
    intake_api: Api, role: str, method: str, suffix: str
) -> None:
    entry = create(intake_api)
    response = intake_api.call(
        method,
        f"{BASE}/{entry['id']}{suffix}",
        role=role,
        headers={"If-Match": '"1"'},
        json={"title": "x"},
    )
    assert response.status_code == 403 and error(response)["code"] == "forbidden"


def test_bad_tokens_are_401(intake_api: Api) -> None:
    from shared.auth import new_key_pair

    other_private, _ = new_key_pair()
    claims = {"sub": "x", "role": "staff", "iss": "kechuang", "iat": 1, "exp": 4102444800}
    forged = {
        "missing": None,
        "garbage": "not-a-jwt",
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the public key as secret": jwt.encode(claims, "x" * 32, algorithm="HS256"),
        "another key": Api("", other_private).token("staff", None),
        "expired": intake_api.token("staff", None, ttl=-10),
    }
    for name, token in forged.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {"Authorization": ""}
        response = intake_api.call("GET", BASE, headers=headers)
        assert response.status_code == 401, name
        assert error(response)["code"] == "unauthorized", name


def test_bad_input_gets_a_clear_4xx_in_the_documented_shape(intake_api: Api) -> None:
    entry = create(intake_api)
    path = f"{BASE}/{entry['id']}"
    cases = [
        ("malformed JSON", "POST", BASE, {"data": b'{"category": ', "headers": {
            "Content-Type": "application/json"}}, 422),
        ("wrong content type", "POST", BASE, {"data": b"category=x", "headers": {
            "Content-Type": "application/x-www-form-urlencoded"}}, 415),
        ("over 1 MiB", "POST", BASE, {"json": body(summary="字" * 400_000)}, 413),
        ("unknown field", "POST", BASE, {"json": body(colour="red")}, 422),
        ("wrong type", "POST", BASE, {"json": body(title=5)}, 422),
        ("not an object", "POST", BASE, {"json": ["a"]}, 422),
        ("unknown category", "POST", BASE, {"json": body(category="gadget")}, 422),
        ("no If-Match", "PATCH", path, {"json": {"title": "x"}}, 428),
        ("stale If-Match", "PATCH", path, {"json": {"title": "x"}, "headers": {
            "If-Match": '"7"'}}, 409),
        ("bad If-Match", "PATCH", path, {"json": {"title": "x"}, "headers": {
            "If-Match": "abc"}}, 422),
        ("not a uuid", "GET", f"{BASE}/../etc", {}, 404),
        ("unknown id", "GET", f"{BASE}/00000000-0000-0000-0000-000000000000", {}, 404),
        ("bad page", "GET", BASE, {"params": {"per_page": 501}}, 422),
        ("bad filter", "GET", BASE, {"params": {"status": "lost"}}, 422),
        ("unknown path", "GET", "/api/v1/nothing-here", {}, 404),
    ]  # fmt: skip
    for name, method, url, kwargs, status in cases:
        response = intake_api.call(method, url, **kwargs)
        assert response.status_code == status, (name, response.status_code, response.text)
        error(response)
    stale = intake_api.call("PATCH", path, headers={"If-Match": '"7"'}, json={"title": "x"}).json()[
        "error"
    ]
    assert stale["current_version"] == 1


def test_every_event_is_in_the_history_and_on_the_exchange(
    intake_api: Api, broker, database_url: str, tmp_path: Path
) -> None:
    queue = broker.declare_queue("intake-events", ["submission"])
    entry = create(intake_api)
    intake_api.call(
        "PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"1"'}, json={"title": "改"}
    )
    intake_api.call("POST", f"{BASE}/{entry['id']}/submit")
    history = intake_api.call("GET", f"{BASE}/{entry['id']}/history").json()["items"]
    published: list[dict] = []
    with relay_process(broker, database_url, tmp_path / "relay.log"):
        wait_until(
            lambda: published.extend(drain(broker, queue)) or len(published) >= 3,
            message="3 events published",
        )
    assert [m["event_id"] for m in published] == [e["event_id"] for e in history]
    assert {m["stream_id"] for m in published} == {f"submission-{entry['id']}"}


def test_the_openapi_document_describes_the_entries_paths(intake_api: Api) -> None:
    response = intake_api.call("GET", "/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.text)
    assert response.content == openapi.document().encode()  # the file ops.openapi wrote
    assert document["openapi"].startswith("3.")
    assert "/api/v1/submissions/{submission_id}/submit" in document["paths"]
    assert "AchievementEntry" in document["components"]["schemas"]


def test_an_entry_the_city_selected_cannot_be_withdrawn(
    intake_api: Api, broker, other_database_url: str, tmp_path: Path
) -> None:
    """Screening's SelectionRecorded travels its store, its relay and the broker to intake."""
    entry = create(intake_api)
    assert intake_api.call("POST", f"{BASE}/{entry['id']}/submit").status_code == 200

    schema.upgrade(other_database_url, "screening")
    screening = EventStore(create_engine(other_database_url))
    selected = new_event(
        SelectionRecorded, screening_stream(entry["id"]),
        {"submission_id": entry["id"], "decision": "selected", "note": "推荐省级"},
    )  # fmt: skip
    with screening.engine.begin() as conn:
        screening.append(conn, selected.stream_id, [selected], expected_version=0)
    with relay_process(broker, other_database_url, tmp_path / "relay.log", service="screening"):
        wait_until(
            lambda: intake_api.call("GET", f"{BASE}/{entry['id']}").json()["selected"],
            message="intake learns of the selection",
        )
    screening.engine.dispose()
    refused = intake_api.call("POST", f"{BASE}/{entry['id']}/withdraw")
    assert refused.status_code == 409 and error(refused)["code"] == "invalid_state"
    listed = intake_api.call("GET", BASE).json()["items"]
    assert [item["selected"] for item in listed] == [True]


@pytest.mark.parametrize(
    ("kind", "label"),
    [("public_institution", "事业单位"), ("other_organization", "其他组织"),
     ("society", "学（协）会")],
)  # fmt: skip
def test_a_public_institution_or_another_organisation_hands_an_entry_in(
    intake_api: Api, kind: str, label: str
) -> None:
    """Issue #25 item 4: the notice addresses 企（事业）单位、学（协）会 (前言, 一(二)3): a
    hospital or school run as a public institution applies as 事业单位, and so does any other
    organisation; 学会 and 协会 are one type, labelled as the notice names it. The console's
    form offers them (the catalog, which the receipt and the 汇总表 label by too)."""
    body = full_body("achievement") | {"call_id": "open-call"}
    body["applicant"] = body["applicant"] | {"type": kind, "name": "巴中市中心医院"}
    created = intake_api.call("POST", BASE, json=body)
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    submitted = intake_api.call("POST", f"{BASE}/{entry}/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["applicant"]["type"] == kind
    catalog = intake_api.call("GET", "/api/v1/catalog").json()
    (field,) = [f for f in catalog["forms"]["achievement"] if f["name"] == "applicant.type"]
    assert {"code": kind, "label": label} in field["choices"]


def test_an_office_proposes_its_service_officer_and_staff_confirm_it(intake_api: Api) -> None:
    """Issue #25 item 8: the notice promises a 保姆 for every project; an office proposes its
    own for its entry, staff confirm it by assigning, which settles the proposal."""
    created = intake_api.call(
        "POST", BASE, json=full_body("achievement") | {"call_id": "open-call"}
    )
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    path = f"{BASE}/{entry}/service-officer/proposal"
    proposal = {"name": "王保姆", "phone": "13900000001"}
    assert intake_api.call("POST", path, role="staff", json=proposal).status_code == 403
    assert intake_api.call("POST", path, district="恩阳区", json=proposal).status_code == 404
    bad = intake_api.call("POST", path, json={"name": "王保姆", "phone": "12"})
    assert bad.status_code == 422 and "phone" in bad.json()["error"]["fields"]
    proposed = intake_api.call("POST", path, json=proposal)
    assert proposed.status_code == 200, proposed.text
    shown = proposed.json()
    assert shown["officer"] is None
    assert (shown["officer_proposal"]["name"], shown["officer_proposal"]["phone"]) == (
        "王保姆", "13900000001",
    )  # fmt: skip
    listed = intake_api.call("GET", BASE, role="staff").json()["items"]
    assert [e["officer_proposal"]["name"] for e in listed if e["id"] == entry] == ["王保姆"]
    confirmed = intake_api.call("POST", f"{BASE}/{entry}/service-officer", role="staff",
                                json=proposal)  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["officer"] == proposal
    assert confirmed.json()["officer_proposal"] is None
    kinds = [e["type"] for e in intake_api.call("GET", f"{BASE}/{entry}/history").json()["items"]]
    assert kinds[-2:] == ["ServiceOfficerProposed", "ServiceOfficerAssigned"]
