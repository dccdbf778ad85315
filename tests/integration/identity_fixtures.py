"""The identity service in this process (real HTTP, PostgreSQL, RabbitMQ) beside intake, on a
throw-away database, signing with intake's test key pair, with its relay as its own process
(so every service's revocation view hears its events), and a short lock for the lockout test.

`People` signs people in and keeps each one's refresh cookie as a browser would (the cookie
is `Secure`: requests would not send it over http, so it is sent by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
import requests
from nameko.containers import ServiceContainer

from ops import schema
from services.identity.service import COOKIE, IdentityService
from tests.integration.helpers import relay_process
from tests.integration.intake_fixtures import Api, free_port

LOCK_SECONDS = 3
FRESH_SECONDS = 3  # a password given stays proof this long (5 minutes in the stack)
INITIAL = "初始密码-2024a"  # what the operator gives; changed at first sign-in
PASSWORD = "自己的密码-2025b"  # the person's own, after that
TOTP_KEY = "mZ3yqnqrkEqGVNc7o2Kx2c0Hjm6yq2dZ0gq2lLrHcS0="  # a Fernet key for these tests only


@dataclass
class People:
    base: str
    operator: Api  # tokens without a session, signed with the same key
    relay_log: Path | None = None
    database_url: str = ""  # identity's throw-away database
    cookies: dict[str, str] = field(default_factory=dict)  # username -> refresh token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.base}{path}", timeout=30, **kwargs)

    def add(self, username: str, role: str = "office", district: str | None = "巴州区",
            name: str = "张三", ready: bool = True, **extra: Any) -> dict[str, Any]:  # fmt: skip
        """A new account; `ready`: its first sign-in done, the initial password changed to
        PASSWORD (else it still has INITIAL)."""
        body = {"username": username, "name": name, "role": role, "district": district,
                "password": INITIAL, **extra}  # fmt: skip
        headers = self.operator.headers("operator")
        answer = self.request("POST", "/api/v1/accounts", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        if ready:
            first = self.sign_in(username, INITIAL).json()["access_token"]
            change = {"current_password": INITIAL, "new_password": PASSWORD}
            changed = self.request("POST", "/api/v1/session/password", json=change,
                                   headers=self.bearer(first))  # fmt: skip
            assert changed.status_code == 200, changed.text
        return answer.json()  # type: ignore[no-any-return]

    def sign_in(self, username: str, password: str = PASSWORD, **extra: Any) -> requests.Response:
        body = {"username": username, "password": password, **extra}
        answer = self.request("POST", "/api/v1/session", json=body)
        self._keep(username, answer)
        return answer

    def _keep(self, username: str, answer: requests.Response) -> None:
        if "Set-Cookie" in answer.headers:
            cookie = SimpleCookie(answer.headers["Set-Cookie"])
            if COOKIE in cookie:
                self.cookies[username] = cookie[COOKIE].value

    def token(self, username: str, password: str = PASSWORD) -> str:
        answer = self.sign_in(username, password)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def refresh(self, username: str, cookie: str | None = None) -> requests.Response:
        value = cookie if cookie is not None else self.cookies.get(username, "")
        answer = self.request("POST", "/api/v1/session/refresh",
                              headers={"Cookie": f"{COOKIE}={value}"})  # fmt: skip
        self._keep(username, answer)
        return answer

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def identity_container() -> list[ServiceContainer]:
    """Filled by `identity_api` with its container, for tests that stop identity midway."""
    return []


@pytest.fixture
def identity_api(  # type: ignore[no-untyped-def]
    identity_container: list[ServiceContainer], intake_api: Api, broker, tmp_path: Path, monkeypatch
) -> Iterator[People]:
    from tests.integration.conftest import throwaway_database  # (conftest imports this module)

    with throwaway_database() as url:
        schema.upgrade(url, "identity")
        (tmp_path / "jwt-private.pem").write_bytes(intake_api.private_pem)
        monkeypatch.setenv("KECHUANG_DB_URL_IDENTITY", url)
        monkeypatch.setenv("KECHUANG_JWT_PRIVATE_KEY_FILE", str(tmp_path / "jwt-private.pem"))
        monkeypatch.setenv("KECHUANG_IDENTITY_LOCK_SECONDS", str(LOCK_SECONDS))
        monkeypatch.setenv("KECHUANG_IDENTITY_FRESH_SECONDS", str(FRESH_SECONDS))
        monkeypatch.setenv("KECHUANG_TOTP_KEY", TOTP_KEY)
        port = free_port()
        container = ServiceContainer(
            IdentityService, {"AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}
        )
        container.start()
        identity_container.append(container)
        try:
            with relay_process(broker, url, tmp_path / "identity-relay.log", service="identity"):
                yield People(f"http://127.0.0.1:{port}", intake_api,
                             tmp_path / "identity-relay.log", database_url=url)  # fmt: skip
        finally:
            container.stop()
