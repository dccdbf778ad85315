"""An intake service running in this process with a real HTTP server, PostgreSQL and RabbitMQ,
on a throw-away database, a calls file and a key pair of the test's own."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from nameko.containers import ServiceContainer

from ops import openapi, schema
from services.intake.service import IntakeService
from shared.auth import issue, new_key_pair

CALLS = """
calls:
  - id: open-call
    title: 测试征集（进行中）
    opens: 2020-01-01T00:00:00+08:00
    closes: 2099-12-31T23:59:59+08:00
    categories: [achievement, promotion, challenge, finance]
    districts: ["511902", "511903"]
    city_contact:
      name: 巴中市科协
      phone: 0827-5260000
      address: 巴中市江北大道
      email: city@example.org
    district_contacts:
      "511902":
        name: 陈训煜
        phone: 13541785756、0827-5223387
        address: 巴州区西华街2号7楼
        email: 522176313@qq.com
      "511903":
        name: 恩阳区科协
        phone: 0827-3360000
        address: 恩阳区
        email: enyang@example.org
  - id: tianfu-2021
    title: 首届科创中国·天府科技云服务大会科创项目征集
    opens: 2021-09-27T00:00:00+08:00
    closes: 2021-11-02T23:59:59+08:00
    categories: [achievement, promotion, challenge, finance]
    districts: [巴州区, 恩阳区, 通江县, 南江县, 平昌县]  # by name, as files before #13 did
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Api:
    base: str
    private_pem: bytes

    def token(self, role: str = "office", district: str | None = "巴州区", **kwargs: Any) -> str:
        return issue(self.private_pem, role, f"test-{role}", district, **kwargs)

    def headers(self, role: str = "office", district: str | None = "巴州区") -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token(role, district if role == 'office' else None)}"
        }

    def call(
        self,
        method: str,
        path: str,
        role: str = "office",
        district: str | None = "巴州区",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        merged = self.headers(role, district) | (headers or {})
        return requests.request(method, f"{self.base}{path}", headers=merged, timeout=30, **kwargs)


def with_closing_call(closes: datetime) -> str:
    """The usual calls and `closing-call`, which closes at `closes` (a few seconds ahead)."""
    return f"""{CALLS}
  - id: closing-call
    title: 测试征集（即将截止）
    opens: 2020-01-01T00:00:00+08:00
    closes: {closes.isoformat()}
    categories: [achievement, promotion, challenge, finance]
    districts: ["511902", "511903"]
"""


@pytest.fixture
def calls_file_text() -> str:
    """The calls file intake (and media beside it) read; a test module may give its own."""
    return CALLS


@pytest.fixture
def intake_api(database_url: str, broker, tmp_path: Path, monkeypatch, calls_file_text: str  # type: ignore[no-untyped-def]
               ) -> Iterator[Api]:  # fmt: skip
    schema.upgrade(database_url, "intake")
    private_pem, public_pem = new_key_pair()
    (tmp_path / "jwt-public.pem").write_bytes(public_pem)
    (tmp_path / "calls.yaml").write_text(calls_file_text, encoding="utf-8")
    monkeypatch.setenv("KECHUANG_DB_URL_INTAKE", database_url)
    monkeypatch.setenv("KECHUANG_JWT_PUBLIC_KEY_FILE", str(tmp_path / "jwt-public.pem"))
    monkeypatch.setenv("KECHUANG_CALLS", str(tmp_path / "calls.yaml"))
    # Written as the local runner and the image do before intake starts.
    monkeypatch.setenv("KECHUANG_API_DOCUMENT", str(openapi.write(tmp_path / "openapi.json")))
    port = free_port()
    container = ServiceContainer(
        IntakeService,
        {"AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}", "max_workers": 30},
    )
    container.start()
    yield Api(f"http://127.0.0.1:{port}", private_pem)
    container.stop()
