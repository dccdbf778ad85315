"""Reading and writing an entry's `screenings` row as a `Tracked` value (domain.tracked)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.postgresql import insert

from services.screening.adapters.tables import screenings
from services.screening.domain.tracked import Tracked
from shared.catalog.vocabulary import SUBMITTED


def lock(conn: Connection, submission_id: str, create: bool = False) -> Tracked | None:
    """The entry's row, locked until the transaction ends so that the consumer, the deadline
    timer and staff's commands decide one after another; `create` makes an empty row first."""
    if create:
        conn.execute(
            insert(screenings)
            .values(submission_id=submission_id, updated_at=func.now())
            .on_conflict_do_nothing()
        )
    row = conn.execute(
        select(screenings).where(screenings.c.submission_id == submission_id).with_for_update()
    ).first()
    return None if row is None else _tracked(row)


def read(conn: Connection, submission_id: str) -> Tracked | None:
    row = conn.execute(
        select(screenings).where(screenings.c.submission_id == submission_id)
    ).first()
    return None if row is None else _tracked(row)


def save(conn: Connection, tracked: Tracked, at: datetime) -> None:
    values = asdict(tracked)
    values.pop("submission_id")
    conn.execute(
        update(screenings)
        .where(screenings.c.submission_id == tracked.submission_id)
        .values(**values, state=tracked.state, updated_at=at)
    )


def awaiting_deadline(conn: Connection, call_ids: list[str], limit: int) -> list[str]:
    """Submitted entries of these (closed) calls not yet screened as closed."""
    return list(
        conn.execute(
            select(screenings.c.submission_id)
            .where(
                screenings.c.status == SUBMITTED,
                screenings.c.window_closed.is_(False),
                screenings.c.call_id.in_(call_ids),
            )
            .limit(limit)
        ).scalars()
    )


def _tracked(row: Any) -> Tracked:
    return Tracked(
        submission_id=row.submission_id,
        district=row.district,
        call_id=row.call_id,
        category=row.category,
        fields=row.fields,
        status=row.status,
        materials=list(row.materials or []),
        result=row.result,
        window_closed=row.window_closed,
        review=row.review,
        selection=row.selection,
        version=row.version,
    )
