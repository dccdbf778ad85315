"""Who read personal data (issue #24, item 9; 个人信息保护法, GB/T 22239-2019 三级 安全审计):
every download of a document holding people's phones and e-mails is recorded with the person
before it is handed out, and staff admins (only) can list the records."""

from __future__ import annotations

import uuid

import requests

from ops.client import Client
from tests.entries import full_body
from tests.front_door import token
from tests.security.clients import new_admin


def test_downloads_of_personal_data_are_recorded_and_only_admins_list_them(
    base_url: str,
) -> None:
    """Defends against: a clerk or an account taken over quietly carrying off every
    contact's phone number, with no trace of who did."""
    admin_browser, admin = new_admin(base_url)
    script = f"svc:audit-{uuid.uuid4().hex[:6]}"
    staff = token("--role", "staff", "--service-account", script.removeprefix("svc:"))
    office = Client(base_url, token("--role", "office", "--district", "恩阳区"))
    entry = office.create(full_body("challenge") | {"call_id": "demo"})["id"]

    def get(path: str, bearer: str) -> requests.Response:
        return requests.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {bearer}"},
                            timeout=60)  # fmt: skip

    assert get("/api/v1/reports/entries.csv?district=恩阳区", staff).status_code == 200
    assert get(f"/api/v1/submissions/{entry}/receipt.pdf", office.token).status_code == 200
    assert admin_browser.request("GET", "/api/v1/reports/entries.xlsx", admin).status_code == 200

    def records() -> list[dict]:
        listed = admin_browser.request("GET", "/api/v1/reports/access?per_page=50", admin)
        assert listed.status_code == 200, listed.text
        return list(listed.json()["items"])

    # Other tests download beside this one: the records of these three downloads, by who.
    found = records()
    csv = [r for r in found if r["who"]["subject"] == script]
    assert [(r["document"], r["scope"]) for r in csv] == [("summary_csv", {"district": "恩阳区"})]
    receipts = [r for r in found if r["scope"].get("submission_id") == entry]
    assert [(r["document"], r["who"]["district"]) for r in receipts] == [("receipt", "恩阳区")]
    mine = [r for r in found if r["who"]["name"] == "安全测试（市科协）"
            and r["document"] == "summary_xlsx"]  # fmt: skip
    assert mine and mine[0]["document_label"] == "汇总表（Excel）"

    # Nobody else reads the record: not an office, not staff without the admin flag.
    for bearer in (office.token, staff):
        refused = get("/api/v1/reports/access", bearer)
        assert refused.status_code == 403 and "管理员" in refused.json()["error"]["message"]
