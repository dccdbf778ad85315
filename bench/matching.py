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

import gc
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
import numpy as np
import psutil
import requests
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

import shared.catalog  # noqa: F401  (registers the event types)
from ops import schema
from services.matching.adapters import live
from services.matching.adapters.tables import entries
from services.matching.domain import duplicates, quality, scoring, semantic, text
from services.matching.domain.index import rank
from services.matching.domain.profile import NEED, OFFERS, Profile
from services.matching.queries import Matching
from shared import config
from shared.auth import Principal, issue
from shared.catalog import submission
from shared.db import make_engine
from shared.events import new_event
from tests.matching_set import (
    DATA,
    METHODS,
    EvalSet,
    LabelledSet,
    Ranker,
    cached_vectors,
    eval_vectors,
    fit_relevance,
    load,
    load_eval,
)

STAFF = Principal("bench-matching", "staff")
METHOD_NAMES = {
    "keywords": "baseline: identical keywords",
    "bm25": "baseline: plain BM25",
    "before": "matching before #26 (BM25+industry)",
    "semantic": "embeddings alone (cosine)",
    "rrf": "RRF of BM25, cosine, industry",
    "matching": "matching (cosine + BM25, fitted)",
}
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
    """The #17 set (tests/data/matching): kept as a floor, but it cannot tell a good matcher
    from a naive one (issue #26): most of its pairs share a keyword."""
    profiles = {p.submission_id: p for p in labelled.profiles()}
    pool = [(p, text.terms(p)) for p in profiles.values()]
    terms = {p.submission_id: t for p, t in pool}
    vectors = cached_vectors(list(profiles.values()), DATA / "vectors.npz")
    figures = quality.matching(
        labelled.matches,
        lambda c: [m.other.submission_id
                   for m in rank(profiles[c], terms[c], pool, quality.TOP, vectors, weak=True)],
    )  # fmt: skip
    click.echo(
        f"the issue #17 set, {figures.challenges} challenges among {len(profiles)} entries "
        f"(saturated: identical keywords alone score hit@5 1.000): hit@5 {figures.hit_at_5:.3f}, "
        f"MRR {figures.mrr:.3f}"
    )


def heldout_quality(labelled: EvalSet, vectors: dict[str, Any]) -> None:
    """Issue #26's figures on the held-out set's test split, matching beside the baselines."""
    ranker = Ranker(labelled, vectors)
    halves = {"all": labelled.challenges("test"), "no shared words": labelled.unshared("test")}
    click.echo(
        f"matching on the held-out set's test split (tests/data/matching_eval; "
        f"{len(halves['all'])} challenges, {len(halves['no shared words'])} of them sharing no "
        f"keyword and no title word with any true match; pool: all "
        f"{sum(1 for e in labelled.entries.values() if e['category'] != 'challenge')} offers):"
    )
    click.echo(
        f"  {'method':<34} {'all: hit@5   MRR  R@10':>24}   {'no shared words: hit@5   MRR':>30}"
    )
    results: dict[str, dict[str, quality.MatchingFigures]] = {}
    for method in METHODS:

        def ranked(challenge: str, method: str = method) -> list[str]:
            return ranker.ranked(challenge, method)

        results[method] = {half: quality.matching(truth, ranked) for half, truth in halves.items()}
        a, u = results[method]["all"], results[method]["no shared words"]
        click.echo(
            f"  {METHOD_NAMES[method]:<34} {a.hit_at_5:>11.3f} {a.mrr:>5.3f} {a.recall_at_10:>5.3f}"
            f"   {u.hit_at_5:>22.3f} {u.mrr:>5.3f}"
        )
    ours, bm25 = results["matching"]["no shared words"], results["bm25"]["no shared words"]
    click.echo(
        f"  aims, no shared words: hit@5 >= 0.9 ({ours.hit_at_5:.3f}), MRR >= 0.75 "
        f"({ours.mrr:.3f}), hit@5 at least 0.1 above plain BM25 "
        f"({ours.hit_at_5 - bm25.hit_at_5:+.3f})"
    )
    for method in ("keywords", "bm25", "before", "semantic", "rrf"):
        for half in halves:
            theirs, mine = results[method][half], results["matching"][half]
            if theirs.hit_at_5 >= mine.hit_at_5 or theirs.mrr >= mine.mrr:
                click.echo(
                    f"  as well or better: {METHOD_NAMES[method]} on {half} "
                    f"(hit@5 {theirs.hit_at_5:.3f} vs {mine.hit_at_5:.3f}, "
                    f"MRR {theirs.mrr:.3f} vs {mine.mrr:.3f})"
                )
    bands(ranker)
    heldout_duplicates(labelled, vectors)


def bands(ranker: Ranker) -> None:
    """How the bands read on test: the share of true matches among the pairs of each band,
    and the challenges whose best offer is 弱 or below (told 暂无较好的匹配)."""
    labelled = ranker.labelled
    counts: dict[str | None, list[int]] = {}
    none = 0
    for challenge, truth in labelled.challenges("test").items():
        s = ranker.signals(challenge)
        score = scoring.relevance(s)
        keep = np.flatnonzero(s.keep)
        if score[keep].max(initial=0.0) < scoring.MEDIUM:
            none += 1
        for slot in keep:
            seen = counts.setdefault(scoring.band(float(score[slot])), [0, 0])
            seen[0] += 1
            seen[1] += ranker.ids[slot] in truth
    shown = ", ".join(
        f"{name} (>= {least}) {counts.get(name, [0, 0])[0]} pairs, "
        f"{counts.get(name, [0, 1])[1] / max(counts.get(name, [0, 0])[0], 1):.2f} true"
        for name, least in scoring.BANDS
    )
    below = counts.get(None, [0, 0])
    click.echo(
        f"  bands on test (calibrated on dev): {shown}; below {below[0]} pairs, "
        f"{below[1] / max(below[0], 1):.3f} true; {none} challenges with no good match"
    )


def heldout_duplicates(labelled: EvalSet, vectors: dict[str, Any]) -> None:
    """Precision and recall of the pairs handed in twice, on the test split: the near-copy
    check (#17's), the rewrite check (#26's), and both (what matching publishes)."""
    ids = labelled.ids("test")
    profiles = [labelled.profile(e) for e in ids]
    truth = labelled.duplicate_pairs("test")
    copies = duplicates.pairs([(p, duplicates.signature(p)) for p in profiles])
    rewrites = duplicates.Rewrites()
    rewrites.update([(p, vectors.get(p.submission_id)) for p in profiles], ())
    both = duplicates.merged(copies, rewrites.pairs())
    siblings = {
        frozenset((a, b)) for a in ids for b in ids
        if a < b and labelled.entries[a]["concept"] == labelled.entries[b]["concept"]
        and labelled.entries[a]["category"] == labelled.entries[b]["category"]
        and frozenset((a, b)) not in truth
    }  # fmt: skip
    click.echo(
        f"duplicates on the test split: {len(truth)} pairs handed in twice (rewritten by a "
        f"second county), {len(siblings)} hard negatives (same concept and category, "
        f"another project) among {len(ids)} entries:"
    )
    for name, found in (("near copies (shingles, #17)", copies),
                        ("rewrites (facts, meaning)", rewrites.pairs()),
                        ("both (what matching publishes)", both)):  # fmt: skip
        keys = [frozenset((p.a.submission_id, p.b.submission_id)) for p in found]
        figures = quality.duplicates(truth, keys)
        wrong = sum(1 for k in keys if k in siblings)
        click.echo(
            f"  {name:<32} found {figures.found:>3}: precision {figures.precision:.3f}, "
            f"recall {figures.recall:.3f}; hard negatives flagged {wrong}"
        )


def fit(labelled: EvalSet, vectors: dict[str, Any]) -> None:
    """Tuning, on the dev split only: the text weight beside the cosine (MRR), the relevance's
    scale and bias (Platt), the bands, the rewrite check's weights. Prints what to put in
    scoring.py and duplicates.py; the test split is not read."""
    ranker = Ranker(labelled, vectors)
    dev, dev_unshared = labelled.challenges("dev"), labelled.unshared("dev")
    click.echo("dev: the weight of log(1 + BM25) beside the cosine, and of the industry:")
    best = None
    for w_text in (0.0, 0.002, 0.005, 0.01, 0.02, 0.05):
        for w_industry in (0.0, 0.005, 0.01):
            direction = (1.0, w_text, w_industry, 0.0, 0.0)
            scoring.WEIGHTS = direction
            a = quality.matching(dev, lambda c: ranker.ranked(c, "matching"))
            u = quality.matching(dev_unshared, lambda c: ranker.ranked(c, "matching"))
            click.echo(f"  text {w_text:<6} industry {w_industry:<6} all {a.hit_at_5:.3f}/"
                       f"{a.mrr:.3f}  no shared words {u.hit_at_5:.3f}/{u.mrr:.3f}")  # fmt: skip
            if best is None or a.mrr + u.mrr > best[0]:
                best = (a.mrr + u.mrr, direction)
    assert best is not None
    bias, weights, precision = fit_relevance(ranker, best[1])
    click.echo(f"chosen {best[1]}: BIAS = {bias:.4f}, weights (semantic, text, industry, "
               f"cooperation, city) = {[round(w, 4) for w in weights]}")  # fmt: skip
    click.echo("  precision of the dev pairs at or above a score: " + ", ".join(
        f"{t:.2f}: {p:.2f}" for t, p in precision))  # fmt: skip
    ids = labelled.ids("dev")
    profiles = {e: labelled.profile(e) for e in ids}
    truth = labelled.duplicate_pairs("dev")
    candidates: list[tuple[str, str]] = []
    holders: dict[tuple[str, str], list[str]] = {}
    for e, p in profiles.items():
        for fact in duplicates.facts(p):
            holders.setdefault((p.category, fact), []).append(e)
    for members in holders.values():
        if len(members) <= duplicates.COMMON_FACT:
            candidates += [(a, b) for a in members for b in members if a < b]
    candidates = sorted(set(candidates))
    x = np.array(
        [
            duplicates.evidence(profiles[a], profiles[b], vectors.get(a), vectors.get(b)).features()
            for a, b in candidates
        ]
    )
    y = np.array([frozenset(c) in truth for c in candidates], dtype=float)
    w = np.zeros(x.shape[1])
    ridge = np.eye(len(w)) * 0.1
    ridge[0, 0] = 0.0
    for _ in range(100):
        chance = 1 / (1 + np.exp(-(x @ w)))
        step = np.linalg.solve(
            (x * (chance * (1 - chance))[:, None]).T @ x + ridge, x.T @ (chance - y) + ridge @ w
        )
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    click.echo(f"duplicates, dev: {len(candidates)} candidate pairs sharing a fact, "
               f"{int(y.sum())} of {len(truth)} doubles among them; REWRITE_WEIGHTS = "
               f"{tuple(round(float(v), 3) for v in w)}")  # fmt: skip


class Synthesiser:
    """Entries made of the held-out set's phrases (titles, clauses, keywords, industries, places,
    applicants, leads), with their words as `text.terms` gives them (each phrase segmented once:
    segmenting 100,000 whole texts would take minutes) and their real MinHash signatures. One
    in DOUBLED is a rewrite of an earlier one (its clauses reordered, the same facts and lead),
    so the duplicate checks work at scale as they do on real calls.

    The sentence embeddings are borrowed: each entry takes the vector of the set's entry its
    title came from, plus noise (cosine about 0.97 to it). Embedding 100,000 texts would take
    hours of CPU here (30–100 ms each); in service they are computed once each, when handed in,
    spread over a call's weeks."""

    DOUBLED = 100

    def __init__(self, labelled: EvalSet, vectors: dict[str, Any], seed: int) -> None:
        self.rng = random.Random(seed)
        self.noise = np.random.default_rng(seed)
        written = list(labelled.entries.values())
        self.sources = [(e["title"], vectors[e["id"]]) for e in written if e["id"] in vectors]
        self.clauses = [c for e in written for c in CLAUSE.findall(e["summary"] + e["benefits"])]
        self.keywords = sorted({k for e in written for k in e["keywords"]})
        self.codes = [tuple(e["industry_codes"]) for e in written]
        self.places = sorted({e["region_code"] for e in written})
        self.applicants = sorted({e["applicant_name"] for e in written})
        self.leads = sorted({e["lead_name"] for e in written if e.get("lead_name")})
        self.words: dict[str, list[str]] = {}
        self.made: list[dict[str, Any]] = []

    def _words(self, phrase: str) -> list[str]:
        if phrase not in self.words:
            self.words[phrase] = text.words(phrase)
        return self.words[phrase]

    def _terms(
        self, title: str, keywords: list[str], summary: list[str], benefits: str
    ) -> list[str]:
        keyword_words = [w for k in keywords for w in ({k.lower()} | set(self._words(k)))]
        return (
            self._words(title) * text.TITLE_WEIGHT
            + keyword_words * text.KEYWORD_WEIGHT
            + [w for clause in summary for w in self._words(clause)]
            + self._words(benefits)
        )

    def row(self) -> dict[str, Any]:
        rng = self.rng
        if self.made and rng.randrange(self.DOUBLED) == 0:
            return self._double(rng.choice(self.made))
        category = rng.choice(["challenge", "challenge", *OFFERS, "achievement", "promotion"])
        title, source = rng.choice(self.sources)
        summary = rng.sample(self.clauses, rng.randint(3, 6))
        benefits = rng.choice(self.clauses)
        keywords = rng.sample(self.keywords, rng.randint(2, 4))
        place = rng.choice(self.places)
        noisy = source + self.noise.normal(0, 0.012, source.shape).astype(np.float32)
        row = {
            "submission_id": str(uuid.uuid4()), "district": place, "call_id": "bench",
            "category": category, "status": "submitted", "title": title,
            "summary": "".join(summary), "benefits": benefits,
            "applicant_name": rng.choice(self.applicants),
            "lead_name": rng.choice(self.leads) if category in ("achievement", "promotion") else "",
            "keywords": keywords, "industry_codes": list(rng.choice(self.codes)),
            "cooperation_mode": rng.choice(["joint", "commissioned", "either", "none"])
            if category == "challenge" else None,
            "region_code": place, "terms": self._terms(title, keywords, summary, benefits),
            "embedding": semantic.to_bytes(noisy / np.linalg.norm(noisy)),
            "updated_at": datetime.now(UTC), "_summary": summary,
        }  # fmt: skip
        self.made.append(row)
        return self._signed(row)

    def _double(self, original: dict[str, Any]) -> dict[str, Any]:
        summary = list(original["_summary"])
        self.rng.shuffle(summary)
        vector = semantic.from_bytes(original["embedding"])
        assert vector is not None
        noisy = vector + self.noise.normal(0, 0.008, vector.shape).astype(np.float32)
        row = original | {
            "submission_id": str(uuid.uuid4()), "summary": "".join(summary),
            "terms": self._terms(original["title"], original["keywords"], summary,
                                 original["benefits"]),
            "embedding": semantic.to_bytes(noisy / np.linalg.norm(noisy)),
        }  # fmt: skip
        return self._signed(row)

    def _signed(self, row: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if not k.startswith("_")}
        out["signature"] = duplicates.signature(live.profile_of(_Row(out)))
        return out


class _Row:
    """A dict read as a result row (`live.profile_of` reads `row._mapping`)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._mapping = values


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


def rss() -> float:
    """This process's resident memory, MB."""
    return float(psutil.Process().memory_info().rss) / 2**20


def latency(engine: Engine, ids: list[str], queries: int, before: int, seed: int) -> None:
    rng = random.Random(seed)
    matching = Matching(engine)
    gc.collect()
    before_load = rss()
    cpu = time.process_time()
    load_time = timed(lambda: matching.matches(STAFF, ids[0], {}))
    pairs = timed(matching._pairs)
    click.echo(f"  start-up: the index's first load ({len(ids)} entries, once per process; words, "
               f"vectors, near-copy and rewrite pairs) {load_time:.1f} s, then the duplicate "
               f"pairs {pairs:.1f} s ({len(matching._pairs())} pairs); CPU "
               f"{time.process_time() - cpu:.0f} s; memory +{rss() - before_load:.0f} MB "
               f"(aim < 1 GB), process {rss():.0f} MB")  # fmt: skip
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
            for item in matching.matches(
                STAFF, challenge.submission_id, {"limit": "50", "weak": "true"}
            )["items"]
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
@click.option("--before", default=0, show_default=True,
              help="Queries through the whole pool, as before the index (slow).")  # fmt: skip
@click.option("--changes", default=20, show_default=True)
@click.option("--stack/--no-stack", default=False,
              help="Also measure freshness through the running stack's front door.")  # fmt: skip
@click.option("--seed", default=2021, show_default=True)
@click.option("--fit", "tune", is_flag=True, help="Tune on the dev split, print the constants.")
@click.option("--quality-only", is_flag=True, help="The held-out figures only (no database).")
def main(count: int, queries: int, before: int, changes: int, stack: bool, seed: int,
         tune: bool, quality_only: bool) -> None:  # fmt: skip
    heldout = load_eval()
    vectors = eval_vectors(heldout)
    if tune:
        fit(heldout, vectors)
        return
    heldout_quality(heldout, vectors)
    labelled = load()
    labelled_quality(labelled)
    if quality_only:
        return
    with throwaway_database() as url:
        schema.upgrade(url, "matching")
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            ids = fill(engine, Synthesiser(heldout, vectors, seed), count)
            click.echo(f"scale, {count} entries made of the held-out set's phrases, with real "
                       f"signatures, one in {Synthesiser.DOUBLED} a rewritten double (written "
                       f"in {time.perf_counter() - started:.0f} s):")  # fmt: skip
            latency(engine, ids, queries, before, seed)
            click.echo("how long a change takes to reach the index:")
            in_process_freshness(engine, labelled, changes)
        finally:
            engine.dispose()
    if stack:
        stack_freshness(labelled, changes)


if __name__ == "__main__":
    main()
