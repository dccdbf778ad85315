"""A floor under matching's quality on the labelled set (tests/data/matching, `bench/matching.py`
prints the figures): a change to segmentation, scoring or the duplicate check that makes it
worse fails here."""

from __future__ import annotations

import pytest

from services.matching.domain import duplicates, quality, text
from services.matching.domain.index import rank
from tests.matching_set import DATA, LabelledSet, cached_vectors, load

HIT_AT_5 = 0.85
DUPLICATE_PRECISION = 0.9
DUPLICATE_RECALL = 0.85


@pytest.fixture(scope="module")
def labelled() -> LabelledSet:
    return load()


def test_the_set_is_as_large_and_varied_as_issue_17_asks(labelled: LabelledSet) -> None:
    categories = [entry["category"] for entry in labelled.entries.values()]
    originals = [e for e in labelled.entries.values() if "duplicate_of" not in e]
    assert sum(1 for c in categories if c == "challenge") >= 60
    assert sum(1 for e in originals if e["category"] != "challenge") >= 150
    assert len(labelled.duplicates) >= 20
    assert all(1 <= len(labelled.entries[c]["matches"]) <= 4
               for c in labelled.matches if "matches" in labelled.entries[c])  # fmt: skip


def test_matching_on_the_labelled_set_stays_above_the_floor(labelled: LabelledSet) -> None:
    profiles = {p.submission_id: p for p in labelled.profiles()}
    pool = [(p, text.terms(p)) for p in profiles.values()]
    terms = dict((p.submission_id, t) for p, t in pool)
    vectors = cached_vectors(list(profiles.values()), DATA / "vectors.npz")

    def ranked(challenge: str) -> list[str]:
        found = rank(profiles[challenge], terms[challenge], pool, quality.TOP, vectors, weak=True)
        return [m.other.submission_id for m in found]

    figures = quality.matching(labelled.matches, ranked)
    assert figures.hit_at_5 >= HIT_AT_5, figures.misses


def test_duplicates_on_the_labelled_set_stay_above_the_floor(labelled: LabelledSet) -> None:
    signed = [(p, duplicates.signature(p)) for p in labelled.profiles()]
    found = [frozenset((p.a.submission_id, p.b.submission_id)) for p in duplicates.pairs(signed)]
    figures = quality.duplicates(labelled.duplicates, found)
    assert figures.precision >= DUPLICATE_PRECISION
    assert figures.recall >= DUPLICATE_RECALL
