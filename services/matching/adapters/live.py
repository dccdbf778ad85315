"""Applying intake's events to `match_entries`, inside the subscription's transaction.

The row is locked while it is folded, so two workers never fold the same entry at once. Words,
signature and sentence embedding are derived when an entry is handed in, and again when a
handed-in entry's text changes; a draft's are empty (derived on demand when its office asks for
its matches).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eventlet import tpool
from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from services.matching.adapters.tables import PROFILE_COLUMNS, REVISIONS, entries
from services.matching.domain import duplicates, semantic, text
from services.matching.domain.profile import RELEVANT, UPDATED, Profile, fold
from shared.events import Event


def profile_of(row: Any) -> Profile:
    values = {name: row._mapping[name] for name in PROFILE_COLUMNS}
    values["keywords"] = tuple(values["keywords"])
    values["industry_codes"] = tuple(values["industry_codes"])
    return Profile(**values)


def to_row(profile: Profile) -> dict[str, Any]:
    row = {name: getattr(profile, name) for name in PROFILE_COLUMNS}
    row["keywords"] = list(profile.keywords)
    row["industry_codes"] = list(profile.industry_codes)
    return row


def apply(conn: Connection, event: Event) -> None:
    if event.type not in RELEVANT:
        return
    sid = event.data["submission_id"]
    found = conn.execute(
        select(entries).where(entries.c.submission_id == sid).with_for_update()
    ).first()
    before = profile_of(found) if found is not None else None
    after = fold(before, event.type, event.data)
    if after is None:
        return
    values = to_row(after) | {"updated_at": event.occurred_at, "revision": func.nextval(REVISIONS)}
    changed = (
        before is None or event.type == UPDATED or replace(before, status=after.status) != after
    )
    if after.handed_in and (changed or not before or not before.handed_in):
        values |= {
            "terms": text.terms(after),
            "signature": duplicates.signature(after),
            # 30–100 ms of CPU: in an OS thread, so the hub keeps serving meanwhile.
            "embedding": semantic.to_bytes(tpool.execute(semantic.vector, after)),
        }
    elif changed:
        # A draft's words, signature and embedding are derived when it is handed in: only
        # handed-in entries are ranked and compared, and a draft changes a few times before
        # (segmenting every version was 6 ms of matching's CPU per change at the rush, #14).
        values |= {"terms": [], "signature": b"", "embedding": b""}
    if found is None:
        conn.execute(insert(entries).values(**values).on_conflict_do_nothing())
    else:
        conn.execute(entries.update().where(entries.c.submission_id == sid).values(**values))
