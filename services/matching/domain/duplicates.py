"""Entries handed in twice (疑似重复申报): near-duplicate pairs across districts and calls.

Copies come with small edits (a few characters changed, sentences reordered, a new title
word), so the texts are compared as sets of character shingles (`text.shingles`): an edit
changes only the few shingles around it and a reordering only those across the seams.
Candidates come from MinHash signatures in an LSH index (datasketch), so not every pair is
compared; each candidate is then checked exactly: the Jaccard similarity of the whole text's
shingles, each field's, and the titles' edit similarity (rapidfuzz).

A pair is a duplicate when the whole text is at least SIMILAR alike, or the titles are alike
and the whole text at least LOOSELY so (a copied title over a reworded summary).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from rapidfuzz import fuzz

from services.matching.domain.profile import Profile
from services.matching.domain.text import jaccard, normalized, shingles

NUM_PERM = 128
SEED = 20211102
SCHEME = "affine32"
CANDIDATE_THRESHOLD = 0.3  # LSH's: looser than SIMILAR, so the exact check decides
SIMILAR = 0.5
LOOSELY = 0.3
FIELD_ALIKE = 0.5
TITLE_ALIKE = 0.8
CANDIDATES_PER_ENTRY = 50  # LSH candidates checked exactly per group
# Each entry is named in at most this many pairs (its most alike others): a pair becomes an
# event and screening's finding on both entries, and a cluster of n near-copies (a template
# filled in by many offices with small edits) would otherwise give n²/2 of them. Measured: the
# test stack's few thousand entries from one body gave 24,660 suspicions and 17,000
# re-screenings in ten minutes, and screening fell minutes behind.
PAIRS_PER_ENTRY = 3


def whole_text(profile: Profile) -> str:
    return "\n".join((profile.title, profile.summary, profile.benefits))


def signature(profile: Profile) -> bytes:
    """The MinHash signature of the entry's whole text, as bytes to store beside it."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles(whole_text(profile)))])
    return minhash.hashvalues.astype("<u4").tobytes()


def _minhash(stored: bytes) -> LeanMinHash:
    values = np.frombuffer(stored, dtype="<u4")
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


@dataclass(frozen=True)
class Pair:
    a: Profile
    b: Profile
    similarity: float  # the whole texts' shingle Jaccard
    title_similarity: float  # rapidfuzz's ratio of the normalized titles, 0 to 1
    fields: tuple[str, ...]  # which fields are alike: title, summary, benefits


def compare(a: Profile, b: Profile) -> Pair:
    similarity = jaccard(shingles(whole_text(a)), shingles(whole_text(b)))
    title = fuzz.ratio(normalized(a.title), normalized(b.title)) / 100
    alike = ["title"] if title >= TITLE_ALIKE else []
    for name in ("summary", "benefits"):
        if jaccard(shingles(getattr(a, name)), shingles(getattr(b, name))) >= FIELD_ALIKE:
            alike.append(name)
    first, second = sorted((a, b), key=lambda p: p.submission_id)
    return Pair(first, second, round(similarity, 4), round(title, 4), tuple(alike))


def _copy(first: Profile, copy: Profile) -> Pair:
    """Two entries whose whole texts have the same shingles: alike through and through (only
    the titles are compared, cheaply; the texts need no exact check)."""
    title = fuzz.ratio(normalized(first.title), normalized(copy.title)) / 100
    alike = ("title", "summary", "benefits") if title >= TITLE_ALIKE else ("summary", "benefits")
    return Pair(first, copy, 1.0, round(title, 4), alike)


def is_duplicate(pair: Pair) -> bool:
    return pair.similarity >= SIMILAR or ("title" in pair.fields and pair.similarity >= LOOSELY)


def pairs(entries: Sequence[tuple[Profile, bytes]]) -> list[Pair]:
    """Near-duplicate pairs among `entries` (profile, stored signature), most alike first.

    Entries whose texts have the same shingles (the same signature) are one group: each copy is
    paired with the group's first entry only, so k copies give k - 1 pairs, not k²/2 (a call's
    template handed in a thousand times must not take the service down). Groups are then
    compared by their first entries, at most CANDIDATES_PER_ENTRY candidates each."""
    groups: dict[bytes, list[Profile]] = {}
    for profile, stored in sorted(entries, key=lambda e: e[0].submission_id):
        groups.setdefault(stored, []).append(profile)
    found = [_copy(members[0], copy) for members in groups.values() for copy in members[1:]]
    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
    heads = {}
    for stored, members in groups.items():
        heads[members[0].submission_id] = (members[0], _minhash(stored))
        lsh.insert(members[0].submission_id, heads[members[0].submission_id][1])
    for key, (profile, minhash) in heads.items():
        others = sorted(other for other in lsh.query(minhash) if other > key)
        for other in others[:CANDIDATES_PER_ENTRY]:
            pair = compare(profile, heads[other][0])
            if is_duplicate(pair):
                found.append(pair)
    found.sort(key=lambda p: (-p.similarity, p.a.submission_id, p.b.submission_id))
    return _most_alike(found)


def _most_alike(found: list[Pair]) -> list[Pair]:
    """`found` (most alike first) keeping, for each entry, only its PAIRS_PER_ENTRY most alike
    others; an exact copy (similarity 1) always keeps its pair with its group's first entry,
    so every copy is named however large the group."""
    count: dict[str, int] = {}
    kept = []
    for pair in found:
        a, b = pair.a.submission_id, pair.b.submission_id
        full = count.get(a, 0) >= PAIRS_PER_ENTRY or count.get(b, 0) >= PAIRS_PER_ENTRY
        if full and pair.similarity < 1.0:
            continue
        kept.append(pair)
        count[a] = count.get(a, 0) + 1
        count[b] = count.get(b, 0) + 1
    return kept
