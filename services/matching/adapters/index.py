"""The process's index of the handed-in entries (`domain.index.SideIndex`, one per side) and
of their near-duplicate pairs (`domain.duplicates.Pairing`), kept current from `match_entries`
by revision.

Before each query it asks whether the rows newer than the highest revision it has seen, less
OVERLAP, changed (their count and the sum of their revisions); if they did, it reads their ids
and revisions. OVERLAP, since revisions are taken when a row is written but become visible when
its transaction commits, so a lower one may appear after a higher one: OVERLAP covers as many
writes in flight as any number of workers could have. Only the rows whose revision differs from
the index's are read whole. The first query of a process reads them all (100,000 entries: tens
of seconds; the service's timer does it at start, before anyone asks).

A change reaches the index as soon as the event's transaction commits: the next query sees it.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

from eventlet import tpool
from sqlalchemy import Connection, Engine, func, select

from services.matching.adapters.live import profile_of
from services.matching.adapters.tables import entries
from services.matching.domain.duplicates import Pair, Pairing
from services.matching.domain.index import SideIndex
from services.matching.domain.profile import NEED, OFFER, Profile

OVERLAP = 1000
BY_ID = 1000  # more changed rows than this are read by revision, not by id


class LiveIndex:
    def __init__(self) -> None:
        self.sides = {NEED: SideIndex(), OFFER: SideIndex()}
        self.revisions: dict[str, int] = {}
        self.seen = 0
        self.window: tuple[int, ...] = ()
        self.pairing = Pairing()  # the handed-in entries' near-duplicate pairs
        self.lock = threading.Lock()

    def refresh(self, conn: Connection) -> None:
        floor = self.seen - OVERLAP
        # One row answers whether anything in the window changed: a row written since, or
        # one that committed late, changes the count or the sum of the revisions.
        revision = entries.c.revision
        window = (floor, *conn.execute(
            select(func.count(), func.coalesce(func.sum(revision), 0)).where(revision > floor)
        ).one())  # fmt: skip
        if window == self.window:
            return
        recent = conn.execute(
            select(entries.c.submission_id, entries.c.revision).where(entries.c.revision > floor)
        ).all()
        changed = [sid for sid, revision in recent if self.revisions.get(sid) != revision]
        if not changed:
            self.window = window
            return
        query = select(entries)
        if len(changed) > BY_ID:
            query = query.where(entries.c.revision > floor)
        else:
            query = query.where(entries.c.submission_id.in_(changed))
        rows = conn.execute(query).all()
        with self.lock:
            fresh = [row for row in rows if self.revisions.get(row.submission_id) != row.revision]
            for row in fresh:
                self._apply(row)
            if fresh:
                # Comparing texts is CPU work: in an OS thread, so the eventlet hub (every
                # other request of this process, /healthz too) keeps serving meanwhile.
                tpool.execute(self.pairing.update, *_handed_in(fresh))
        if len(rows) > BY_ID:
            # The index's objects live as long as the process: frozen, the collector no longer
            # walks them all at each full collection (a pause of 100 ms and more at 100,000).
            gc.freeze()
            # When the floor rose, the next query's window differs and is read once more.
            self.window = window

    def _apply(self, row: Any) -> None:
        profile = profile_of(row)
        for side in self.sides.values():
            side.remove(profile.submission_id)
        if profile.handed_in and profile.side is not None:
            self.sides[profile.side].put(profile, list(row.terms), row.revision)
        self.revisions[profile.submission_id] = row.revision
        self.seen = max(self.seen, row.revision)

    def duplicate_pairs(self) -> list[Pair]:
        with self.lock:
            return tpool.execute(self.pairing.pairs)  # type: ignore[no-any-return]

    def counterparts(self, side: str | None) -> SideIndex:
        """The index a subject of `side` is ranked against: the other side's."""
        return self.sides[OFFER if side == NEED else NEED]


def _handed_in(rows: list[Any]) -> tuple[list[tuple[Profile, bytes]], list[str]]:
    """The rows as the pairing takes them: (entries handed in, entries no longer handed in)."""
    put, removed = [], []
    for row in rows:
        profile = profile_of(row)
        if profile.handed_in:
            put.append((profile, bytes(row.signature)))
        else:
            removed.append(profile.submission_id)
    return put, removed


_INDEXES: dict[str, LiveIndex] = {}
_CREATING = threading.Lock()


def current(engine: Engine, conn: Connection) -> LiveIndex:
    """This process's index of `engine`'s database, brought up to date through `conn`."""
    key = engine.url.render_as_string(hide_password=True)
    with _CREATING:
        index = _INDEXES.setdefault(key, LiveIndex())
    index.refresh(conn)
    return index
