"""The running stack through the nginx front door."""

import json
import uuid
from pathlib import Path

import pytest
import requests

from ops.client import wait_until


@pytest.mark.parametrize("service", ["intake", "media", "screening", "reporting"])
def test_every_service_is_healthy_behind_the_front_door(base_url: str, service: str) -> None:
    response = requests.get(f"{base_url}/healthz/{service}", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == service
    assert body["checks"] == {"database": "ok", "broker": "ok"}


def test_a_body_over_one_mebibyte_is_refused_in_the_documented_shape(base_url: str) -> None:
    response = requests.post(
        f"{base_url}/api/v1/submissions",
        data=b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/minio/admin/v3/info",  # MinIO's admin API
        "/minio/health/live",
        "/minio/v2/metrics/cluster",
    ],
)
def test_the_front_door_has_no_route_to_minio_administration(base_url: str, path: str) -> None:
    assert requests.get(f"{base_url}{path}", timeout=10).status_code == 404


def test_only_the_media_bucket_is_routed_to_minio_and_it_needs_a_signature(base_url: str) -> None:
    # Another bucket name is just a page of the console, never MinIO.
    other = requests.get(f"{base_url}/some-other-bucket/object", timeout=10)
    assert "AccessDenied" not in other.text and "<Error>" not in other.text
    # The media bucket answers only to presigned requests.
    unsigned = requests.get(f"{base_url}/kechuang-media/anything", timeout=10)
    assert unsigned.status_code == 403
    put = requests.put(f"{base_url}/kechuang-media/planted", data=b"x", timeout=10)
    assert put.status_code == 403


def test_the_console_is_served_at_the_root_in_chinese(base_url: str) -> None:
    page = requests.get(f"{base_url}/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'lang="zh-CN"' in page.text


def test_every_api_answer_carries_the_correlation_id_the_front_door_logged(
    base_url: str,
) -> None:
    access_log = Path(__file__).resolve().parents[2] / ".run" / "logs" / "nginx-access.log"
    answer = requests.get(f"{base_url}/api/v1/submissions", timeout=10)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
    made = answer.headers["X-Request-Id"]
    assert str(uuid.UUID(made)) == made  # nginx made it, as a UUID

    def logged() -> set[str]:  # nginx writes the line after it has answered: wait for it
        return {
            json.loads(line)["request_id"] for line in access_log.read_text().splitlines()[-500:]
        }

    wait_until(lambda: made in logged(), 10, "the front door's access log line")

    mine = str(uuid.uuid4())  # a client's own id is kept; anything else is replaced
    assert requests.get(f"{base_url}/api/v1/submissions", headers={"X-Request-Id": mine},
                        timeout=10).headers["X-Request-Id"] == mine  # fmt: skip
    forged = requests.get(f"{base_url}/api/v1/submissions", timeout=10,
                          headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]  # fmt: skip
    assert forged != "<script>" and str(uuid.UUID(forged)) == forged
