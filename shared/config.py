"""Configuration, read from the environment in one place and never at import time.

Every setting has a default that matches the local runner (`deploy/local/`), except secrets:
those come from the environment only (the local runner generates them into `.run/secrets.env`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

SERVICES = ("intake", "media", "screening", "reporting")


@dataclass(frozen=True)
class Settings:
    amqp_uri: str
    exchange: str
    dead_letter_exchange: str
    http_port: int
    env: dict[str, str] = field(repr=False)

    def db_url(self, service: str) -> str:
        """The service's own database: `KECHUANG_DB_URL_<SERVICE>` if set, else role and
        database `kechuang_<service>` with password `KECHUANG_DB_PASSWORD_<SERVICE>`."""
        key = service.upper()
        explicit = self.env.get(f"KECHUANG_DB_URL_{key}")
        if explicit:
            return explicit
        password = self.env.get(f"KECHUANG_DB_PASSWORD_{key}", "")
        host = self.env.get("KECHUANG_PG_HOST", "127.0.0.1")
        port = self.env.get("KECHUANG_PG_PORT", "5433")
        return (
            f"postgresql+psycopg://kechuang_{service}:{password}@{host}:{port}/kechuang_{service}"
        )


def load(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    return Settings(
        amqp_uri=env.get("KECHUANG_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
        exchange=env.get("KECHUANG_EXCHANGE", "kechuang.events"),
        dead_letter_exchange=env.get("KECHUANG_DEAD_LETTER_EXCHANGE", "kechuang.dead"),
        http_port=int(env.get("KECHUANG_PORT", "8080")),
        env=env,
    )
