"""Each service's database schema: the shared tables and the service's own Alembic revisions,
the `migrations/` folder of its package (services/<name>/migrations/), handed to the runner in
shared/migrations, which knows no service. Used by `kechuang migrate` and the tests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from shared import migrations


def revisions(service: str) -> list[Path]:
    """The folder of the service's own revisions, if it has one."""
    folder = Path(str(resources.files(f"services.{service}") / "migrations"))
    return [folder] if folder.is_dir() else []


def upgrade(url: str, service: str | None = None) -> None:
    """Bring the database at `url` (of `service`, if it has tables of its own) up to date."""
    migrations.upgrade(url, *(revisions(service) if service else []))
