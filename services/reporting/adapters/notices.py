"""Storing notices: the `reporting-notices` subscription's `apply`, and the deadline timer.

Each event is applied inside the subscription's transaction (its checkpoint moves with it):
the entry's facts are locked, the event's notices derived from the facts as they were, and
both written, with the notices' e-mails queued in the outbox in the same transaction (when
e-mail is on), so a notice is never stored without its e-mail or mailed without being stored.
Notices are inserted with ON CONFLICT DO NOTHING on their deterministic ids: a replay, a rebuild
of the checkpoints or two processes' deadline timers give no duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from services.reporting.adapters import notice_tables as t
from services.reporting.adapters.mailer import Smtp
from services.reporting.domain import notices as domain
from shared import calls, config
from shared.calls import Call
from shared.consumer import Many, Subscription, Turns
from shared.dependencies import Subscriber
from shared.events import Event
from shared.eventstore import consumer_checkpoint

CONSUMER = "reporting-notices"

# (event id, type, data, occurred at): an event as the notices need it
Change = tuple[str, str, dict[str, Any], datetime]


def _facts(row: Any) -> domain.Facts:
    return domain.Facts(**{name: row._mapping[name] for name in domain.Facts._fields})


class Notices:
    """Applying events and the clock to the notices of one database."""

    def __init__(self, calls: Mapping[str, Call], mail: bool) -> None:
        self.calls = calls
        self.mail = mail  # queue e-mails (KECHUANG_SMTP_URL set)

    def apply(self, conn: Connection, event: Event) -> None:
        self.apply_many(conn, [event])

    def apply_many(self, conn: Connection, events: list[Event]) -> None:
        """A consumer batch (`shared.consumer.Many`)."""
        self.apply_changes(conn, [(str(e.event_id), e.type, e.data, e.occurred_at) for e in events])

    def apply_changes(self, conn: Connection, changes: list[Change]) -> None:
        """The facts of the entries the changes touch are locked and read once (in id order),
        each change derives its notices from the facts as they were before it, and the changed
        facts are written back in one statement."""
        relevant = [change for change in changes if change[1] in domain.RELEVANT]
        if not relevant:
            return
        ids = sorted({i for _, _, data, _ in relevant
                      if isinstance(i := data.get("submission_id"), str)})  # fmt: skip
        facts: dict[str, domain.Facts] = {}
        if ids:
            rows = conn.execute(
                select(t.entries)
                .where(t.entries.c.submission_id.in_(ids))
                .order_by(t.entries.c.submission_id)
                .with_for_update()
            ).all()
            facts = {row.submission_id: _facts(row) for row in rows}
        before = dict(facts)
        for event_id, type_, data, at in relevant:
            if type_ == "ExtensionGranted":
                self._record_extension(conn, data)
            if type_ == "ExtensionGranted" and data.get("submission_id") is None:
                self._extend(conn, data)
            submission_id = data.get("submission_id")
            known = facts.get(submission_id) if isinstance(submission_id, str) else None
            self.store(conn, domain.derive(event_id, type_, data, at, known, self.calls))
            after = domain.fold_facts(known, type_, data)
            if isinstance(submission_id, str) and after is not None and after != known:
                facts[submission_id] = after
        changed = [f._asdict() for i, f in sorted(facts.items()) if before.get(i) is not f]
        if changed:
            statement = insert(t.entries).values(changed)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[t.entries.c.submission_id],
                    set_={name: statement.excluded[name] for name in domain.Facts._fields
                          if name != "submission_id"},
                )
            )  # fmt: skip

    def _record_extension(self, conn: Connection, data: dict[str, Any]) -> None:
        """Every extension, as granted (the entries report's 延期至); once per event."""
        until = data["until"]
        until = datetime.fromisoformat(until) if isinstance(until, str) else until
        conn.execute(
            insert(t.granted)
            .values(
                extension_id=str(data["extension_id"]), call_id=data["call_id"],
                district=data["district"], submission_id=data.get("submission_id"), until=until,
            )
            .on_conflict_do_nothing()
        )  # fmt: skip

    def _extend(self, conn: Connection, data: dict[str, Any]) -> None:
        until = data["until"]
        until = datetime.fromisoformat(until) if isinstance(until, str) else until
        statement = insert(t.extensions).values(
            call_id=data["call_id"], district=data["district"], until=until
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[t.extensions.c.call_id, t.extensions.c.district],
                set_={"until": func.greatest(t.extensions.c.until, statement.excluded.until)},
            )
        )

    def store(self, conn: Connection, made: Iterable[domain.Notice]) -> int:
        """Insert the notices not stored yet (and their e-mails); returns how many were new."""
        new = 0
        for notice in made:
            stored = conn.execute(
                insert(t.notices)
                .values(
                    notice_id=notice.notice_id,
                    recipient=notice.recipient,
                    kind=notice.kind,
                    title=notice.title,
                    body=notice.body,
                    submission_id=notice.submission_id,
                    created_at=notice.at,
                )
                .on_conflict_do_nothing()
                .returning(t.notices.c.notice_id)
            ).first()
            if stored is None:
                continue  # made before: its e-mail, if any, was queued with it
            new += 1
            if self.mail and notice.email:
                conn.execute(
                    insert(t.outbox)
                    .values(
                        notice_id=notice.notice_id,
                        address=notice.email,
                        subject=f"【科创项目征集】{notice.title}",
                        body=notice.body,
                        status="pending",
                        created_at=func.now(),
                        attempts=0,
                    )
                    .on_conflict_do_nothing()
                )
        return new

    def warn_of_deadlines(self, engine: Engine, now: datetime) -> int:
        """The deadline timer: store the warnings due at `now` (see
        `domain.notices.deadline_notices`); idempotent, so any process may run it any time."""
        with engine.begin() as conn:
            # One row per kind of entry, not per entry: a call has thousands of them.
            c = t.entries.c
            kinds = conn.execute(
                select(c.call_id, c.district, c.status, c.screening_state).distinct()
            ).all()
            work = [
                (k.call_id, k.district)
                for k in kinds
                if k.call_id
                and k.district
                and domain.work_left(
                    domain.Facts("", status=k.status, screening_state=k.screening_state)
                )
            ]
            extended = {
                (row.call_id, row.district): row.until
                for row in conn.execute(select(t.extensions)).all()
            }
            made = domain.deadline_notices(self.calls.values(), work, extended, now)
            return self.store(conn, made)


def replay_from_start(conn: Connection) -> None:
    """Make the notices be derived again from the owners' whole logs (say, after a change of
    the derivation): forget the facts and the checkpoints together, keep the notices and their
    read marks. The facts must go with the checkpoints: a notice is derived from the facts as
    they were *before* its event, and facts of a later time would derive different notices
    (a first submission judged as a resubmission). Replayed notices keep their ids, so those
    already stored are not stored again."""
    conn.execute(delete(t.entries))
    conn.execute(delete(t.extensions))
    conn.execute(delete(consumer_checkpoint).where(consumer_checkpoint.c.consumer == CONSUMER))


class Feed:
    """What a worker uses: the notices' subscription, the notices, and their engine."""

    def __init__(self, subscription: Subscription, notices: Notices, engine: Engine,
                 smtp: Smtp | None) -> None:  # fmt: skip
        self.subscription = subscription
        self.notices = notices
        self.engine = engine
        self.smtp = smtp

    def handle(self, event: Event) -> None:
        self.subscription.handle(event, Many(self.notices.apply_many))

    def catch_up_all(self) -> None:
        self.subscription.catch_up_all(Many(self.notices.apply_many))


class NoticeFeed(DependencyProvider):
    """The `reporting-notices` subscription beside the service's reporting one: the same
    events, engine and RPC proxy (no extra connections), its own checkpoints and turns, so the
    notices advance independently of the report projection (a rebuild of the reports resets
    only the projection's checkpoints, never the notices')."""

    def setup(self) -> None:
        settings = config.load()
        self.calls = calls.load(settings.calls_file)
        self.smtp = Smtp.parse(settings.smtp_url, settings.smtp_from) if settings.smtp_url else None
        self.turns = Turns()

    def _reports(self) -> Subscriber:
        found = [d for d in self.container.dependencies if isinstance(d, Subscriber)]
        if len(found) != 1:
            raise RuntimeError("NoticeFeed needs exactly one Subscriber beside it")
        return found[0]

    def get_dependency(self, worker_ctx: Any) -> Feed:
        reports = self._reports()
        assert reports.engine is not None
        subscription = Subscription(
            reports.engine, CONSUMER, reports.stream_owners, reports._fetch, turns=self.turns
        )
        notices = Notices(self.calls, mail=self.smtp is not None)
        return Feed(subscription, notices, reports.engine, self.smtp)
