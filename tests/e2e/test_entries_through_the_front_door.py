"""A district office's and staff's work on entries, through nginx, with tokens from the
operator's `kechuang token` (the stack runs the bundled 2021 call, closed since 2021-11-02)."""

import requests

from tests.entries import full_body
from tests.front_door import token


def test_an_office_drafts_and_edits_staff_see_it_and_the_closed_call_refuses_it(
    base_url: str,
) -> None:
    office = {"Authorization": f"Bearer {token('--role', 'office', '--district', '巴州区')}"}
    neighbour = {"Authorization": f"Bearer {token('--role', 'office', '--district', '恩阳区')}"}
    staff = {"Authorization": f"Bearer {token('--role', 'staff')}"}
    api = f"{base_url}/api/v1/submissions"

    created = requests.post(api, json=full_body("promotion"), headers=office, timeout=10)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["district"] == "巴州区" and entry["call_id"] == "tianfu-2021"

    edited = requests.patch(
        f"{api}/{entry['id']}", json={"title": "改进的钙钛矿电池"},
        headers=office | {"If-Match": created.headers["ETag"]}, timeout=10,
    )  # fmt: skip
    assert edited.status_code == 200 and edited.json()["version"] == 2

    late = requests.post(f"{api}/{entry['id']}/submit", headers=office, timeout=10)
    assert late.status_code == 409 and late.json()["error"]["code"] == "call_closed"

    assert requests.get(f"{api}/{entry['id']}", headers=neighbour, timeout=10).status_code == 404
    seen = requests.get(
        api, params={"district": "巴州区", "per_page": 500}, headers=staff, timeout=10
    )
    assert entry["id"] in {item["id"] for item in seen.json()["items"]}

    spec = requests.get(f"{base_url}/api/v1/openapi.json", timeout=10)
    assert spec.status_code == 200 and "/api/v1/submissions" in spec.json()["paths"]
