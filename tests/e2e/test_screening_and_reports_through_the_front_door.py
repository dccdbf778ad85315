"""Staff's side through nginx: an entry's screening, the roll-up and the exported 汇总表 follow
an office's new draft within seconds."""

import io
import time

import openpyxl
import requests

from tests.entries import full_body
from tests.front_door import token


def eventually(check, timeout: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_staff_see_a_new_draft_in_screening_the_roll_up_and_the_export(base_url: str) -> None:
    office = {"Authorization": f"Bearer {token('--role', 'office', '--district', '南江县')}"}
    staff = {"Authorization": f"Bearer {token('--role', 'staff')}"}
    title = f"秸秆综合利用 {time.time_ns()}"
    created = requests.post(f"{base_url}/api/v1/submissions", headers=office, timeout=10,
                            json=full_body("challenge") | {"title": title})  # fmt: skip
    assert created.status_code == 201, created.text
    entry = created.json()["id"]

    screening = f"{base_url}/api/v1/screenings/{entry}"
    seen = eventually(lambda: requests.get(screening, headers=staff, timeout=10))
    assert seen.status_code == 200 and seen.json()["state"] == "pending", seen.text
    refused = requests.post(f"{screening}/review", headers=office, timeout=10,
                            json={"decision": "eligible", "note": "自评"})  # fmt: skip
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    reports = f"{base_url}/api/v1/reports"
    listed = eventually(lambda: requests.get(f"{reports}/entries", headers=staff, timeout=10,
                                             params={"q": title}).json()["items"])  # fmt: skip
    assert [(row["district"], row["state"]) for row in listed] == [("南江县", "draft")]
    summary = requests.get(f"{reports}/summary", headers=office, timeout=10).json()
    assert [d["district"] for d in summary["districts"]] == ["南江县"]  # only its own
    assert summary["districts"][0]["categories"]["challenge"]["draft"] >= 1

    export = requests.get(f"{reports}/entries.xlsx", headers=staff, timeout=30,
                          params={"district": "南江县"})  # fmt: skip
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert title in {cell.value for row in sheet.iter_rows() for cell in row}
