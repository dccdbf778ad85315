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
from services.matching.domain import semantic
from services.matching.domain.duplicates import Pair, Pairing, Rewrites, merged
from services.matching.domain.index import SideIndex
from services.matching.domain.profile import NEED, OFFER, Profile

OVERLAP = 1000
EMBEDDED_AT_ONCE = 64  # rows handed in before embeddings were stored, embedded per batch
BY_ID = 1000  # more changed rows than this are read by revision, not by id


class LiveIndex:
    def __init__(self) -> None:
        self.sides = {NEED: SideIndex(), OFFER: SideIndex()}
        self.revisions: dict[str, int] = {}
        self.seen = 0
        self.window: tuple[int, ...] = ()
        self.pairing = Pairing()  # the handed-in entries' near-duplicate pairs
        self.rewrites = Rewrites()  # and the same projects in new sentences
        self.lock = threading.Lock()

    def refresh(self, conn: Connection, engine: Engine | None = None) -> None:
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
        bulk = len(rows) > BY_ID
        if bulk:
            # Hundreds of thousands of objects that all live on: the collector's full passes
            # over them while they are made are wasted (they are frozen below).
            gc.disable()
        try:
            with self.lock:
                fresh = [
                    row for row in rows if self.revisions.get(row.submission_id) != row.revision
                ]
                vectors = _vectors(fresh, engine)
                for row in fresh:
                    self._apply(row, vectors.get(row.submission_id))
                if fresh:
                    # Comparing texts is CPU work: in an OS thread, so the eventlet hub (every
                    # other request of this process, /healthz too) keeps serving meanwhile.
                    put, removed = _handed_in(fresh)
                    tpool.execute(self.pairing.update, put, removed)
                    rewritten = [(p, vectors.get(p.submission_id)) for p, _ in put]
                    tpool.execute(self.rewrites.update, rewritten, removed)
        finally:
            if bulk:
                gc.enable()
        if len(rows) > BY_ID:
            # The index's objects live as long as the process: frozen, the collector no longer
            # walks them all at each full collection (a pause of 100 ms and more at 100,000).
            gc.freeze()
            # When the floor rose, the next query's window differs and is read once more.
            self.window = window

    def _apply(self, row: Any, vector: Any) -> None:
        profile = profile_of(row)
        for side in self.sides.values():
            side.remove(profile.submission_id)
        if profile.handed_in and profile.side is not None:
            self.sides[profile.side].put(profile, list(row.terms), row.revision, vector)
        self.revisions[profile.submission_id] = row.revision
        self.seen = max(self.seen, row.revision)

    def duplicate_pairs(self) -> list[Pair]:
        with self.lock:
            copies = tpool.execute(self.pairing.pairs)
            return merged(copies, self.rewrites.pairs())

    def vector(self, submission_id: str) -> Any:
        """A handed-in entry's sentence embedding (None: not handed in, or none)."""
        for side in self.sides.values():
            found = side.vector(submission_id)
            if found is not None:
                return found
        return None

    def counterparts(self, side: str | None) -> SideIndex:
        """The index a subject of `side` is ranked against: the other side's."""
        return self.sides[OFFER if side == NEED else NEED]


def _vectors(rows: list[Any], engine: Engine | None) -> dict[str, Any]:
    """The handed-in rows' sentence embeddings: stored, or (rows handed in before they were
    stored) embedded now in an OS thread, EMBEDDED_AT_ONCE a call, and stored."""
    found, missing = {}, []
    for row in rows:
        if row.status != "submitted":
            continue
        vector = semantic.from_bytes(row.embedding)
        if vector is not None:
            found[row.submission_id] = vector
        else:
            missing.append(row)
    for start in range(0, len(missing), EMBEDDED_AT_ONCE):
        batch = missing[start : start + EMBEDDED_AT_ONCE]
        texts = [semantic.text_of(profile_of(row)) for row in batch]
        embedded = tpool.execute(semantic.embed, texts)
        for row, vector in zip(batch, embedded, strict=True):
            found[row.submission_id] = vector
        if engine is not None:
            with engine.begin() as conn:
                for row, vector in zip(batch, embedded, strict=True):
                    conn.execute(
                        entries.update()
                        .where(entries.c.submission_id == row.submission_id,
                               entries.c.revision == row.revision)
                        .values(embedding=semantic.to_bytes(vector))
                    )  # fmt: skip
    return found


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
    index.refresh(conn, engine)
    return index
