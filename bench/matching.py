"""Matching (供需对接), measured: quality on the labelled set, speed with 100,000 entries, and how
soon a change reaches the index.

Prints
- on the labelled set (tests/data/matching, tests/matching_set.py): hit@5, MRR and recall@10 of
  the challenges' matches (aim hit@5 >= 0.9), and the precision and recall of the entries handed
  in twice (aims 0.95 and 0.9);
- the p50 / p99 latency of one entry's matches (`queries.Matching.matches`, what
  `GET /api/v1/matches/{id}` runs) with `--entries` entries indexed in a throw-away database
  (aim p99 < 100 ms): before, reading and ranking the whole pool per query as matching did
  until the index; after, through the process's index. The entries are made of the labelled
  set's own phrases (titles, clauses of summaries and benefits, keywords, industries) put
  together at random, so their words are as frequent and as shared as real ones;
- how long a change takes to reach the index: an entry handed in, applied as matching's
  consumer applies intake's events, until a challenge's matches show it (aim < 1 s); with
  `--stack`, also through the running stack's front door (intake, the relay, RabbitMQ and
  matching's consumer), from the acknowledged submit until the challenge's matches list it.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click
import requests
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

import shared.catalog  # noqa: F401  (registers the event types)
from ops import schema
from services.matching.adapters import live
from services.matching.adapters.tables import entries
from services.matching.domain import duplicates, quality, text
from services.matching.domain.index import rank
from services.matching.domain.profile import NEED, OFFERS, Profile
from services.matching.queries import Matching
from shared import config
from shared.auth import Principal, issue
from shared.catalog import submission
from shared.db import make_engine
from shared.events import new_event
from tests.matching_set import LabelledSet, load

STAFF = Principal("bench-matching", "staff")
CLAUSE = re.compile(r"[^，。；：、]+[，。；：、]?")


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A database of its own on the local PostgreSQL (the test role's), dropped afterwards."""
    admin_url = config.load().db_url("test")
    name = f"kechuang_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def labelled_quality(labelled: LabelledSet) -> None:
    profiles = {p.submission_id: p for p in labelled.profiles()}
    pool = [(p, text.terms(p)) for p in profiles.values()]
    terms = {p.submission_id: t for p, t in pool}
    figures = quality.matching(
        labelled.matches,
        lambda c: [m.other.submission_id for m in rank(profiles[c], terms[c], pool, quality.TOP)],
    )
    click.echo(
        f"matching, {figures.challenges} challenges (copies included) among {len(profiles)} "
        f"entries: hit@5 {figures.hit_at_5:.3f} (aim >= 0.9), MRR {figures.mrr:.3f}, "
        f"recall@10 {figures.recall_at_10:.3f}"
    )
    for challenge, top in figures.misses:
        click.echo(f"  no true match in the top 5 of {challenge}: {', '.join(top)}")
    signed = [(p, duplicates.signature(p)) for p in profiles.values()]
    found = [frozenset((p.a.submission_id, p.b.submission_id)) for p in duplicates.pairs(signed)]
    dup = quality.duplicates(labelled.duplicates, found)
    click.echo(
        f"duplicates, {dup.pairs} pairs handed in twice, {dup.found} found: "
        f"precision {dup.precision:.3f} (aim >= 0.95), recall {dup.recall:.3f} (aim >= 0.9)"
    )


class Synthesiser:
    """Entries made of the labelled set's phrases, and their words as `text.terms` gives them
    (each phrase segmented once: segmenting 100,000 whole texts would take minutes)."""

    def __init__(self, labelled: LabelledSet, seed: int) -> None:
        self.rng = random.Random(seed)
        written = list(labelled.entries.values())
        self.titles = [e["title"] for e in written]
        self.clauses = [c for e in written for c in CLAUSE.findall(e["summary"] + e["benefits"])]
        self.keywords = sorted({k for e in written for k in e["keywords"]})
        self.codes = [tuple(e["industry_codes"]) for e in written]
        self.districts = sorted({e["district"] for e in written})
        self.words: dict[str, list[str]] = {}

    def _words(self, phrase: str) -> list[str]:
        if phrase not in self.words:
            self.words[phrase] = text.words(phrase)
        return self.words[phrase]

    def row(self) -> dict[str, Any]:
        rng = self.rng
        category = rng.choice(["challenge", "challenge", *OFFERS, "achievement", "promotion"])
        title = rng.choice(self.titles)
        summary = rng.sample(self.clauses, rng.randint(3, 6))
        benefits = rng.choice(self.clauses)
        keywords = rng.sample(self.keywords, rng.randint(2, 4))
        keyword_words = [w for k in keywords for w in ({k.lower()} | set(self._words(k)))]
        terms = (
            self._words(title) * text.TITLE_WEIGHT
            + keyword_words * text.KEYWORD_WEIGHT
            + [w for clause in summary for w in self._words(clause)]
            + self._words(benefits)
        )
        district = rng.choice(self.districts)
        return {
            "submission_id": str(uuid.uuid4()), "district": district, "call_id": "bench",
            "category": category, "status": "submitted", "title": title,
            "summary": "".join(summary), "benefits": benefits, "applicant_name": "",
            "keywords": keywords, "industry_codes": list(rng.choice(self.codes)),
            "cooperation_mode": rng.choice(["joint", "commissioned", "either", "none"])
            if category == "challenge" else None,
            "region_code": district, "terms": terms, "signature": b"",
            "updated_at": datetime.now(UTC),
        }  # fmt: skip


def fill(engine: Engine, synthesiser: Synthesiser, count: int) -> list[str]:
    ids: list[str] = []
    batch = 5000
    with engine.begin() as conn:
        for start in range(0, count, batch):
            rows = [synthesiser.row() for _ in range(min(batch, count - start))]
            conn.execute(insert(entries), rows)
            ids.extend(row["submission_id"] for row in rows)
    return ids


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def whole_pool(engine: Engine, subject_id: str) -> None:
    """How matching answered before the index: read the other side's pool, rank it all."""
    with engine.connect() as conn:
        row = conn.execute(select(entries).where(entries.c.submission_id == subject_id)).one()
        subject = live.profile_of(row)
        wanted = ["challenge"] if subject.side != NEED else list(OFFERS)
        pool = [
            (live.profile_of(r), list(r.terms))
            for r in conn.execute(
                select(entries).where(entries.c.status == "submitted",
                                      entries.c.category.in_(wanted))
            )
        ]  # fmt: skip
    rank(subject, list(row.terms), pool, 10)


def latency(engine: Engine, ids: list[str], queries: int, before: int, seed: int) -> None:
    rng = random.Random(seed)
    matching = Matching(engine)
    load_time = timed(lambda: matching.matches(STAFF, ids[0], {}))
    click.echo(f"  the index's first load ({len(ids)} entries, once per process): "
               f"{load_time:.1f} s")  # fmt: skip
    if before:
        took = [timed(lambda: whole_pool(engine, rng.choice(ids))) for _ in range(before)]
        click.echo(
            f"  before (whole pool read and ranked per query), {before} queries: "
            f"p50 {statistics.median(took) * 1000:.0f} ms, max {max(took) * 1000:.0f} ms"
        )
    took = [timed(lambda: matching.matches(STAFF, rng.choice(ids), {})) for _ in range(queries)]
    click.echo(
        f"  after (the index), {queries} queries: p50 {statistics.median(took) * 1000:.1f} ms, "
        f"p99 {percentile(took, 0.99) * 1000:.1f} ms (aim < 100 ms)"
    )


def events_of(profile: Profile, fields: dict[str, Any]) -> Iterator[Any]:
    sid = profile.submission_id
    yield new_event(submission.SubmissionDrafted, submission.stream_id(sid), {
        "submission_id": sid, "district": profile.district, "call_id": "bench",
        "category": profile.category, "fields": fields,
    })  # fmt: skip
    yield new_event(submission.SubmissionSubmitted, submission.stream_id(sid),
                    {"submission_id": sid, "call_id": "bench"})  # fmt: skip


def in_process_freshness(engine: Engine, labelled: LabelledSet, times: int) -> None:
    """Hand in a copy of a true match of a challenge and wait until the challenge's matches show
    it: applied as matching's consumer applies intake's events, read through the index."""
    matching = Matching(engine)
    # A word of this run's own in both, so the offers handed in rank first among 100,000.
    word = f"fresh{uuid.uuid4().hex[:8]}"
    challenge = Profile(submission_id=str(uuid.uuid4()), district="511921", category="challenge")
    body = labelled.body("agr-c1")
    with engine.begin() as conn:
        for event in events_of(challenge, body | {"keywords": [*body["keywords"], word]}):
            live.apply(conn, event)
    matching.matches(STAFF, challenge.submission_id, {})
    took = []
    for _ in range(times):
        offer = Profile(submission_id=str(uuid.uuid4()), district="511903", category="achievement")
        body = labelled.body("agr-a1")
        body["keywords"] = [*body["keywords"], word]
        started = time.perf_counter()
        with engine.begin() as conn:
            for event in events_of(offer, body):
                live.apply(conn, event)
        while offer.submission_id not in [
            item["submission_id"]
            for item in matching.matches(STAFF, challenge.submission_id, {"limit": "50"})["items"]
        ]:
            time.sleep(0.001)
        took.append(time.perf_counter() - started)
    click.echo(
        f"  in process (applied as the consumer does, then the index), {times} changes: "
        f"p50 {statistics.median(took) * 1000:.1f} ms, max {max(took) * 1000:.1f} ms (aim < 1 s)"
    )


def stack_freshness(labelled: LabelledSet, times: int) -> None:
    """The same through the running stack's front door."""
    base = f"http://127.0.0.1:{os.environ.get('KECHUANG_PORT', '8080')}"
    key = config.load().jwt_private_key()
    office = {"Authorization": f"Bearer {issue(key, 'office', 'bench-matching', '巴州区')}"}
    staff = {"Authorization": f"Bearer {issue(key, 'staff', 'bench-matching')}"}
    session = requests.Session()
    tag = uuid.uuid4().hex[:8]

    def hand_in(entry_id: str) -> str:
        body = labelled.body(entry_id) | {"call_id": "demo"}
        body["title"] = f"{body['title']}（{tag}）"
        body["keywords"] = [*body["keywords"], f"fresh{tag}"]
        created = session.post(f"{base}/api/v1/submissions", json=body, headers=office,
                               timeout=30)  # fmt: skip
        created.raise_for_status()
        sid = created.json()["id"]
        session.post(f"{base}/api/v1/submissions/{sid}/submit", headers=office,
                     timeout=30).raise_for_status()  # fmt: skip
        return str(sid)

    def listed(challenge: str) -> list[str]:
        answer = session.get(f"{base}/api/v1/matches/{challenge}?limit=50", headers=staff,
                             timeout=30)  # fmt: skip
        if answer.status_code == 404:
            return []
        answer.raise_for_status()
        return [item["submission_id"] for item in answer.json()["items"]]

    challenge = hand_in("agr-c1")
    deadline = time.monotonic() + 30
    while session.get(f"{base}/api/v1/matches/{challenge}", headers=staff,
                      timeout=30).status_code == 404:  # fmt: skip
        if time.monotonic() > deadline:
            raise click.ClickException("matching never heard of the challenge handed in")
        time.sleep(0.05)
    took = []
    for _ in range(times):
        offer = hand_in("agr-a1")
        acked = time.perf_counter()
        while offer not in listed(challenge):
            if time.perf_counter() - acked > 30:
                raise click.ClickException("the offer handed in never reached the matches")
            time.sleep(0.02)
        took.append(time.perf_counter() - acked)
    click.echo(
        f"  through the running stack ({base}), {times} changes, submit acknowledged -> listed: "
        f"p50 {statistics.median(took) * 1000:.0f} ms, max {max(took) * 1000:.0f} ms "
        f"(aim < 1 s; polled every 20 ms)"
    )


@click.command()
@click.option("--entries", "count", default=100_000, show_default=True)
@click.option("--queries", default=300, show_default=True)
@click.option("--before", default=5, show_default=True,
              help="Queries through the whole pool, as before the index (slow).")  # fmt: skip
@click.option("--changes", default=20, show_default=True)
@click.option("--stack/--no-stack", default=False,
              help="Also measure freshness through the running stack's front door.")  # fmt: skip
@click.option("--seed", default=2021, show_default=True)
def main(count: int, queries: int, before: int, changes: int, stack: bool, seed: int) -> None:
    labelled = load()
    labelled_quality(labelled)
    with throwaway_database() as url:
        schema.upgrade(url, "matching")
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            ids = fill(engine, Synthesiser(labelled, seed), count)
            click.echo(f"latency of one entry's matches, {count} entries made of the set's "
                       f"phrases (written in {time.perf_counter() - started:.0f} s):")  # fmt: skip
            latency(engine, ids, queries, before, seed)
            click.echo("how long a change takes to reach the index:")
            in_process_freshness(engine, labelled, changes)
        finally:
            engine.dispose()
    if stack:
        stack_freshness(labelled, changes)


if __name__ == "__main__":
    main()
