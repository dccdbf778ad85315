"""`GET /healthz`: 200 when the service and its dependencies answer, else 503."""

from __future__ import annotations

import json
from typing import Any

from kombu import Connection
from sqlalchemy import Engine, text


def check(engine: Engine, amqp_uri: str, service: str) -> tuple[int, dict[str, str], str]:
    checks: dict[str, Any] = {}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report whatever failed
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        with Connection(amqp_uri, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    body = {"service": service, "status": "ok" if healthy else "unavailable", "checks": checks}
    return (
        200 if healthy else 503,
        {"Content-Type": "application/json"},
        json.dumps(body),
    )
