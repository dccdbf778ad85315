"""Alembic migrations. Every service database gets the shared tables (`versions/`: the event
store, relay and consumer checkpoints); a service adds its own revisions, which branch from the
shared base, in a folder it hands to `upgrade` (through `ops.schema`), so `upgrade heads` brings
both up to date. This runner knows no service."""

from pathlib import Path

from alembic import command
from alembic.config import Config

SHARED = Path(__file__).parent


def upgrade(url: str, *revisions: Path, target: str = "heads") -> None:
    """Bring the database at `url` up to date (or to `target`, for tests of a migration over
    existing rows): the shared tables, and the revisions in the folders `revisions` (a
    service's own tables)."""
    locations = [SHARED / "versions", *revisions]
    config = Config()
    config.set_main_option("script_location", str(SHARED))
    config.set_main_option("version_locations", " ".join(str(p) for p in locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, target)
