"""The inverted index ranks as ranking the whole pool does, through changes and dismissals."""

from __future__ import annotations

import dataclasses
import random

import numpy as np

from services.matching.domain import semantic, text
from services.matching.domain.index import SideIndex, rank
from services.matching.domain.profile import OFFER
from tests.matching_set import load


def test_the_index_kept_through_changes_ranks_as_the_pool_does() -> None:
    labelled = load()
    profiles = labelled.profiles()
    terms = {p.submission_id: text.terms(p) for p in profiles}
    # Pure code: vectors made up, about as alike as real entries' (cosine about 0.9).
    noise = np.random.default_rng(7)
    base = noise.normal(size=semantic.DIM)
    made = {}
    for p in profiles:
        v = base / np.linalg.norm(base) + noise.normal(0, 0.015, semantic.DIM)
        made[p.submission_id] = (v / np.linalg.norm(v)).astype(np.float32)
    offers = [p for p in profiles if p.side == OFFER]
    index = SideIndex(capacity=4)  # grows as it fills
    for offer in offers:
        index.put(offer, terms[offer.submission_id], vector=made[offer.submission_id])
    rng = random.Random(7)
    # Some withdrawn, some reworded: the index follows.
    for gone in rng.sample(offers, 20):
        index.remove(gone.submission_id)
        offers.remove(gone)
    for i, changed in enumerate(rng.sample(offers, 10)):
        reworded = dataclasses.replace(changed, summary=changed.summary[::-1], title=f"改{i}")
        offers[offers.index(changed)] = reworded
        terms[reworded.submission_id] = text.terms(reworded)
        index.put(reworded, terms[reworded.submission_id], vector=made[reworded.submission_id])
    assert len(index) == len(offers)
    pool = [(p, terms[p.submission_id]) for p in offers]
    listed = 0
    for challenge in (labelled.profile(c) for c in sorted(labelled.matches)[:20]):
        dismissed = {p.submission_id for p in rng.sample(offers, 5)}
        kept = [(p, t) for p, t in pool if p.submission_id not in dismissed]
        sid = challenge.submission_id
        expected = rank(challenge, terms[sid], kept, 10, made, weak=True)
        found = index.rank(challenge, terms[sid], 10, dismissed, vector=made[sid], weak=True)
        assert found == expected
        assert not {m.other.submission_id for m in found} & dismissed
        listed += len(found)
    assert listed >= 20  # the comparison compared something


def test_an_empty_index_ranks_nothing() -> None:
    challenge = load().profile("agr-c1")
    assert SideIndex().rank(challenge, text.terms(challenge), 10) == []
