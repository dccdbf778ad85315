"""Tokens that die with their cause (issue #24, items 2 and 3; OWASP ASVS V3.3), through the
front door of the running stack: every service, identity included, refuses a token issued
before a password change within a second; the current password cannot be guessed on; the
operator's CLI disables and revokes through identity's log like any other change."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable

from tests.integration.helpers import wait_until
from tests.security.clients import PASSWORD, Browser, cli, new_account

NOBODY = str(uuid.uuid4())
# One read an office may make at each service: 401 when its token is refused, else 200/404.
EVERY_SERVICE = {
    "intake": "/api/v1/submissions",
    "media": f"/api/v1/materials/{NOBODY}",
    "screening": f"/api/v1/screenings/{NOBODY}",
    "reporting": "/api/v1/reports/summary",
    "matching": f"/api/v1/matches/{NOBODY}",
    "identity": "/api/v1/session",
}


def _refused_everywhere(browser: Browser, token: str) -> dict[str, int]:
    return {name: browser.request("GET", path, token).status_code
            for name, path in EVERY_SERVICE.items()}  # fmt: skip


def test_an_older_token_is_refused_by_every_service_after_a_password_change(
    base_url: str,
) -> None:
    """Defends against: a stolen token outliving the password change meant to kill it, at
    identity itself too (its own check ignored the cut-off, so an older token of the session
    that changed the password went on creating accounts there)."""
    username = new_account(base_url)
    elsewhere, here = Browser(base_url), Browser(base_url)
    other_session = elsewhere.token(username)
    before = here.token(username)  # this session's token from before the change
    change = {"current_password": PASSWORD, "new_password": "新的密码-2026c"}
    changed = here.request("POST", "/api/v1/session/password", before, json=change)
    assert changed.status_code == 200, changed.text
    after = changed.json()["access_token"]
    started = time.monotonic()
    for old in (other_session, before):
        wait_until(lambda old=old: set(_refused_everywhere(here, old).values()) == {401}, 5,  # type: ignore[misc]
                   "every service to refuse the older token")  # fmt: skip
    assert time.monotonic() - started < 2.0
    assert 401 not in _refused_everywhere(here, after).values()


def test_the_current_password_cannot_be_guessed_with_a_stolen_token(
    base_url: str, strangers: Callable[[], Browser]
) -> None:
    """Defends against: guessing the current password without limit through the password
    change (a wrong one was a plain 422, never counted), from a copied access token."""
    username = new_account(base_url)
    token = Browser(base_url).token(username)
    thief = strangers()  # another machine, without the owner's cookies
    answers = [thief.request("POST", "/api/v1/session/password", token,
                             json={"current_password": f"guess-{n}-password",
                                   "new_password": "窃取者的密码-2026d"})
               for n in range(6)]  # fmt: skip
    assert [a.status_code for a in answers[:5]] == [422] * 5
    assert answers[5].status_code == 429 and int(answers[5].headers["Retry-After"]) > 0
    confirm = thief.request("POST", "/api/v1/session/confirm", token,
                            json={"password": "another-guess-1"})  # fmt: skip
    assert confirm.status_code == 429  # the same count


def test_the_operators_cli_disables_through_identity_s_log(base_url: str) -> None:
    """Defends against: `kechuang user disable` writing identity's table while the services
    went on serving the clerk ("everywhere at once" that nobody heard)."""
    username = new_account(base_url)
    browser = Browser(base_url)
    token = browser.token(username)
    assert 401 not in _refused_everywhere(browser, token).values()
    cli("user", "disable", username)
    wait_until(lambda: set(_refused_everywhere(browser, token).values()) == {401}, 2,
               "every service to refuse the disabled clerk")  # fmt: skip


def _token_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ops.cli", "token", *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_a_cli_token_lives_hours_and_can_be_revoked(base_url: str) -> None:
    """Defends against: script tokens good for 90 days that nobody could take back."""
    too_long = _token_cli("--role", "staff", "--ttl", str(90 * 24 * 3600))
    assert too_long.returncode != 0
    made = _token_cli("--role", "staff")
    token = made.stdout.strip()
    token_id = made.stderr.split("token id ")[1].split(",")[0]
    browser = Browser(base_url)
    staff_reads = ["/api/v1/submissions", "/api/v1/reports/summary", "/api/v1/duplicates",
                   f"/api/v1/screenings/{NOBODY}", f"/api/v1/materials/{NOBODY}"]  # fmt: skip
    assert all(browser.request("GET", p, token).status_code != 401 for p in staff_reads)
    assert "revoked" in cli("token", "revoke", token_id)
    wait_until(lambda: all(browser.request("GET", p, token).status_code == 401
                           for p in staff_reads), 2, "every service to refuse it")  # fmt: skip
    operator = _token_cli("--role", "operator").stdout.strip()
    assert browser.request("GET", "/api/v1/accounts", operator).status_code == 200
    cli("token", "revoke", operator)  # the token itself names its id
    assert browser.request("GET", "/api/v1/accounts", operator).status_code == 401  # identity
