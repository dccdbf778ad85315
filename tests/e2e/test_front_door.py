"""The running stack through the nginx front door."""

import pytest
import requests


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
