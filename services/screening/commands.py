"""Screening's use cases. Each runs in one transaction that locks the entry's `screenings` row,
decides, appends to the `screening-<id>` stream at the row's version (the store is the outbox)
and saves the row:

- `apply`: an intake or media event, inside the subscription's transaction (so a redelivered
  or replayed event, which the subscription skips, appends nothing); or matching's news of a
  pair of entries handed in twice, which re-screens both (`domain.duplicates`);
- `close_windows`: the deadline timer, re-screening submitted entries of calls that closed
  for them (at the call's close, or later under a late exception or a return's due: which
  materials count at the close is judged from media's own times, `domain.evidence`; the
  timer only decides when the result is written), and returned entries not submitted again
  by their due (`domain.returns`, judged by intake's event times);
- `review`, `select`, `recommend`, `withdraw_recommendation`: staff's decisions; `view`: the
  screening as the API shows it.

A screening appends `ScreeningCompleted` only when the outcome changed: the state, the findings
(rule, clause, outcome, messages) or priority. The rule set's name and `window_closed` alone are
not an outcome: a run at the deadline that changes nothing (an entry with all its materials)
appends nothing, and the row remembers that it was screened as closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from services.screening.adapters import rows
from services.screening.domain import (
    decisions,
    duplicates,
    forwarding,
    recommendations,
    returns,
)
from services.screening.domain.decisions import Recorded
from services.screening.domain.rulesets import RULESETS
from services.screening.domain.screening import screen
from services.screening.domain.tracked import Tracked, as_entry, fold, relevant
from services.screening.schemas import (
    RecommendationBody,
    ReviewBody,
    SelectionBody,
    WithdrawalBody,
)
from shared.auth import Principal
from shared.calls import Call, extended, past, returned_until
from shared.catalog import screening as catalog
from shared.catalog import submission as submission_catalog
from shared.catalog.vocabulary import RETURNED, SELECTED, SUBMITTED
from shared.errors import Refused, not_found
from shared.events import Actor, Event, EventType, lookup, new_event
from shared.eventstore import EventStore, VersionConflict

Clock = Callable[[], datetime]
# Who screens when no person acted (a consumed event, the deadline).
SCREENER = Actor(role="system", subject="screening")


@dataclass(frozen=True)
class Cause:
    """Who or what the appended events answer to: the envelope's actor, correlation and
    causation (a consumed event's id, so the history shows what each screening followed)."""

    actor: Actor
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None

    @classmethod
    def of(cls, event: Event) -> Cause:
        return cls(SCREENER, event.correlation_id, event.event_id)


def _outcome(result: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if result is None:
        return None
    return result["state"], result["findings"], result["priority"]


def screening_body(tracked: Tracked) -> dict[str, Any]:
    """The screening response of api.md, plus what else helps a reader."""
    result = tracked.result or {}
    return {
        "submission_id": tracked.submission_id,
        "state": tracked.state,
        "ruleset": result.get("ruleset"),
        "findings": result.get("findings", []),
        "priority": result.get("priority", False),
        "window_closed": tracked.window_closed,
        "entry_status": tracked.status,
        "review": tracked.review,
        "selection": tracked.selection,
        "recommendation": tracked.recommendation,
        "version": tracked.version,
        # The entry version (intake's) screening has applied: what a decision's If-Match names.
        "entry_version": tracked.entry_version,
        # The district batch that forwarded the entry ({batch_id, number, version, materials,
        # changed}: 报送后已修改), None when none did: the city selects only from these.
        "forwarded": tracked.forwarded,
    }


class Screening:
    def __init__(
        self,
        store: EventStore,
        calls: dict[str, Call],
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.calls = calls
        self.clock = clock

    # -- deciding -----------------------------------------------------------------------

    def _event(
        self, tracked: Tracked, kind: EventType, data: dict[str, Any], cause: Cause
    ) -> Event:
        return new_event(
            kind,
            catalog.stream_id(tracked.submission_id),
            {"submission_id": tracked.submission_id, **data},
            actor=cause.actor,
            correlation_id=cause.correlation_id,
            causation_id=cause.causation_id,
        )

    def _closes(
        self, conn: Connection, tracked: Tracked
    ) -> tuple[datetime | None, datetime | None]:
        """When the call closes for the entry (the call's close, later under an extension or
        a return's due: intake and media judge the same moment, `shared.calls.extended`), and
        the deadline of its standing return (None: none). (None, None) when the calls file no
        longer names its call."""
        call = self.calls.get(tracked.call_id or "")
        if call is None:
            return None, None
        district, sid = str(tracked.district), tracked.submission_id
        granted = rows.extensions_of(conn, call.id, district, sid)
        due = returns.due(tracked.returned) if tracked.returned else None
        closes = extended(call, district, sid, granted, due)
        deadline = returned_until(call, district, sid, granted, due) if due else None
        return closes, deadline

    def _rescreen(
        self, conn: Connection, tracked: Tracked, cause: Cause, now: datetime
    ) -> tuple[Tracked, list[Event]]:
        """Screen a submitted entry; the ScreeningCompleted to append if the outcome changed.
        Drafts are not screened (`pending`), nor is a withdrawn entry (it keeps its last
        result, which says what it was when it left), nor a returned one until it is submitted
        again, unless it missed the return's deadline (`returns`): then it is ineligible."""
        if tracked.status not in (SUBMITTED, RETURNED) or not tracked.known:
            return tracked, []
        closes, deadline = self._closes(conn, tracked)
        if returns.lapsed(tracked.returned, deadline, now):
            assert deadline is not None
            tracked = replace(tracked, window_closed=True)
            result = returns.not_resubmitted(deadline).to_dict() | {"window_closed": True}
        elif tracked.status != SUBMITTED:
            tracked = replace(tracked, window_closed=False)
            result = returns.awaiting_resubmission() | {"window_closed": False}
        else:
            closed = closes is not None and past(closes, now)
            tracked = replace(tracked, window_closed=closed)
            if tracked.category not in RULESETS:
                return tracked, []  # intake validates categories; nothing to judge by otherwise
            settled = tracked.review["decision"] if tracked.review else None
            entry = as_entry(tracked, closes)
            beside = duplicates.findings(tracked.duplicates)
            result = screen(entry, closed, settled, beside).to_dict() | {"window_closed": closed}
        event = self._event(tracked, catalog.ScreeningCompleted, result, cause)
        # Compared in the event's own (validated, serialised) form, as the row keeps it.
        if _outcome(event.data) == _outcome(tracked.result):
            return tracked, []
        return replace(tracked, result=event.data), [event]

    def _record(self, tracked: Tracked, recorded: list[Recorded], cause: Cause) -> list[Event]:
        """The events a decision of the domain asked for, in their envelopes."""
        return [self._event(tracked, lookup(name), data, cause) for name, data in recorded]

    def _commit(
        self, conn: Connection, tracked: Tracked, events: list[Event], now: datetime
    ) -> Tracked:
        tracked = self._append(conn, tracked, events)
        rows.save(conn, tracked, now)
        return tracked

    def _append(self, conn: Connection, tracked: Tracked, events: list[Event]) -> Tracked:
        if not events:
            return tracked
        stored = self.store.append(
            conn, catalog.stream_id(tracked.submission_id), events, tracked.version
        )
        return replace(tracked, version=stored[-1].version)

    # -- consuming ----------------------------------------------------------------------

    def apply(self, conn: Connection, event: Event) -> None:
        """One intake or media event (see `apply_many`)."""
        self.apply_many(conn, [event])

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        """A batch of intake and media events, applied by the subscription in its transaction
        (once, in order; `shared.consumer.Many`). Media's events may arrive before intake's
        first: the row is made on the first event either way, and the entry is screened once
        it is known and submitted.

        The rows the batch touches are made and locked in one statement each (in id order,
        as every writer takes them), folded in memory and written back together: three
        statements a batch plus the appends, instead of three to five an event, which is what
        kept screening seconds behind intake at the deadline rush (issue #14). A late
        exception and matching's duplicate pairs re-screen rows through SQL, so what the batch
        changed is written first and read again after."""
        rows_ = _Batch(conn, self.clock)
        rows_.lock([e.data["submission_id"] for e in events if _tracks(e)])
        for event in events:
            if event.type == "BatchSent":
                rows_.flush()
                self._forward(conn, event)
                rows_.reload()
            elif event.type == "ExtensionGranted" or duplicates.concerns(event.type):
                rows_.flush()
                (self._extend if event.type == "ExtensionGranted" else self._pair)(conn, event)
                rows_.reload()
            elif _tracks(event):
                submission_id = event.data["submission_id"]
                rows_.put(self._apply_one(conn, rows_.get(submission_id), event))
        rows_.flush()

    def _apply_one(self, conn: Connection, before: Tracked, event: Event) -> Tracked:
        now = self.clock()
        after = fold(before, event.type, event.data, event.occurred_at)
        entry_version = None
        if event.stream_type == submission_catalog.STREAM_TYPE:
            # Every event of intake's entry stream is a version of the entry (a 保姆 assigned
            # too): the version staff see and name in their decisions.
            entry_version = event.version
            after = replace(after, entry_version=max(after.entry_version, event.version))
            after = forwarding.after_change(after, before, event.type, entry_version)
        cause = Cause.of(event)
        events: list[Event] = []
        # An amendment or a withdrawal made after staff's decisions voids them; the lapse is
        # caused by (and its envelope points at) the intake event, so the history says which.
        reason = decisions.lapse_reason(before, after, event.type, entry_version)
        if reason is not None:
            after, lapsed = decisions.lapse(after, cause.actor.subject, now, reason)
            events = self._record(after, lapsed, cause)
        after, screened = self._rescreen(conn, after, cause, now)
        return self._append(conn, after, events + screened)

    def _extend(self, conn: Connection, event: Event) -> None:
        """A late exception: the entries it covers are judged again at their new close (one
        judged ineligible at the call's close for a missing material is incomplete again
        until the extension ends; the deadline timer judges it then)."""
        now, cause = self.clock(), Cause.of(event)
        for submission_id in rows.add_extension(conn, event.data):
            tracked = rows.lock(conn, submission_id)
            if tracked is None:
                continue
            after, screened = self._rescreen(conn, tracked, cause, now)
            self._commit(conn, after, screened, now)

    def _forward(self, conn: Connection, event: Event) -> None:
        """A district's batch (`BatchSent`): each entry it forwarded is marked so, at the
        version and with the materials it froze; each it left out (not submitted, or
        ineligible) is no longer forwarded (a supplement replaces what an earlier batch said).
        Rows are locked in id order, as every writer takes them."""
        now = self.clock()
        manifest = event.data["manifest"]
        entries = {str(e["id"]): e for e in manifest.get("entries", []) if e.get("id")}
        left = {str(e["id"]) for e in manifest.get("not_included", []) if e.get("id")}
        for sid, tracked in rows.lock_many(conn, sorted(entries.keys() | left)).items():
            found = entries.get(sid)
            standing = forwarding.forwarded(event.data, found) if found else None
            rows.save(conn, replace(tracked, forwarded=standing), now)

    def _pair(self, conn: Connection, event: Event) -> None:
        """Matching's suspicion of a pair, its clearing, or staff's mark: folded into both
        entries' rows, and each re-screened (a ScreeningCompleted when its findings change).
        The rows are locked in id order, so two pairs sharing an entry never deadlock; an entry
        screening has not heard of yet keeps the pair until intake's events arrive."""
        now, cause = self.clock(), Cause.of(event)
        ids = sorted({str(event.data["submission_id"]), str(event.data["other_id"])})
        if len(ids) != 2:
            return  # an entry is never a copy of itself
        locked = {sid: rows.lock(conn, sid, create=True) for sid in ids}
        for sid in ids:
            tracked, other = locked[sid], locked[duplicates.other_of(event.data, sid)]
            assert tracked is not None and other is not None
            known = ((other.fields or {}).get("title"), other.district)
            pairs = duplicates.fold(tracked.duplicates, event.type, event.data, sid, known)
            after, screened = self._rescreen(conn, replace(tracked, duplicates=pairs), cause, now)
            self._commit(conn, after, screened, now)

    def close_windows(self, limit: int = 500) -> int:
        """Re-screen entries whose close has passed and were not screened as closed since:
        what is still missing at the deadline now excludes the entry (⑦), and a returned
        entry not submitted again by its due is ineligible, without anyone touching it.
        Returns how many entries were re-screened."""
        now = self.clock()
        closed = [call.id for call in self.calls.values() if call.has_closed(now)]
        with self.store.engine.connect() as conn:
            due = rows.awaiting_deadline(conn, closed, now, limit)
        done = 0
        for submission_id in due:
            with self.store.engine.begin() as conn:
                tracked = rows.lock(conn, submission_id)
                # Checked again under the lock: another process may have got here first.
                if (
                    tracked is None
                    or tracked.status not in (SUBMITTED, RETURNED)
                    or tracked.window_closed
                ):
                    continue
                after, events = self._rescreen(conn, tracked, Cause(SCREENER), now)
                self._commit(conn, after, events, now)
                done += 1
        return done

    # -- staff's decisions --------------------------------------------------------------

    @staticmethod
    def _staff(principal: Principal, message: str) -> None:
        if not principal.is_staff:
            raise Refused("forbidden", message)

    @staticmethod
    def _find(
        conn: Connection, principal: Principal, submission_id: str, lock: bool = False
    ) -> Tracked:
        """The entry's screening; 404 when unknown, not a UUID, or another district's (its
        existence is not leaked)."""
        try:
            uuid.UUID(submission_id)
        except ValueError:
            raise not_found("申报项目") from None
        tracked = (rows.lock if lock else rows.read)(conn, submission_id)
        if tracked is None or not tracked.known:
            raise not_found("申报项目")
        if principal.is_office and tracked.district != principal.district:
            raise not_found("申报项目")
        return tracked

    def _decide(
        self,
        principal: Principal,
        submission_id: str,
        act: str,
        decide: Callable[[Connection, Tracked, Cause, datetime], tuple[Tracked, list[Event]]],
        seen: int | None = None,
    ) -> dict[str, Any]:
        now = self.clock()
        cause = Cause(Actor.of(principal))
        with self.store.engine.begin() as conn:
            tracked = self._find(conn, principal, submission_id, lock=True)
            decisions.check_version(tracked, seen)
            decisions.check_decidable(tracked, act)
            after, events = decide(conn, tracked, cause, now)
            try:
                after = self._commit(conn, after, events, now)
            except VersionConflict as conflict:  # not expected under the row lock
                raise Refused(
                    "version_conflict",
                    "筛查结果已变化，请刷新后重试",
                    current_version=conflict.current,
                ) from None
        return screening_body(after)

    def review(
        self, principal: Principal, submission_id: str, body: Any, seen: int | None = None
    ) -> dict[str, Any]:
        """Staff settle the review items of an entry in review (`decisions.review`), then it
        is screened again with their decision."""
        self._staff(principal, "只有市科协工作人员可以审核")
        decision = ReviewBody().load(body)

        def decide(
            conn: Connection, tracked: Tracked, cause: Cause, now: datetime
        ) -> tuple[Tracked, list[Event]]:
            tracked, recorded = decisions.review(tracked, decision, principal.subject, now)
            events = self._record(tracked, [recorded], cause)
            tracked, screened = self._rescreen(conn, tracked, cause, now)
            return tracked, [*events, *screened]

        return self._decide(principal, submission_id, "审核", decide, seen)

    def select(
        self, principal: Principal, submission_id: str, body: Any, seen: int | None = None
    ) -> dict[str, Any]:
        """The city's selection (遴选), as `decisions.select` allows."""
        self._staff(principal, "只有市科协工作人员可以遴选")
        decision = SelectionBody().load(body)

        def decide(
            conn: Connection, tracked: Tracked, cause: Cause, now: datetime
        ) -> tuple[Tracked, list[Event]]:
            tracked, recorded = decisions.select(tracked, decision, principal.subject, now)
            if decision["decision"] == SELECTED:
                # 四(二): the city selects from what districts forwarded, as forwarded.
                forwarding.check_forwarded(tracked, "遴选")
            # `not_selected` over a selection ends the recommendation standing on it.
            tracked, ended = recommendations.lapse(tracked, recommendations.UNSELECTED)
            return tracked, self._record(tracked, [recorded, *ended], cause)

        return self._decide(principal, submission_id, "遴选", decide, seen)

    def recommend(
        self, principal: Principal, submission_id: str, body: Any, seen: int | None = None
    ) -> dict[str, Any]:
        """The city recommends a selected entry to the province (`recommendations.recommend`),
        its rank unique within the entry's call."""
        self._staff(principal, "只有市科协工作人员可以推荐省级")
        wanted = RecommendationBody().load(body)

        def decide(
            conn: Connection, tracked: Tracked, cause: Cause, now: datetime
        ) -> tuple[Tracked, list[Event]]:
            rows.lock_ranks(conn, tracked.call_id)
            holder = rows.rank_holder(conn, tracked.call_id, wanted["rank"])
            tracked, recorded = recommendations.recommend(
                tracked, wanted, holder, principal.subject, now
            )
            forwarding.check_forwarded(tracked, "推荐省级")
            return tracked, self._record(tracked, [recorded], cause)

        return self._decide(principal, submission_id, "推荐省级", decide, seen)

    def withdraw_recommendation(
        self, principal: Principal, submission_id: str, body: Any
    ) -> dict[str, Any]:
        """Staff withdraw an entry's recommendation (its rank becomes free)."""
        self._staff(principal, "只有市科协工作人员可以撤销推荐")
        reason = WithdrawalBody().load(body)["reason"]

        def decide(
            conn: Connection, tracked: Tracked, cause: Cause, now: datetime
        ) -> tuple[Tracked, list[Event]]:
            tracked, recorded = recommendations.withdraw(tracked, reason)
            return tracked, self._record(tracked, [recorded], cause)

        return self._decide(principal, submission_id, "撤销推荐", decide)

    # -- reading ------------------------------------------------------------------------

    def view(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        if principal.role not in ("office", "staff"):
            raise Refused("forbidden", "无权查看筛查结果")
        with self.store.engine.connect() as conn:
            return screening_body(self._find(conn, principal, submission_id))

    def states_of(self, submission_ids: list[str]) -> dict[str, dict[str, Any]]:
        """`{id: {state, entry_version, failed}}` for the entries screening knows: `failed`
        lists the findings that exclude an ineligible entry ({rule, clause, outcome, message}:
        fail, and missing once the call closed for it)."""
        wanted = [i for i in submission_ids if isinstance(i, str) and _is_uuid(i)]
        with self.store.engine.connect() as conn:
            found = rows.read_many(conn, wanted)
        states = {}
        for tracked in found:
            if not tracked.known:
                continue
            findings = (tracked.result or {}).get("findings", [])
            failed = [
                {k: f.get(k) for k in ("rule", "clause", "outcome", "message")}
                for f in findings
                if f.get("outcome") in ("fail", "missing")
            ]
            states[tracked.submission_id] = {
                "state": tracked.state,
                "entry_version": tracked.entry_version,
                "failed": failed if tracked.state == "ineligible" else [],
            }
        return states

    def outcome(self, submission_id: str) -> dict[str, Any] | None:
        """An entry's screening as `view` shows it, for intake's printed 回执 (intake has
        already checked who may read the entry); None when screening has not seen it."""
        try:
            uuid.UUID(submission_id)
        except (TypeError, ValueError, AttributeError):
            return None
        with self.store.engine.connect() as conn:
            tracked = rows.read(conn, submission_id)
        return None if tracked is None or not tracked.known else screening_body(tracked)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _tracks(event: Event) -> bool:
    """Whether an event concerns one entry's row: it can change its screening, or it is a
    version of the entry (`Tracked.entry_version`)."""
    return relevant(event.type) or event.stream_type == submission_catalog.STREAM_TYPE


class _Batch:
    """The rows a consumer batch works on, locked and held in memory until written back."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.conn, self.clock = conn, clock
        self.rows: dict[str, Tracked] = {}
        self.changed: set[str] = set()

    def lock(self, submission_ids: list[str]) -> None:
        self.rows.update(rows.lock_many(self.conn, sorted(set(submission_ids))))

    def get(self, submission_id: str) -> Tracked:
        return self.rows[submission_id]

    def put(self, tracked: Tracked) -> None:
        if tracked != self.rows[tracked.submission_id]:
            self.rows[tracked.submission_id] = tracked
            self.changed.add(tracked.submission_id)

    def flush(self) -> None:
        rows.save_many(self.conn, [self.rows[i] for i in sorted(self.changed)], self.clock())
        self.changed.clear()

    def reload(self) -> None:
        """Read the rows again (after SQL changed them); they stay locked."""
        self.rows = rows.lock_many(self.conn, sorted(self.rows))
