"""Clients of the running stack's front door as people on the network are: a browser at an
address of its own keeping identity's cookies, and accounts made by the operator's CLI."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import requests
from requests.adapters import HTTPAdapter

INITIAL = "初始密码-2024a"
PASSWORD = "自己的密码-2025b"


class _FromAddress(HTTPAdapter):
    """Connections that leave from one local address (the client's own, to nginx)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Browser:
    """One client at one address, keeping the identity cookies as a browser does (they are
    `Secure`: requests would not send them over http, so they are sent by hand)."""

    base: str
    address: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.http = requests.Session()
        self.http.mount("http://", _FromAddress(self.address))

    def request(self, method: str, path: str, token: str | None = None,
                **kwargs: Any) -> requests.Response:  # fmt: skip
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = self.http.request(method, f"{self.base}{path}", headers=headers, timeout=30,
                                   **kwargs)  # fmt: skip
        for line in answer.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return answer

    def sign_in(self, username: str, password: str = PASSWORD, **extra: Any) -> requests.Response:
        body = {"username": username, "password": password, **extra}
        return self.request("POST", "/api/v1/session", json=body)

    def token(self, username: str, password: str = PASSWORD, **extra: Any) -> str:
        answer = self.sign_in(username, password, **extra)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


def cli(*args: str, stdin: str = "") -> str:
    """The operator's `kechuang ARGS` (the runner's environment: tests run under it)."""
    done = subprocess.run([sys.executable, "-m", "ops.cli", *args], input=stdin, text=True,
                          capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def new_account(base: str, role: str = "office", district: str | None = "巴州区",
                admin: bool = False) -> str:  # fmt: skip
    """An account made by the operator whose first sign-in (the initial password changed to
    PASSWORD) is done; its username."""
    username = f"sec-{uuid.uuid4().hex[:10]}"
    extra = ["--district", district] if district else []
    cli("user", "add", username, "--name", "安全测试", "--role", role, *extra,
        *(["--admin"] if admin else []), stdin=INITIAL + "\n")  # fmt: skip
    first = Browser(base)
    token = first.token(username, INITIAL)
    change = {"current_password": INITIAL, "new_password": PASSWORD}
    changed = first.request("POST", "/api/v1/session/password", token, json=change)
    assert changed.status_code == 200, changed.text
    return username


def new_admin(base: str) -> tuple[Browser, str]:
    """A staff admin (who must use TOTP) signed in and enrolled: their browser and token."""
    import pyotp

    username = new_account(base, role="staff", district=None, admin=True)
    browser = Browser(base)
    first = browser.token(username)  # good for enrolling TOTP only
    started = browser.request("POST", "/api/v1/session/totp", first)
    assert started.status_code == 200, started.text
    code = pyotp.TOTP(started.json()["secret"]).now()
    enabled = browser.request("POST", "/api/v1/session/totp", first, json={"code": code})
    assert enabled.status_code == 200, enabled.text
    return browser, str(enabled.json()["access_token"])
