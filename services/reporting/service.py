"""Reporting: projections of every event, queries and exports. Owns no event stream.

The foundation's skeleton: health only. Projections come with their issue."""

from sqlalchemy import Engine

from shared.dependencies import Database
from shared.entrypoints import ServesHealth


class ReportingService(ServesHealth):
    name = "reporting"
    db = Database("reporting")

    def health_engine(self) -> Engine:
        return self.db  # type: ignore[no-any-return]
