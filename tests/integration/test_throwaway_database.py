"""The test databases are dropped even while other roles' sessions are in them."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared import config
from tests.integration.conftest import _test_role_url, throwaway_database


def test_a_throwaway_database_is_dropped_with_another_roles_session_still_in_it() -> None:
    """DROP DATABASE … WITH (FORCE) ends every session in the database, and refuses when one
    belongs to a role the test role may not signal: autovacuum's worker, which CI met once, or a
    service's role. Without pg_signal_backend (deploy/local/infra-up.sh) this drop fails."""
    with throwaway_database() as url:
        name = make_url(url).database
        as_service = make_url(config.load().db_url("intake")).set(database=name)
        engine = create_engine(as_service)
        held = engine.connect()
        assert held.execute(text("SELECT current_user")).scalar() == "kechuang_intake"
    admin = create_engine(_test_role_url())
    with admin.connect() as conn:
        left = text("SELECT count(*) FROM pg_database WHERE datname = :n")
        assert conn.execute(left, {"n": name}).scalar() == 0
    admin.dispose()
    held.invalidate()  # ended by the drop: nothing to roll back
    engine.dispose()
