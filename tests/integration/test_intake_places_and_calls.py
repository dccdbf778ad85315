"""Issue #13 through intake's HTTP API: places mapped to codes, phones stored normalised, the
lead required to submit, and GET /api/v1/calls (see intake_fixtures)."""

from __future__ import annotations

from typing import Any

from tests.entries import full_body
from tests.integration.intake_fixtures import Api

BASE = "/api/v1/submissions"


def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.call("POST", BASE, json=body | {"call_id": "open-call"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_names_without_a_code_are_mapped_to_the_region_code(intake_api: Api) -> None:
    body = full_body("finance")
    body["applicant"] = {"name": "巴中某银行", "type": "financial_institution",
                         "province": "四川", "city": "巴中", "district": " 南江县"}  # fmt: skip
    entry = create(intake_api, body)
    assert entry["applicant"]["region_code"] == "511922"
    assert intake_api.call("POST", f"{BASE}/{entry['id']}/submit").status_code == 200

    moved = intake_api.call("PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"2"'},
                            json={"applicant": {"district": "平昌县"}})  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert moved.json()["applicant"]["region_code"] == "511923"


def test_an_unknown_code_is_a_422_and_submit_asks_for_a_missing_one(intake_api: Api) -> None:
    body = full_body("finance")
    body["applicant"] = body["applicant"] | {"region_code": "519999"}
    refused = intake_api.call("POST", BASE, json=body | {"call_id": "open-call"})
    assert refused.status_code == 422
    assert "511902（巴中市巴州区）" in refused.json()["error"]["fields"]["applicant.region_code"][0]

    body["applicant"] = {"name": "巴中某银行", "type": "financial_institution",
                         "province": "四川省", "city": "巴中市", "district": "经开区"}  # fmt: skip
    entry = create(intake_api, body)
    assert "region_code" not in entry["applicant"]
    submitted = intake_api.call("POST", f"{BASE}/{entry['id']}/submit")
    assert submitted.status_code == 422
    assert "applicant.region_code" in submitted.json()["error"]["fields"]


def test_phones_are_stored_normalised(intake_api: Api) -> None:
    body = full_body("challenge")
    body["contact"] = body["contact"] | {"phone": "(0827) 5223387 转 12"}
    entry = create(intake_api, body)
    assert entry["contact"]["phone"] == "0827-5223387-12"
    patched = intake_api.call("PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"1"'},
                              json={"contact": {"phone": "+86 135 4178 5756"}})  # fmt: skip
    assert patched.json()["contact"]["phone"] == "13541785756"
    bad = intake_api.call("PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"2"'},
                          json={"contact": {"phone": "5223387"}})  # fmt: skip
    assert bad.status_code == 422
    assert "(0827)5223387" in bad.json()["error"]["fields"]["contact.phone"][0]


def test_the_lead_is_required_to_submit(intake_api: Api) -> None:
    body = full_body("achievement")
    del body["lead"]
    entry = create(intake_api, body)
    refused = intake_api.call("POST", f"{BASE}/{entry['id']}/submit")
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"lead": ["提交前必须填写"]}

    lead = full_body("achievement")["lead"]
    added = intake_api.call("PATCH", f"{BASE}/{entry['id']}", headers={"If-Match": '"1"'},
                            json={"lead": lead})  # fmt: skip
    assert added.status_code == 200, added.text
    assert intake_api.call("POST", f"{BASE}/{entry['id']}/submit").status_code == 200


def test_a_string_lead_enterprise_is_refused(intake_api: Api) -> None:
    body = full_body("promotion") | {"lead_enterprise": "巴中某科技有限公司"}
    refused = intake_api.call("POST", BASE, json=body | {"call_id": "open-call"})
    assert refused.status_code == 422
    assert '"type"' in refused.json()["error"]["fields"]["lead_enterprise"][0]


def test_an_office_lists_the_calls_its_district_takes_part_in(intake_api: Api) -> None:
    answer = intake_api.call("GET", "/api/v1/calls", district="恩阳区")
    assert answer.status_code == 200, answer.text
    items = {item["id"]: item for item in answer.json()["items"]}
    assert set(items) == {"open-call", "tianfu-2021"}
    open_call, closed = items["open-call"], items["tianfu-2021"]
    assert (open_call["is_open"], closed["is_open"]) == (True, False)
    assert closed["closes_text"] == "2021年11月2日 23:59:59（北京时间）"
    assert closed["closes"] == "2021-11-02T23:59:59+08:00"
    assert open_call["districts"] == [{"code": "511902", "name": "巴州区"},
                                      {"code": "511903", "name": "恩阳区"}]  # fmt: skip
    assert [d["code"] for d in closed["districts"]][-1] == "511923"  # named in the file
    assert open_call["categories"][3] == {"code": "finance", "name": "科技金融创新产品"}
    # Each office its own district's contact, staff the city's (issue #25 item 6).
    assert open_call["contact"]["email"] == "enyang@example.org"
    assert closed["contact"] is None
    bazhou = intake_api.call("GET", "/api/v1/calls", district="巴州区").json()["items"]
    assert [c["contact"]["name"] for c in bazhou if c["id"] == "open-call"] == ["陈训煜"]
    city = intake_api.call("GET", "/api/v1/calls", role="staff").json()["items"]
    assert [c["contact"]["email"] for c in city if c["id"] == "open-call"] == ["city@example.org"]

    elsewhere = intake_api.call("GET", "/api/v1/calls", district="通江县").json()
    assert [item["id"] for item in elsewhere["items"]] == ["tianfu-2021"]
    staff = intake_api.call("GET", "/api/v1/calls", role="staff").json()
    assert staff["total"] == 2
    assert intake_api.call("GET", "/api/v1/calls", role="operator").status_code == 403
    assert intake_api.call("GET", "/api/v1/calls", headers={"Authorization": ""}).status_code == 401
