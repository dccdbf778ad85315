"""Alembic migrations. Every service database gets the shared tables (`versions/`: the event
store, relay and consumer checkpoints); a service adds its own in `services/<name>/migrations/`,
revisions that branch from the shared base, so `upgrade heads` brings both up to date."""

from pathlib import Path

from alembic import command
from alembic.config import Config

SHARED = Path(__file__).parent
SERVICES = Path(__file__).resolve().parents[2] / "services"


def upgrade(url: str, service: str | None = None) -> None:
    """Bring the database at `url` (of `service`, if it has tables of its own) up to date."""
    locations = [SHARED / "versions"]
    if service and (SERVICES / service / "migrations").is_dir():
        locations.append(SERVICES / service / "migrations")
    config = Config()
    config.set_main_option("script_location", str(SHARED))
    config.set_main_option("version_locations", " ".join(str(p) for p in locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "heads")
