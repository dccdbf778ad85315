"""Identity end to end in this process: sign-in, wrong passwords and the throttle, refresh
rotation and reuse, password change, and intake refusing a person's token once identity
revoked it (the other services: test_identity_revocation.py)."""

from __future__ import annotations

import time

import pytest
import requests

from tests.integration.helpers import wait_until
from tests.integration.identity_fixtures import INITIAL, LOCK_SECONDS, PASSWORD, People
from tests.integration.intake_fixtures import Api

pytestmark = pytest.mark.integration


def test_sign_in_gives_a_person_token_that_intake_takes(
    identity_api: People, intake_api: Api
) -> None:
    person = identity_api.add("zhangsan", ready=False)
    answer = identity_api.sign_in("zhangsan", INITIAL)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["expires_in"] == 900 and body["person"]["person_id"] == person["person_id"]
    assert body["person"]["must_change_password"] is True
    cookie = answer.headers["Set-Cookie"]
    for part in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/session"):
        assert part in cookie
    headers = People.bearer(body["access_token"])
    url = f"{intake_api.base}/api/v1/submissions"

    def answered() -> tuple[requests.Response] | None:
        found = requests.get(url, headers=headers, timeout=10)
        return (found,) if found.status_code != 503 else None

    (listed,) = wait_until(answered, 10, "intake's view to be warm")
    # An initial password's token is good for changing it only.
    assert listed.status_code == 403 and listed.json()["error"]["must_change_password"]
    change = {"current_password": INITIAL, "new_password": PASSWORD}
    changed = identity_api.request("POST", "/api/v1/session/password", json=change,
                                   headers=headers)  # fmt: skip
    assert changed.status_code == 200, changed.text
    fresh = People.bearer(changed.json()["access_token"])
    assert requests.get(url, headers=fresh, timeout=10).status_code == 200


def test_wrong_passwords_are_throttled_for_a_while_then_the_right_one_signs_in(
    identity_api: People,
) -> None:
    """The throttle (services/identity/throttle.py) blocks a username for browsers it never
    signed in from after 5 failures, for LOCK_SECONDS; the owner's trusted browser is the
    front door suite's (tests/security/test_sign_in.py)."""
    identity_api.add("lisi")
    for _ in range(5):
        wrong = identity_api.sign_in("lisi", "wrong-password-1")
        assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "用户名或密码错误"
    throttled = identity_api.sign_in("lisi", "wrong-password-1")
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(throttled.headers["Retry-After"]) <= LOCK_SECONDS
    assert identity_api.sign_in("lisi").status_code == 429  # from an untrusted browser, for now
    time.sleep(LOCK_SECONDS + 0.5)
    assert identity_api.sign_in("lisi").status_code == 200
    assert identity_api.sign_in("nobody").status_code == 401


def test_refresh_rotates_and_reuse_ends_the_family(identity_api: People, intake_api: Api) -> None:
    identity_api.add("wangwu")
    first = identity_api.sign_in("wangwu").json()["access_token"]
    old = identity_api.cookies["wangwu"]
    rotated = identity_api.refresh("wangwu")
    assert rotated.status_code == 200, rotated.text
    new = identity_api.cookies["wangwu"]
    assert new != old
    assert identity_api.refresh("wangwu", old).status_code == 401  # reuse of a rotated one
    assert identity_api.refresh("wangwu", new).status_code == 401  # the family is gone
    headers = People.bearer(rotated.json()["access_token"])
    url = f"{intake_api.base}/api/v1/submissions"
    wait_until(lambda: requests.get(url, headers=headers, timeout=10).status_code == 401, 2,
               "intake to refuse the revoked session's token")  # fmt: skip
    assert requests.get(url, headers=People.bearer(first), timeout=10).status_code == 401


def test_password_change_keeps_this_session_and_ends_the_others(
    identity_api: People, intake_api: Api
) -> None:
    identity_api.add("zhaoliu")
    other = identity_api.token("zhaoliu")
    mine = identity_api.token("zhaoliu")
    too_weak = {"current_password": PASSWORD, "new_password": "aaaaaaaaaa"}
    weak = identity_api.request("POST", "/api/v1/session/password",
                                headers=People.bearer(mine), json=too_weak)  # fmt: skip
    assert weak.status_code == 422 and "new_password" in weak.json()["error"]["fields"]
    changed = identity_api.request("POST", "/api/v1/session/password",
                                   headers=People.bearer(mine),
                                   json={"current_password": PASSWORD,
                                         "new_password": "新的密码-2025b"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["person"]["must_change_password"] is False
    fresh = changed.json()["access_token"]
    url = f"{intake_api.base}/api/v1/submissions"
    wait_until(lambda: requests.get(url, headers=People.bearer(other), timeout=10).status_code
               == 401, 2, "the old token refused")  # fmt: skip
    wait_until(lambda: requests.get(url, headers=People.bearer(fresh), timeout=10).status_code
               == 200, 10, "the new token taken (once intake's view is warm)")  # fmt: skip
    assert identity_api.sign_in("zhaoliu").status_code == 401
    assert identity_api.sign_in("zhaoliu", "新的密码-2025b").status_code == 200
