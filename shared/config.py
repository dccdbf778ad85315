"""Configuration, read from the environment in one place and never at import time.

Every setting has a default that matches the local runner (`deploy/local/`), except secrets:
those come from the environment only (the local runner generates them into `.run/secrets.env`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SERVICES = ("intake", "media", "screening", "reporting")


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    exchange: str
    dead_letter_exchange: str
    db_urls: dict[str, str]
    http_port: int

    def db_url(self, service: str) -> str:
        try:
            return self.db_urls[service]
        except KeyError:
            raise KeyError(f"no database configured for service {service!r}") from None


def _db_url(service: str, env: dict[str, str]) -> str:
    explicit = env.get(f"KECHUANG_DB_URL_{service.upper()}")
    if explicit:
        return explicit
    password = env.get(f"KECHUANG_DB_PASSWORD_{service.upper()}", "")
    host = env.get("KECHUANG_PG_HOST", "127.0.0.1")
    port = env.get("KECHUANG_PG_PORT", "5433")
    return f"postgresql+psycopg://kechuang_{service}:{password}@{host}:{port}/kechuang_{service}"


def load(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    names = list(SERVICES) + [s for s in env.get("KECHUANG_EXTRA_DATABASES", "").split(",") if s]
    return Settings(
        amqp_uri=env.get("KECHUANG_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
        exchange=env.get("KECHUANG_EXCHANGE", "kechuang.events"),
        dead_letter_exchange=env.get("KECHUANG_DEAD_LETTER_EXCHANGE", "kechuang.dead"),
        db_urls={name: _db_url(name, env) for name in names},
        http_port=int(env.get("KECHUANG_PORT", "8080")),
    )
