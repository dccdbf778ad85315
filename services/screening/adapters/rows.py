"""Reading and writing an entry's `screenings` row as a `Tracked` value (domain.tracked)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Integer, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from services.screening.adapters.tables import extensions, screenings
from services.screening.domain.tracked import Tracked
from shared.calls import Extension
from shared.catalog.vocabulary import RETURNED, SUBMITTED


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


def lock_many(conn: Connection, submission_ids: list[str]) -> dict[str, Tracked]:
    """`lock(…, create=True)` for many rows at once, in the order given (sorted by the caller,
    as every writer takes rows, so two transactions never wait on each other in a circle)."""
    if not submission_ids:
        return {}
    conn.execute(
        insert(screenings)
        .values([{"submission_id": i, "updated_at": func.now()} for i in submission_ids])
        .on_conflict_do_nothing()
    )
    found = conn.execute(
        select(screenings)
        .where(screenings.c.submission_id.in_(submission_ids))
        .order_by(screenings.c.submission_id)
        .with_for_update()
    ).all()
    return {row.submission_id: _tracked(row) for row in found}


def read(conn: Connection, submission_id: str) -> Tracked | None:
    row = conn.execute(
        select(screenings).where(screenings.c.submission_id == submission_id)
    ).first()
    return None if row is None else _tracked(row)


def read_many(conn: Connection, submission_ids: list[str]) -> list[Tracked]:
    if not submission_ids:
        return []
    query = select(screenings).where(screenings.c.submission_id.in_(submission_ids))
    return [_tracked(row) for row in conn.execute(query)]


def save(conn: Connection, tracked: Tracked, at: datetime) -> None:
    values = asdict(tracked)
    values.pop("submission_id")
    conn.execute(
        update(screenings)
        .where(screenings.c.submission_id == tracked.submission_id)
        .values(**values, state=tracked.state, updated_at=at)
    )


def save_many(conn: Connection, changed: list[Tracked], at: datetime) -> None:
    """`save` for many rows in one statement."""
    if not changed:
        return
    values = [asdict(t) | {"state": t.state, "updated_at": at} for t in changed]
    statement = insert(screenings).values(values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[screenings.c.submission_id],
            set_={name: statement.excluded[name] for name in values[0] if name != "submission_id"},
        )
    )


def awaiting_deadline(
    conn: Connection, closed_calls: list[str], now: datetime, limit: int
) -> list[str]:
    """Entries whose own close has passed and that were not screened as closed since: entries
    of closed calls (submitted, or returned for revision) whose return's due, if any, has
    passed too, and entries returned for revision past their due whatever the call; in either
    case with no extension of theirs or of their district running past `now`."""
    extended = (
        select(extensions.c.id)
        .where(
            extensions.c.call_id == screenings.c.call_id,
            extensions.c.until >= now,
            or_(
                extensions.c.submission_id == screenings.c.submission_id,
                and_(
                    extensions.c.submission_id.is_(None),
                    extensions.c.district == screenings.c.district,
                ),
            ),
        )
        .exists()
    )
    # NULL both for a row without a return and for JSON null (what `None` is saved as).
    due = screenings.c.returned["due"].astext.cast(DateTime(timezone=True))
    return list(
        conn.execute(
            select(screenings.c.submission_id)
            .where(
                screenings.c.status.in_((SUBMITTED, RETURNED)),
                screenings.c.window_closed.is_(False),
                or_(
                    and_(
                        screenings.c.call_id.in_(closed_calls),
                        or_(due.is_(None), due < now),
                    ),
                    and_(screenings.c.status == RETURNED, due < now),
                ),
                ~extended,
            )
            .limit(limit)
        ).scalars()
    )


def lock_ranks(conn: Connection, call_id: str | None) -> None:
    """Serialise recommendations within a call until the transaction ends: the rank check
    (`rank_holder`) and the write must not interleave with another entry's, or two entries
    could both see a rank free and take it. A transaction-scoped advisory lock keyed by the
    call, since there is no row to lock for a rank nobody holds yet."""
    conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"recommend:{call_id}"))))


def rank_holder(conn: Connection, call_id: str | None, rank: int) -> str | None:
    """The entry of `call_id` recommended at `rank`, if any."""
    query = select(screenings.c.submission_id).where(
        screenings.c.recommendation.is_not(None),
        screenings.c.call_id == call_id,
        screenings.c.recommendation["rank"].astext == str(rank),
    )
    return conn.execute(query.limit(1)).scalar()


def recommended(conn: Connection, call_id: str | None = None) -> list[Tracked]:
    """The recommended entries (of `call_id`, or every call), by call and rank."""
    query = select(screenings).where(screenings.c.recommendation.is_not(None))
    if call_id is not None:
        query = query.where(screenings.c.call_id == call_id)
    rank = screenings.c.recommendation["rank"].astext.cast(Integer)
    return [_tracked(r) for r in conn.execute(query.order_by(screenings.c.call_id, rank))]


def extensions_of(
    conn: Connection, call_id: str, district: str, submission_id: str
) -> list[Extension]:
    """The extensions of `call_id` granted to the entry or to its district."""
    found = conn.execute(
        select(extensions).where(
            extensions.c.call_id == call_id,
            or_(
                extensions.c.submission_id == submission_id,
                and_(extensions.c.submission_id.is_(None), extensions.c.district == district),
            ),
        )
    )
    return [Extension(r.call_id, r.district, r.submission_id, r.until) for r in found]


def add_extension(conn: Connection, data: dict[str, Any]) -> list[str]:
    """Keep an ExtensionGranted (once: a replayed event adds nothing); the entries it covers
    that are submitted or returned, to be screened again at their new close."""
    conn.execute(
        insert(extensions)
        .values(
            id=data["extension_id"],
            call_id=data["call_id"],
            district=data["district"],
            submission_id=data.get("submission_id"),
            until=datetime.fromisoformat(data["until"]),
        )
        .on_conflict_do_nothing()
    )
    covered = [screenings.c.call_id == data["call_id"]]
    if data.get("submission_id"):
        covered.append(screenings.c.submission_id == data["submission_id"])
    else:
        covered.append(screenings.c.district == data["district"])
    query = select(screenings.c.submission_id).where(
        *covered, screenings.c.status.in_((SUBMITTED, RETURNED))
    )
    return list(conn.execute(query).scalars())


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
        duplicates=dict(row.duplicates or {}),
        version=row.version,
        returned=row.returned,
        recommendation=row.recommendation,
        entry_version=row.entry_version,
        forwarded=row.forwarded,
    )
