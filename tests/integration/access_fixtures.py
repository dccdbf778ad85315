"""Reporting's record of who read personal data (services/reporting/access.py), on a
throw-away database, answering intake's `record_access_for` under reporting's name: the
receipts' tests need it, as a receipt is refused when its reading cannot be recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nameko.containers import ServiceContainer
from sqlalchemy import create_engine, select

from ops import schema
from services.reporting.access import AccessEndpoints
from shared.dependencies import Authenticator
from shared.eventstore import events
from tests.integration.intake_fixtures import free_port


class AccessRecorder(AccessEndpoints):
    """Reporting's access log alone (the real code and tables, none of its projections)."""

    name = "reporting"
    authenticate = Authenticator()


@pytest.fixture
def access_recorder(broker, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The access log's database URL, with the recorder answering on the broker."""
    from tests.integration.conftest import throwaway_database  # (conftest imports this module)

    with throwaway_database() as url:
        schema.upgrade(url, "reporting")
        monkeypatch.setenv("KECHUANG_DB_URL_REPORTING", url)
        container = ServiceContainer(AccessRecorder, {
            "AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}"})  # fmt: skip
        container.start()
        try:
            yield url
        finally:
            container.stop()


def recorded(url: str) -> list[dict]:
    """The access events recorded, oldest first."""
    engine = create_engine(url)
    with engine.connect() as conn:
        query = select(events.c.actor, events.c.data).where(events.c.stream_type == "access")
        rows = conn.execute(query.order_by(events.c.seq))
        found = [{"actor": r.actor, **r.data} for r in rows]
    engine.dispose()
    return found
