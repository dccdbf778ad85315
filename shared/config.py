"""Configuration, read from the environment in one place and never at import time.

Every setting has a default that matches the local runner (`deploy/local/`), except secrets:
those come from the environment only (the local runner generates them into `.run/secrets.env`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("intake", "media", "screening", "reporting", "matching", "identity")
# Where the local runner keeps its runtime files (keys, PIDs, logs); see deploy/local/.
RUN_DIR = Path(__file__).resolve().parent.parent / ".run"


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

    @property
    def db_pool_size(self) -> int:
        """Connections one process may hold to its database, at most (`KECHUANG_DB_POOL_SIZE`).
        Every process's pool comes from this one figure, so the local runner can check at start
        that all of them fit in PostgreSQL's `max_connections` (deploy/local/services-up.sh)."""
        value = int(self.env.get("KECHUANG_DB_POOL_SIZE", "5"))
        if value < 1:
            raise ValueError(f"KECHUANG_DB_POOL_SIZE must be at least 1, not {value}")
        return value

    @property
    def queue_type(self) -> str:
        """RabbitMQ's type for the consumer queues: `classic` (one node) or `quorum` (a cluster:
        replicated). A queue keeps the type it was made with; see deploy/README.md to switch."""
        value = self.env.get("KECHUANG_QUEUE_TYPE", "classic")
        if value not in ("classic", "quorum"):
            raise ValueError(f"KECHUANG_QUEUE_TYPE must be classic or quorum, not {value!r}")
        return value

    @property
    def calls_file(self) -> str | None:
        return self.env.get("KECHUANG_CALLS") or None

    @property
    def api_document(self) -> str:
        """The whole API's OpenAPI document, written by `python -m ops.openapi` when the stack
        is built or started, served by intake (`KECHUANG_API_DOCUMENT`)."""
        explicit = self.env.get("KECHUANG_API_DOCUMENT")
        run_dir = Path(self.env.get("KECHUANG_RUN_DIR") or RUN_DIR)
        return explicit or str(run_dir / "openapi.json")

    def _key_file(self, kind: str) -> Path:
        explicit = self.env.get(f"KECHUANG_JWT_{kind.upper()}_KEY_FILE")
        run_dir = Path(self.env.get("KECHUANG_RUN_DIR") or RUN_DIR)
        return Path(explicit) if explicit else run_dir / "keys" / f"jwt-{kind}.pem"

    def jwt_public_key(self) -> bytes:
        """The key services verify tokens with (`KECHUANG_JWT_PUBLIC_KEY_FILE`)."""
        return self._key_file("public").read_bytes()

    def jwt_private_key(self) -> bytes:
        """The signing key (`KECHUANG_JWT_PRIVATE_KEY_FILE`): the operator's `kechuang token`
        and the identity service read it; the other services are started without it."""
        return self._key_file("private").read_bytes()

    def jwt_key_files(self) -> tuple[Path, Path]:
        return self._key_file("private"), self._key_file("public")

    @property
    def identity_lock_seconds(self) -> int:
        """How long too many failed password checks block a username, an address or a trusted
        browser (`KECHUANG_IDENTITY_LOCK_SECONDS`; services/identity/throttle.py)."""
        return int(self.env.get("KECHUANG_IDENTITY_LOCK_SECONDS", str(15 * 60)))

    @property
    def identity_fresh_seconds(self) -> int:
        """How long a password given in a session stays proof for sensitive changes."""
        return int(self.env.get("KECHUANG_IDENTITY_FRESH_SECONDS", str(5 * 60)))

    @property
    def revocation_stale_seconds(self) -> float:
        """How long a service's revocation view may go unconfirmed before people's tokens are
        answered 503 (`KECHUANG_REVOCATION_STALE_SECONDS`; shared/revocation.py)."""
        return float(self.env.get("KECHUANG_REVOCATION_STALE_SECONDS", "60"))

    def totp_key(self) -> bytes | None:
        """The key TOTP secrets are sealed with (`KECHUANG_TOTP_KEY`, a Fernet key: identity
        and the operator's CLI only); None when unset (TOTP cannot be enrolled)."""
        value = self.env.get("KECHUANG_TOTP_KEY")
        return value.encode("ascii") if value else None

    @property
    def identity_refresh_seconds(self) -> int:
        """How long a refresh token keeps a session (`KECHUANG_IDENTITY_REFRESH_SECONDS`)."""
        return int(self.env.get("KECHUANG_IDENTITY_REFRESH_SECONDS", str(12 * 3600)))

    @property
    def object_store(self) -> dict[str, str]:
        """MinIO (or any S3): where media keeps files. `public_url` is the address clients
        upload to, which presigned URLs are signed for (default: the endpoint itself)."""
        endpoint = self.env.get("KECHUANG_MINIO_ENDPOINT", "127.0.0.1:9000")
        return {
            "endpoint": endpoint,
            "access_key": self.env.get("KECHUANG_S3_ACCESS_KEY")
            or self.env.get("MINIO_ROOT_USER", ""),
            "secret_key": self.env.get("KECHUANG_S3_SECRET_KEY")
            or self.env.get("MINIO_ROOT_PASSWORD", ""),
            "bucket": self.env.get("KECHUANG_MEDIA_BUCKET", "kechuang-media"),
            "public_url": self.env.get("KECHUANG_MINIO_PUBLIC_URL", f"http://{endpoint}"),
        }

    # -- e-mail of notices (reporting's outbox, services/reporting/adapters/mailer.py) --------

    @property
    def smtp_url(self) -> str | None:
        """`KECHUANG_SMTP_URL` (smtp://[user:password@]host:port): notices are e-mailed only
        when it is set. It may hold a password: never log it."""
        return self.env.get("KECHUANG_SMTP_URL") or None

    @property
    def smtp_from(self) -> str:
        return self.env.get("KECHUANG_SMTP_FROM") or "kechuang@localhost"

    @property
    def public_url(self) -> str:
        """The front door's address as people outside reach it, for links printed on paper
        (the 报送函's QR code): `KECHUANG_PUBLIC_URL`, else the address presigned URLs use
        (`KECHUANG_MINIO_PUBLIC_URL`, the front door itself in both runners), else localhost."""
        explicit = self.env.get("KECHUANG_PUBLIC_URL") or self.env.get("KECHUANG_MINIO_PUBLIC_URL")
        return (explicit or f"http://localhost:{self.http_port}").rstrip("/")


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
