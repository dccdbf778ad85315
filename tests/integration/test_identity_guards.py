"""Identity's guards that the front door suite cannot wait for or cannot reach (issue #24):
fresh proof that goes stale, TOTP sealed at rest and good once, the operator's reset, and a
disabling that reaches intake by the bus while identity itself is down."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
import requests
from sqlalchemy import create_engine, select

import shared.catalog  # noqa: F401  (registers the event types)
from services.identity.accounts import Accounts
from services.identity.adapters.tables import accounts
from shared.eventstore import EventStore
from tests.integration.helpers import wait_until
from tests.integration.identity_fixtures import FRESH_SECONDS, PASSWORD, People
from tests.integration.intake_fixtures import Api

pytestmark = pytest.mark.integration


def _admin(identity_api: People, username: str) -> tuple[str, str]:
    """A staff admin who enrolled TOTP: (access token, TOTP secret)."""
    identity_api.add(username, role="staff", district=None, admin=True)
    first = identity_api.token(username)
    headers = People.bearer(first)
    # A staff admin without TOTP may do nothing but enrol it.
    listed = identity_api.request("GET", "/api/v1/accounts", headers=headers)
    assert listed.status_code == 403 and listed.json()["error"]["must_enrol_totp"] is True
    started = identity_api.request("POST", "/api/v1/session/totp", headers=headers)
    assert started.status_code == 200, started.text
    secret = started.json()["secret"]
    enabled = identity_api.request("POST", "/api/v1/session/totp", headers=headers,
                                   json={"code": pyotp.TOTP(secret).now()})  # fmt: skip
    assert enabled.status_code == 200, enabled.text
    return enabled.json()["access_token"], secret


def _office(username: str) -> dict[str, Any]:
    return {"username": username, "name": "李四", "role": "office", "district": "巴州区",
            "password": "初始密码-2024a"}  # fmt: skip


def test_managing_accounts_needs_a_password_given_minutes_ago(identity_api: People) -> None:
    """Defends against: a token left in an unlocked browser (or copied) creating and disabling
    accounts. A change needs the password given in this session within FRESH_SECONDS."""
    token, _ = _admin(identity_api, "admin-fresh")
    headers = People.bearer(token)
    made = identity_api.request("POST", "/api/v1/accounts", headers=headers,
                                json=_office("office-one"))  # fmt: skip
    assert made.status_code == 201, made.text  # the sign-in just now is the proof
    time.sleep(FRESH_SECONDS + 0.5)
    stale = identity_api.request("POST", "/api/v1/accounts", headers=headers,
                                 json=_office("office-two"))  # fmt: skip
    assert stale.status_code == 403 and stale.json()["error"]["reauthenticate"] is True
    disabled = identity_api.request("POST", f"/api/v1/accounts/{made.json()['person_id']}/disable",
                                    headers=headers)  # fmt: skip
    assert disabled.status_code == 403  # disabling too
    wrong = identity_api.request("POST", "/api/v1/session/confirm", headers=headers,
                                 json={"password": "not-my-password-1"})  # fmt: skip
    assert wrong.status_code == 422 and "password" in wrong.json()["error"]["fields"]
    confirmed = identity_api.request("POST", "/api/v1/session/confirm", headers=headers,
                                     json={"password": PASSWORD})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    again = identity_api.request("POST", "/api/v1/accounts", headers=headers,
                                 json=_office("office-two"))  # fmt: skip
    assert again.status_code == 201, again.text


def test_a_totp_code_is_good_once_and_its_secret_is_sealed(
    identity_api: People, database_url: str
) -> None:
    """Defends against: a code seen over a shoulder or in a log replayed within its ~90 s,
    and a copy of identity's database giving away every authenticator's secret."""
    _, secret = _admin(identity_api, "admin-once")
    totp = pyotp.TOTP(secret)
    used = totp.now()  # enrolment used this step's code
    replay = identity_api.sign_in("admin-once", PASSWORD, totp=used)
    assert replay.status_code == 401 and replay.json()["error"]["totp_required"] is True
    # The next step's code signs in once, and only once.
    wait_until(lambda: totp.now() != used, 31, "the next TOTP step")
    fresh = totp.now()
    assert identity_api.sign_in("admin-once", PASSWORD, totp=fresh).status_code == 200
    assert identity_api.sign_in("admin-once", PASSWORD, totp=fresh).status_code == 401

    url = identity_api.database_url
    engine = create_engine(url)
    with engine.connect() as conn:
        sealed = conn.execute(select(accounts.c.totp_secret)
                              .where(accounts.c.username == "admin-once")).scalar_one()  # fmt: skip
    engine.dispose()
    assert secret not in sealed and sealed.startswith("gAAAA")  # a Fernet token


def test_the_operator_resets_a_lost_authenticator(identity_api: People, intake_api: Api) -> None:
    """A staff admin who lost their phone: the operator clears TOTP, their tokens stop, and
    at the next sign-in they must enrol again."""
    token, _ = _admin(identity_api, "admin-lost")
    store = EventStore(create_engine(identity_api.database_url))
    store_accounts = Accounts(store)
    store_accounts.reset_totp(None, store_accounts.person_id_of("admin-lost"))
    store.engine.dispose()
    gone = identity_api.request("GET", "/api/v1/accounts", headers=People.bearer(token))
    assert gone.status_code == 401
    again = identity_api.sign_in("admin-lost", PASSWORD)
    assert again.status_code == 200 and again.json()["person"]["must_enrol_totp"] is True


STALE_SECONDS = 20  # the services' revocation views in this file (60 in the stack)


@pytest.fixture
def short_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the services start (list it first among a test's fixtures)."""
    monkeypatch.setenv("KECHUANG_REVOCATION_STALE_SECONDS", str(STALE_SECONDS))


def test_a_disabling_reaches_intake_by_the_bus_while_identity_is_down(
    short_stale: None, identity_api: People, intake_api: Api, identity_container: list
) -> None:
    """Defends against: a service that keeps serving a disabled clerk because identity's RPC
    (its log) cannot be read, and one that goes on trusting a view nobody confirms. The
    operator's CLI disables through identity's log; the relay publishes it; intake applies it
    from the bus alone; and people's tokens it can no longer judge are answered 503."""
    identity_api.add("wangwu")
    identity_api.add("zhaoliu")
    token, other = identity_api.token("wangwu"), identity_api.token("zhaoliu")
    url = f"{intake_api.base}/api/v1/submissions"

    def status(bearer: str) -> int:
        return requests.get(url, headers=People.bearer(bearer), timeout=10).status_code

    wait_until(lambda: status(token) == 200, 10, "intake to take the token")
    identity_container[0].stop()  # identity's RPC (and HTTP) gone; its relay still runs
    # Past a read of the log that fails (every 15 s): the view must go on following the bus.
    time.sleep(32)
    store = EventStore(create_engine(identity_api.database_url))
    store_accounts = Accounts(store)  # what `kechuang user disable` runs
    store_accounts.set_enabled(None, store_accounts.person_id_of("wangwu"), False)
    store.engine.dispose()
    wait_until(lambda: status(token) == 401, 5, "intake to refuse the disabled clerk")
    # Unconfirmed for longer than STALE_SECONDS: the other clerk is not served on trust.
    stale = requests.get(url, headers=People.bearer(other), timeout=10)
    assert stale.status_code == 503 and "核验" in stale.json()["error"]["message"]
    assert int(stale.headers["Retry-After"]) > 0


def test_counts_whose_window_passed_are_forgotten(identity_api: People) -> None:
    """Every name a stranger tries leaves a count: those past their window that block nothing
    go (identity's timer), so the table does not grow with an attack."""
    from datetime import UTC, datetime, timedelta

    from services.identity import throttle
    from services.identity.adapters.tables import sign_in_failures

    now = datetime.now(UTC)
    old = now - timedelta(seconds=throttle.WINDOW + 60)
    engine = create_engine(identity_api.database_url)
    with engine.begin() as conn:
        conn.execute(sign_in_failures.insert(), [
            {"key": "account:old", "failures": 3, "since": old, "blocked_until": None},
            {"key": "account:blocked", "failures": 0, "since": old,
             "blocked_until": now + timedelta(minutes=5)},
            {"key": "account:recent", "failures": 2, "since": now, "blocked_until": None},
        ])  # fmt: skip
        assert throttle.forget_old(conn, now) == 1
        left = set(conn.execute(select(sign_in_failures.c.key)).scalars())
    engine.dispose()
    assert left == {"account:blocked", "account:recent"}
