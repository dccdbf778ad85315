"""A person cut off by identity is refused by every service within a second, with the token
they already hold (no service asks identity per request: each applies identity's events to
its own revocation view). Intake, media, screening and reporting run in this process on one
broker and key pair, beside identity and its relay; so does the person's entry, whose history
names them ("张三（巴州区科协）"). No password appears in any log line."""

from __future__ import annotations

import io
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from ops import schema
from services.reporting.service import ReportingService
from services.screening.service import ScreeningService
from tests.entries import full_body
from tests.integration.conftest import throwaway_database
from tests.integration.helpers import wait_until
from tests.integration.identity_fixtures import INITIAL, PASSWORD, People
from tests.integration.intake_fixtures import free_port
from tests.integration.media_fixtures import MediaApi

pytestmark = pytest.mark.integration


@pytest.fixture
def four(
    media_api: MediaApi, identity_api: People, broker, monkeypatch
) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Every service's base URL: intake and media (media_api), screening and reporting."""
    from nameko.containers import ServiceContainer

    bases = {"intake": media_api.api.base, "media": media_api.media.base}
    containers = []
    with throwaway_database() as screening_url, throwaway_database() as reporting_url:
        schema.upgrade(screening_url, "screening")
        schema.upgrade(reporting_url, "reporting")
        monkeypatch.setenv("KECHUANG_DB_URL_SCREENING", screening_url)
        monkeypatch.setenv("KECHUANG_DB_URL_REPORTING", reporting_url)
        for name, cls in (("screening", ScreeningService), ("reporting", ReportingService)):
            port = free_port()
            address = f"127.0.0.1:{port}"
            settings = {"AMQP_URI": broker.uri, "serializer": "json", "WEB_SERVER_ADDRESS": address}
            container = ServiceContainer(cls, settings)
            container.start()
            containers.append(container)
            bases[name] = f"http://127.0.0.1:{port}"
        try:
            yield bases
        finally:
            for container in containers:
                container.stop()


def _probes(bases: dict[str, str]) -> dict[str, str]:
    """A read each service answers an office's token with (200, or 404 for an unknown id)."""
    nobody = str(uuid.uuid4())
    return {
        "intake": f"{bases['intake']}/api/v1/submissions",
        "media": f"{bases['media']}/api/v1/materials/{nobody}",
        "screening": f"{bases['screening']}/api/v1/screenings/{nobody}",
        "reporting": f"{bases['reporting']}/api/v1/reports/summary",
    }


def _statuses(urls: dict[str, str], token: str) -> dict[str, int]:
    headers = People.bearer(token)
    return {name: requests.get(url, headers=headers, timeout=10).status_code
            for name, url in urls.items()}  # fmt: skip


def test_a_disabled_person_is_refused_by_every_service_within_a_second(
    four: dict[str, str], identity_api: People, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = identity_api.add("zhangsan", name="张三")
    token = identity_api.token("zhangsan")
    urls = _probes(four)
    # Every view warm (not 503) and the token good everywhere.

    def answered() -> dict[str, int] | None:
        found = _statuses(urls, token)
        return found if 503 not in found.values() else None

    warm = wait_until(answered, 20, "every service's revocation view")
    assert 401 not in warm.values(), warm

    # Who did what: the person's entry names them in its history.
    headers = People.bearer(token)
    body = {**full_body("achievement"), "call_id": "open-call"}
    created = requests.post(f"{four['intake']}/api/v1/submissions", headers=headers,
                            json=body, timeout=10)  # fmt: skip
    assert created.status_code == 201, created.text
    history = requests.get(f"{four['intake']}/api/v1/submissions/{created.json()['id']}/history",
                           headers=headers, timeout=10).json()  # fmt: skip
    actor = history["items"][0]["actor"]
    assert actor["person_id"] == person["person_id"] and actor["label"] == "张三（巴州区科协）"
    entry_id = created.json()["id"]
    submitted = requests.post(f"{four['intake']}/api/v1/submissions/{entry_id}/submit",
                              headers=headers, timeout=10)  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    staff = identity_api.operator.headers("staff", None)
    reports = f"{four['reporting']}/api/v1/reports/entries"

    def reported() -> dict | None:
        items = requests.get(reports, headers=staff, timeout=10).json()["items"]
        return next((i for i in items if i["submission_id"] == entry_id
                     and i["submitted_by"]), None)  # fmt: skip

    assert wait_until(reported, 30, "reporting to fold the submission")["submitted_by"] == (
        "张三（巴州区科协）")  # fmt: skip
    sheet = load_workbook(io.BytesIO(requests.get(f"{reports}.xlsx", headers=staff,
                                                  timeout=30).content))["汇总表"]  # fmt: skip
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] == "序号")
    by, number = header.index("填报人"), header.index("项目编号")
    assert any(row[by] == "张三（巴州区科协）" for row in rows if row and row[number] == entry_id)

    operator = identity_api.operator.headers("operator")
    disabled = identity_api.request("POST", f"/api/v1/accounts/{person['person_id']}/disable",
                                    headers=operator)  # fmt: skip
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    started = time.monotonic()
    refused: dict[str, float] = {}
    while len(refused) < len(urls) and time.monotonic() - started < 5:
        for name, status in _statuses(urls, token).items():
            if status == 401 and name not in refused:
                refused[name] = time.monotonic() - started
        time.sleep(0.02)
    assert set(refused) == set(urls), refused
    assert max(refused.values()) < 1.0, refused
    assert identity_api.sign_in("zhangsan").status_code == 401  # and no new sign-in

    # The password was never written into a log line, nor a token.
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    assert PASSWORD not in logged and INITIAL not in logged and token not in logged
    relay_log = Path(str(identity_api.relay_log)) if identity_api.relay_log else None
    if relay_log and relay_log.exists():
        relayed = relay_log.read_text(encoding="utf-8", errors="replace")
        assert PASSWORD not in relayed and INITIAL not in relayed
