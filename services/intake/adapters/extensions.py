"""Intake's `extensions` rows: the late exceptions granted, as intake's commands and media
(through `submission_owner`) read an entry's close."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from services.intake.adapters.tables import extensions
from shared.calls import Extension


def covering(conn: Connection, call_id: str, district: str, submission_id: str) -> list[Extension]:
    """The extensions of `call_id` granted to the entry or to its district."""
    rows = conn.execute(
        select(extensions).where(
            extensions.c.call_id == call_id,
            or_(
                extensions.c.submission_id == submission_id,
                and_(extensions.c.submission_id.is_(None), extensions.c.district == district),
            ),
        )
    )
    return [_extension(row) for row in rows]


def add(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(extensions.insert().values(**row))


def listed(conn: Connection, call_id: str, district: str | None) -> list[Any]:
    """The call's extensions, oldest first; one district's only when `district` is given."""
    query = select(extensions).where(extensions.c.call_id == call_id)
    if district is not None:
        query = query.where(extensions.c.district == district)
    return list(conn.execute(query.order_by(extensions.c.granted_at, extensions.c.id)))


def _extension(row: Any) -> Extension:
    return Extension(row.call_id, row.district, row.submission_id, row.until)


def district_wide(conn: Connection, district: str) -> dict[str, datetime]:
    """The latest district-wide extension of each call for `district` ({call id: until})."""
    rows = conn.execute(
        select(extensions.c.call_id, func.max(extensions.c.until))
        .where(extensions.c.submission_id.is_(None), extensions.c.district == district)
        .group_by(extensions.c.call_id)
    )
    return {call_id: until for call_id, until in rows}
