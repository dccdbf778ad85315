"""Matching's answers and its one command, with who may see what.

- An entry's matches: an office asks about its own district's entries only (another's is 404,
  as if it did not exist); staff about any. Counterparts are handed-in entries only (submitted,
  not withdrawn), since an office sees them: another district's draft is not for its eyes.
  A dismissed match is left out; a confirmed one is marked.
- Decisions (confirm 对接成功, dismiss): staff only, on a challenge and an offer both known and
  not withdrawn; recorded as a `MatchDecided` event in matching's own store and in
  `match_decisions`, in one transaction.
- Duplicates: staff only, among handed-in entries, each pair with staff's decision on it if
  any; staff mark a pair `duplicate_of` (the first named is the copy) or `not_duplicate`,
  recorded as a `DuplicateMarked` event and in `duplicate_decisions`, in one transaction.
- The matches table (供需对接表): staff only; each handed-in challenge with its top REPORTED
  offers as its matches list them, and any offer confirmed for it that is not among them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import eventlet
from eventlet import tpool
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert

from services.matching.adapters import export, index
from services.matching.adapters.live import profile_of
from services.matching.adapters.tables import (
    decisions,
    duplicate_decisions,
    duplicate_suspicions,
    entries,
)
from services.matching.domain import duplicates, scoring, semantic, text
from services.matching.domain.profile import NEED, OFFER, Profile
from shared.auth import Principal
from shared.catalog import matching as catalog
from shared.catalog.vocabulary import CHALLENGE
from shared.errors import Refused, not_found, parse_id
from shared.events import Actor, new_event
from shared.eventstore import EventStore
from shared.fields import Text

MAX_LIMIT = 50
REPORTED = 5
LINKED = 3  # the matches whose semantic link (语义相近：瓦斯 ≈ 甲烷) is looked for
WARMED = 32  # words embedded after one answer at most, for the next ones' links
ENTRY = "项目"


class LimitSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(
        load_default=10,
        strict=False,
        validate=validate.Range(1, MAX_LIMIT, error="须为 1 到 {max} 之间的整数"),
        error_messages={"invalid": "须为整数"},
    )
    # The matches of band 弱 too (by default only 强 and 中 are listed).
    weak = fields.Boolean(load_default=False, error_messages={"invalid": "须为 true 或 false"})


class DecisionSchema(Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(catalog.DECISIONS, error="必须是 confirmed 或 dismissed"),
        error_messages={"required": "必须填写"},
    )
    note = Text(load_default="", validate=validate.Length(max=2000, error="最多 {max} 个字"))


class DuplicateDecisionSchema(Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(
            catalog.DUPLICATE_DECISIONS, error="必须是 duplicate_of 或 not_duplicate"
        ),
        error_messages={"required": "必须填写"},
    )
    note = Text(load_default="", validate=validate.Length(max=2000, error="最多 {max} 个字"))


def _staff_only(principal: Principal, what: str) -> None:
    if not principal.is_staff:
        raise Refused("forbidden", f"只有市科协工作人员可以{what}")


def summary_of(profile: Profile) -> dict[str, Any]:
    return {
        "submission_id": profile.submission_id,
        "category": profile.category,
        "title": profile.title,
        "district": profile.district,
        "call_id": profile.call_id,
        "applicant_name": profile.applicant_name,
    }


def linked(subject: Profile, found: list[scoring.Match]) -> tuple[list[scoring.Match], list[str]]:
    """`found` with the semantic link of the first LINKED matches named: the closest pair of
    the two entries' key words whose vectors are cached; and the words that are not, for
    `warm` to embed after the answer (about 10 ms a word: embedded in the request, they were
    most of one answer's time at 100,000 entries)."""
    mine = semantic.key_words(subject)
    out, words = [], list(mine)
    for n, match in enumerate(found):
        if n < LINKED and match.semantic > 0:
            theirs = semantic.key_words(match.other)
            words += theirs
            match = replace(match, link=semantic.link(mine, theirs, scoring.LINK_LEAST, 0))
        out.append(match)
    return out, semantic.uncached(words)


def warm(words: list[str]) -> None:
    """Embeds `words` for later answers' links, in an OS thread (started by the caller in a
    green thread of its own, so no answer waits for it)."""
    tpool.execute(semantic.word_vectors, words[:WARMED])


def _report_rows(
    live: Any, challenges: list[tuple[Profile, list[str]]], decided: dict[str, dict[str, str]]
) -> list[export.Row]:
    """The 供需对接表's rows: each challenge's top REPORTED offers of band 中 or better, and the
    confirmed ones among the rest; a challenge with none says it has no good match."""
    offers = live.counterparts(NEED)
    rows = []
    for challenge, terms in challenges:
        its = decided.get(challenge.submission_id, {})
        dismissed = {sid for sid, decision in its.items() if decision == "dismissed"}
        vector = live.vector(challenge.submission_id)
        found = offers.rank(challenge, terms, REPORTED, dismissed, vector=vector)
        own = [
            export.Row(challenge, n, m.other, m.score, m.explanation,
                       its.get(m.other.submission_id), m.band)
            for n, m in enumerate(found, start=1)
        ]  # fmt: skip
        shown = {m.other.submission_id for m in found}
        for sid, decision in sorted(its.items()):
            offer = offers.profile(sid)
            if decision == "confirmed" and sid not in shown and offer is not None:
                own.append(export.Row(challenge, None, offer, None, "", decision))
        rows.extend(own or [export.Row(challenge, None, None, None, scoring.NO_GOOD_MATCH, None)])
    return rows


def _decision(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"decision": row.decision, "submission_id": row.submission_id,
            "other_id": row.other_id, "note": row.note}  # fmt: skip


class Matching:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def refresh_index(self) -> None:
        with self.engine.connect() as conn:
            index.current(self.engine, conn)

    def _entry(self, submission_id: str) -> tuple[Profile, list[str], Any] | None:
        """The entry, its words and its sentence embedding (a draft's: derived now, the
        embedding in an OS thread)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(entries).where(entries.c.submission_id == submission_id)
            ).first()
        if row is None:
            return None
        profile = profile_of(row)
        terms = list(row.terms) or text.terms(profile)
        return profile, terms, semantic.from_bytes(row.embedding)

    def _vector(self, profile: Profile, stored: Any) -> Any:
        if stored is not None or profile.side is None:
            return stored
        return tpool.execute(semantic.vector, profile)

    def _visible(self, principal: Principal, submission_id: str) -> tuple[Profile, list[str], Any]:
        """The entry `principal` may ask about: an office's own (not withdrawn), any for staff."""
        if not (principal.is_staff or principal.is_office):
            raise Refused("forbidden", "无权查看供需对接")
        found = self._entry(parse_id(submission_id, ENTRY))
        if found is None or found[0].status == "withdrawn" or found[0].side is None:
            raise not_found(ENTRY)
        if principal.is_office and found[0].district != principal.district:
            raise not_found(ENTRY)
        return found

    def matches(self, principal: Principal, submission_id: str, args: dict[str, str]) -> dict:
        subject, subject_terms, stored = self._visible(principal, submission_id)
        asked = LimitSchema().load(args)
        limit = asked["limit"]
        vector = self._vector(subject, stored)
        with self.engine.connect() as conn:
            column = decisions.c.challenge_id if subject.side == NEED else decisions.c.offer_id
            other = decisions.c.offer_id if subject.side == NEED else decisions.c.challenge_id
            decided = {
                row.other: row.decision
                for row in conn.execute(
                    select(other.label("other"), decisions.c.decision).where(
                        column == subject.submission_id
                    )
                )
            }
            counterparts = index.current(self.engine, conn).counterparts(subject.side)
        dismissed = {sid for sid, decision in decided.items() if decision == "dismissed"}
        found = counterparts.rank(
            subject, subject_terms, limit, dismissed, vector=vector, weak=asked["weak"]
        )
        found, unknown = linked(subject, found)
        if unknown:
            eventlet.spawn_n(warm, unknown)
        good = any(match.band in ("强", "中") for match in found)
        return {
            **summary_of(subject),
            "side": subject.side,
            "verdict": "matched" if good else "no_good_match",
            "message": "" if good else scoring.NO_GOOD_MATCH,
            "items": [
                {
                    **summary_of(match.other),
                    "score": match.score,
                    "band": match.band,
                    "semantic": match.semantic,
                    "explanation": match.explanation,
                    "reasons": {
                        "terms": list(match.terms),
                        "industry_codes": list(match.industries),
                        "cooperation_mode": match.cooperation,
                        "city": match.city,
                        "semantic_link": list(match.link) if match.link else None,
                    },
                    "decision": decided.get(match.other.submission_id),
                }
                for match in found
            ],
        }

    def decide(
        self, principal: Principal, submission_id: str, other_id: str, body: Any
    ) -> dict[str, Any]:
        _staff_only(principal, "确认或排除供需对接")
        if not isinstance(body, dict):
            raise Refused("validation_failed", "请求体必须是 JSON 对象", {"_body": ["须为对象"]})
        checked = DecisionSchema().load(body)
        pair = []
        for sid in (submission_id, other_id):
            found = self._entry(parse_id(sid, ENTRY))
            if found is None or found[0].status == "withdrawn" or found[0].side is None:
                raise not_found(ENTRY)
            pair.append(found[0])
        a, b = pair
        if not a.answers(b):
            raise Refused(
                "validation_failed",
                "供需对接须是一个科技难题和一个成果、推广项目或金融产品",
                {"other_id": ["须与前一个项目一需一供"]},
            )
        need, offer = (a, b) if a.side == NEED else (b, a)
        assert offer.side == OFFER
        actor = Actor.of(principal)
        data = {"challenge_id": need.submission_id, "offer_id": offer.submission_id, **checked}
        event = new_event(
            catalog.MatchDecided, catalog.stream_id(need.submission_id, offer.submission_id),
            data, actor=actor,
        )  # fmt: skip
        at = datetime.now(UTC)
        row = {**data, "decided_by": principal.subject, "decided_at": at}
        with self.engine.begin() as conn:
            EventStore(self.engine).append(conn, event.stream_id, [event], expected_version=None)
            statement = insert(decisions).values(**row)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[decisions.c.challenge_id, decisions.c.offer_id],
                    set_={k: statement.excluded[k] for k in ("decision", "note", "decided_by",
                                                              "decided_at")},
                )
            )  # fmt: skip
        return row

    def report(self, principal: Principal) -> list[export.Row]:
        _staff_only(principal, "导出供需对接表")
        with self.engine.connect() as conn:
            challenges = [
                (profile_of(row), list(row.terms))
                for row in conn.execute(
                    select(entries)
                    .where(entries.c.status == "submitted", entries.c.category == CHALLENGE)
                    .order_by(entries.c.district, entries.c.title, entries.c.submission_id)
                )
            ]
            decided: dict[str, dict[str, str]] = {}
            for row in conn.execute(select(decisions)):
                decided.setdefault(row.challenge_id, {})[row.offer_id] = row.decision
            live = index.current(self.engine, conn)
        # Ranking every challenge is CPU work (seconds at 100,000 entries): in an OS thread,
        # so the hub keeps serving every other request meanwhile.
        return tpool.execute(_report_rows, live, challenges, decided)  # type: ignore[no-any-return]

    def mark_duplicate(
        self, principal: Principal, submission_id: str, other_id: str, body: Any
    ) -> dict[str, Any]:
        _staff_only(principal, "认定疑似重复申报")
        if not isinstance(body, dict):
            raise Refused("validation_failed", "请求体必须是 JSON 对象", {"_body": ["须为对象"]})
        checked = DuplicateDecisionSchema().load(body)
        ids = []
        for sid in (submission_id, other_id):
            found = self._entry(parse_id(sid, ENTRY))
            if found is None or found[0].status == "withdrawn":
                raise not_found(ENTRY)
            ids.append(found[0].submission_id)
        if ids[0] == ids[1]:
            raise Refused("validation_failed", "须是两个不同的项目",
                          {"other_id": ["不能与前一个项目相同"]})  # fmt: skip
        data = {"submission_id": ids[0], "other_id": ids[1], **checked}
        actor = Actor(principal.role, principal.subject, principal.district)
        event = new_event(catalog.DuplicateMarked, catalog.duplicate_stream_id(*ids), data,
                          actor=actor)  # fmt: skip
        first, second = sorted(ids)
        row = {**data, "decided_by": principal.subject, "decided_at": datetime.now(UTC)}
        with self.engine.begin() as conn:
            EventStore(self.engine).append(conn, event.stream_id, [event], expected_version=None)
            statement = insert(duplicate_decisions).values(first_id=first, second_id=second, **row)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[duplicate_decisions.c.first_id,
                                    duplicate_decisions.c.second_id],
                    set_={k: statement.excluded[k] for k in row},
                )
            )  # fmt: skip
        return row

    def _pairs(self) -> list[duplicates.Pair]:
        """The near-duplicate pairs among the handed-in entries, most alike first."""
        with self.engine.connect() as conn:
            return index.current(self.engine, conn).duplicate_pairs()

    def publish_suspicions(self) -> tuple[int, int]:
        """A `DuplicateSuspected` for each pair newly alike, a `DuplicateCleared` for each pair
        no longer found (edited apart, one withdrawn): the events screening is to raise and
        clear its 疑似重复申报 finding by. Each in one transaction with its row in
        `duplicate_suspicions`, whose insert or delete decides, so two processes never
        publish the same pair twice. Returns (suspected, cleared)."""
        found = {(p.a.submission_id, p.b.submission_id): p for p in self._pairs()}
        with self.engine.connect() as conn:
            known = {(r.first_id, r.second_id) for r in conn.execute(select(duplicate_suspicions))}
        store, suspected, cleared = EventStore(self.engine), 0, 0
        for key in sorted(found.keys() - known):
            pair = found[key]
            data = {
                "submission_id": pair.a.submission_id, "other_id": pair.b.submission_id,
                "similarity": pair.similarity, "title": pair.a.title,
                "district": pair.a.district, "other_title": pair.b.title,
                "other_district": pair.b.district,
            }  # fmt: skip
            event = new_event(catalog.DuplicateSuspected, catalog.duplicate_stream_id(*key), data)
            with self.engine.begin() as conn:
                inserted = conn.execute(
                    insert(duplicate_suspicions)
                    .values(first_id=key[0], second_id=key[1], similarity=pair.similarity,
                            suspected_at=datetime.now(UTC))
                    .on_conflict_do_nothing()
                ).rowcount  # fmt: skip
                if inserted:
                    store.append(conn, event.stream_id, [event], expected_version=None)
                    suspected += 1
        for key in sorted(known - found.keys()):
            data = {"submission_id": key[0], "other_id": key[1]}
            event = new_event(catalog.DuplicateCleared, catalog.duplicate_stream_id(*key), data)
            with self.engine.begin() as conn:
                deleted = conn.execute(
                    duplicate_suspicions.delete().where(
                        duplicate_suspicions.c.first_id == key[0],
                        duplicate_suspicions.c.second_id == key[1],
                    )
                ).rowcount
                if deleted:
                    store.append(conn, event.stream_id, [event], expected_version=None)
                    cleared += 1
        return suspected, cleared

    def duplicates(self, principal: Principal, page: int, per_page: int) -> tuple[list, int]:
        _staff_only(principal, "查看疑似重复申报")
        found = self._pairs()
        with self.engine.connect() as conn:
            marked = {
                (row.first_id, row.second_id): row
                for row in conn.execute(select(duplicate_decisions))
            }
        start = (page - 1) * per_page
        items = [
            {
                "a": summary_of(pair.a),
                "b": summary_of(pair.b),
                "similarity": pair.similarity,
                "title_similarity": pair.title_similarity,
                "fields": list(pair.fields),
                "decision": _decision(marked.get((pair.a.submission_id, pair.b.submission_id))),
            }
            for pair in found[start : start + per_page]
        ]
        return items, len(found)
