"""Entries handed in twice (疑似重复申报): near-duplicate pairs across districts and calls.

Copies come with small edits (a few characters changed, sentences reordered, a new title
word), so the texts are compared as sets of character shingles (`text.shingles`): an edit
changes only the few shingles around it and a reordering only those across the seams.
Candidates come from MinHash signatures (datasketch) cut into LSH bands, so not every pair
is compared (`Pairing`); each candidate is then checked exactly: the Jaccard similarity of
the whole text's shingles, each field's, and the titles' edit similarity (rapidfuzz).

A pair is a duplicate when the whole text is at least SIMILAR alike, or the titles are alike
and the whole text at least LOOSELY so (a copied title over a reworded summary).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from heapq import merge

import numpy as np
from datasketch import MinHash, MinHashLSH
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
VERBATIM = 0.8  # this alike, a pair is a copy whoever handed it in
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


@dataclass(frozen=True)
class Pair:
    a: Profile
    b: Profile
    similarity: float  # the whole texts' shingle Jaccard
    title_similarity: float  # rapidfuzz's ratio of the normalized titles, 0 to 1
    fields: tuple[str, ...]  # which fields are alike: title, summary, benefits
    semantic: float = 0.0  # the sentence embeddings' cosine, when compared by it
    facts: tuple[str, ...] = ()  # the facts both name (figures, towns, the lead)


@dataclass(frozen=True)
class _Features:
    whole: set[str]
    fields: tuple[set[str], set[str]]  # summary, benefits
    title: str


@lru_cache(maxsize=2048)
def _features(profile: Profile) -> _Features:
    """What a comparison reads of an entry, kept for the entries compared most recently: a
    new entry is compared with up to CANDIDATES_PER_ENTRY others, each with many more. The
    size trades memory for the pairing of all entries at a process's start (10,000 entries:
    512 kept, 16 s of CPU and 92 MB; 2048, 9.5 s and 125 MB; 4096, 7.8 s and 172 MB)."""
    return _Features(
        shingles(whole_text(profile)),
        (shingles(profile.summary), shingles(profile.benefits)),
        normalized(profile.title),
    )


def compare(a: Profile, b: Profile) -> Pair:
    fa, fb = _features(a), _features(b)
    similarity = jaccard(fa.whole, fb.whole)
    title = fuzz.ratio(fa.title, fb.title) / 100
    alike = ["title"] if title >= TITLE_ALIKE else []
    for name, mine, theirs in zip(("summary", "benefits"), fa.fields, fb.fields, strict=True):
        if jaccard(mine, theirs) >= FIELD_ALIKE:
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
    """A near-copy: the whole text alike, or the titles alike and the text loosely so; unless
    (below VERBATIM) the two name different projects: different leads, or applicants with
    nothing in common and no fact shared (entries of one subject from one template, issue
    #26: their titles and clauses coincide, the people and the figures do not)."""
    alike = pair.similarity >= SIMILAR or ("title" in pair.fields and pair.similarity >= LOOSELY)
    if not alike or pair.similarity >= VERBATIM:
        return alike
    return not different_projects(pair.a, pair.b)


def different_projects(a: Profile, b: Profile) -> bool:
    """Whether two entries name different projects: different leads, or different applicants
    (their names differ in what tells them apart, not only in wording)."""
    if a.lead_name and b.lead_name:
        return a.lead_name != b.lead_name
    return distinct_names(a.applicant_name, b.applicant_name)


def distinct_names(x: str, y: str) -> bool:
    """Two names of different bodies. An abbreviation keeps its name's characters in order
    (四川省农业科学院, 省农科院; 通江县农业农村局, 通江县农业局): not distinct. Otherwise what is
    left of each, less the part they begin and end with alike (四川…药业有限公司), shares few
    characters (Jaccard below a half)."""
    x, y = normalized(x), normalized(y)
    if not x or not y or _within(x, y) or _within(y, x):
        return False
    start = 0
    while start < min(len(x), len(y)) and x[start] == y[start]:
        start += 1
    end = 0
    while end < min(len(x), len(y)) - start and x[-1 - end] == y[-1 - end]:
        end += 1
    mine, theirs = set(x[start : len(x) - end]), set(y[start : len(y) - end])
    return len(mine & theirs) < 0.5 * len(mine | theirs)


def _within(short: str, long: str) -> bool:
    """Whether `short`'s characters appear in `long` in the same order."""
    rest = iter(long)
    return all(char in rest for char in short)


def pairs(entries: Sequence[tuple[Profile, bytes]]) -> list[Pair]:
    """Near-duplicate pairs among `entries` (profile, stored signature), most alike first."""
    pairing = Pairing()
    pairing.update(entries, ())
    return pairing.pairs()


# The LSH bands: as many, of as many signature values each, as datasketch's MinHashLSH
# chooses for the threshold; two heads are candidates when one band's values are equal.
_LSH = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r


def _bands(stored: bytes) -> list[bytes]:
    width = 4 * ROWS  # four bytes a value ("<u4")
    return [stored[width * i : width * (i + 1)] for i in range(BANDS)]


class Pairing:
    """The near-duplicate pairs of a changing set of entries, kept up to date change by change.

    Entries whose texts have the same shingles (the same signature) are one group: each copy is
    paired with the group's first entry (its head) only, so k copies give k - 1 pairs, not
    k²/2 (a call's template handed in a thousand times must not take the service down). Each
    head is compared with its window: the CANDIDATES_PER_ENTRY smallest ids above its own
    among the heads sharing a band with it (the LSH candidates).

    The pairs are a function of the set, whatever order the entries came and went in
    (tests/unit/test_duplicates_incremental.py holds it to a from-scratch computation), and a
    change costs in proportion to itself, not to the set: a window is read from the bands'
    sorted buckets (the first CANDIDATES_PER_ENTRY above the head in each), a new head enters
    only the windows of the heads just below it in its buckets, and only a pair new to a
    window is compared. Computed from scratch at every change, the pairs of a few thousand
    near-copies took seconds of CPU, and at the deadline rush matching starved screening and
    reporting of the machine's two cores (issue #14)."""

    def __init__(self) -> None:
        self.profiles: dict[str, tuple[Profile, bytes]] = {}
        self.groups: dict[bytes, list[str]] = {}  # signature -> member ids, sorted
        self.heads: dict[str, bytes] = {}  # head id -> its group's signature
        self.buckets: list[dict[bytes, list[str]]] = [{} for _ in range(BANDS)]  # head ids
        self.windows: dict[str, list[str]] = {}  # head -> its window, sorted
        # head -> the duplicates in its window (every other in it was compared, and is not one:
        # keeping only the pairs found, not a None for each, halves the memory at 100,000)
        self.checked: dict[str, dict[str, Pair]] = {}
        self.in_windows: dict[str, set[str]] = {}  # head -> the heads whose window holds it
        self._found: list[Pair] | None = []

    def __len__(self) -> int:
        return len(self.profiles)

    def update(self, put: Iterable[tuple[Profile, bytes]], removed: Iterable[str]) -> None:
        """Entries handed in or changed (`put`: profile, stored signature) and entries no
        longer handed in (`removed`: ids; ones not here are ignored). Removals come first;
        of several puts of one entry, the last counts."""
        put = list({profile.submission_id: (profile, sig) for profile, sig in put}.values())
        changed = {sid for sid in removed if sid in self.profiles}
        changed |= {p.submission_id for p, _ in put}
        touched = {self.profiles[sid][1] for sid in changed if sid in self.profiles}
        touched |= {stored for _, stored in put}
        heads_before = {sig: self.groups[sig][0] for sig in touched if sig in self.groups}
        for sid in changed:
            if sid in self.profiles:
                members = self.groups[self.profiles.pop(sid)[1]]
                members.remove(sid)
        for profile, stored in put:
            self.profiles[profile.submission_id] = (profile, stored)
            insort(self.groups.setdefault(stored, []), profile.submission_id)
        # A head whose profile changed, or that is no longer its group's head, leaves the
        # bands and every window; the group's head now enters them (all leave, then all enter:
        # an entry may leave one group's head and enter another's).
        leaving, entering = [], []
        for sig in touched:
            members = self.groups.get(sig) or []
            old, new = heads_before.get(sig), (members[0] if members else None)
            if old is not None and (old != new or old in changed):
                leaving.append(old)
            if new is not None and (old != new or new in changed):
                entering.append((new, sig))
            if not members:
                self.groups.pop(sig, None)
        dirty: set[str] = set()
        for head in leaving:
            dirty |= self._unband(head)
        for head, sig in entering:
            self._band(head, sig)
        # From the bands as they now are: the windows that lost a head, and the new heads'.
        dirty |= {head for head, _ in entering}
        for head in sorted(dirty):
            if head in self.heads:
                self._rewindow(head)
        for head, _ in entering:
            self._enter(head, skip=dirty)
        if changed:
            self._found = None

    def pairs(self) -> list[Pair]:
        """The pairs, most alike first, each entry in at most PAIRS_PER_ENTRY of them (but
        every copy with its group's head)."""
        if self._found is None:
            found = [
                _copy(self.profiles[members[0]][0], self.profiles[copy][0])
                for members in self.groups.values()
                for copy in members[1:]
            ]
            found += [p for window in self.checked.values() for p in window.values() if p]
            found.sort(key=lambda p: (-p.similarity, p.a.submission_id, p.b.submission_id))
            self._found = _most_alike(found)
        return self._found

    def _band(self, head: str, sig: bytes) -> None:
        self.heads[head] = sig
        self.windows[head], self.checked[head] = [], {}
        self.in_windows.setdefault(head, set())
        for buckets, key in zip(self.buckets, _bands(sig), strict=True):
            insort(buckets.setdefault(key, []), head)

    def _unband(self, head: str) -> set[str]:
        """Takes `head` out of the bands and of every window; returns the heads whose full
        window held it (the next candidate moves into it; a window not full has none)."""
        sig = self.heads.pop(head)
        for buckets, key in zip(self.buckets, _bands(sig), strict=True):
            bucket = buckets[key]
            del bucket[bisect_left(bucket, head)]
            if not bucket:
                del buckets[key]
        for other in self.windows.pop(head):
            self.in_windows[other].discard(head)
        del self.checked[head]
        holders = self.in_windows.pop(head)
        full = set()
        for holder in holders:
            window = self.windows[holder]
            if len(window) == CANDIDATES_PER_ENTRY:
                full.add(holder)
            window.remove(head)
            self.checked[holder].pop(head, None)
        return full

    def _candidates(self, head: str, above: bool) -> list[list[str]]:
        """Per band, the CANDIDATES_PER_ENTRY heads just above (or just below) `head`."""
        n = CANDIDATES_PER_ENTRY
        found = []
        for buckets, key in zip(self.buckets, _bands(self.heads[head]), strict=True):
            bucket = buckets[key]
            i = bisect_right(bucket, head) if above else bisect_left(bucket, head)
            found.append(bucket[i : i + n] if above else bucket[max(0, i - n) : i])
        return found

    def _enter(self, head: str, skip: set[str]) -> None:
        """A new head into the windows it belongs to (but those in `skip`, read whole from the
        bands already). A window holding it has fewer than CANDIDATES_PER_ENTRY candidates
        between its head and this one in each band they share, so its head is among the
        CANDIDATES_PER_ENTRY just below this one in the band's bucket."""
        below = {other for bucket in self._candidates(head, above=False) for other in bucket}
        for other in below - skip:
            window = self.windows[other]
            at = bisect_left(window, head)
            if at < len(window) and window[at] == head:
                continue
            if len(window) < CANDIDATES_PER_ENTRY or head < window[-1]:
                insort(window, head)
                self._check(other, head)
                if len(window) > CANDIDATES_PER_ENTRY:
                    dropped = window.pop()
                    self.checked[other].pop(dropped, None)
                    self.in_windows[dropped].discard(other)

    def _rewindow(self, head: str) -> None:
        window: list[str] = []
        for other in merge(*self._candidates(head, above=True)):
            if not window or window[-1] != other:  # merged in order: the same id comes together
                window.append(other)
                if len(window) == CANDIDATES_PER_ENTRY:
                    break
        old = set(self.windows[head])
        checked = self.checked[head]
        for other in old - set(window):
            checked.pop(other, None)
            self.in_windows[other].discard(head)
        self.windows[head] = window
        for other in window:
            if other not in old:
                self._check(head, other)

    def _check(self, head: str, other: str) -> None:
        """Compares `other`, newly in `head`'s window, with it: the whole texts first, since
        most candidates are far less alike than LOOSELY, and no duplicate is."""
        a, b = self.profiles[head][0], self.profiles[other][0]
        pair = None
        if jaccard(_features(a).whole, _features(b).whole) >= LOOSELY:
            pair = compare(a, b)
        if pair is not None and is_duplicate(pair):
            self.checked[head][other] = pair
        self.in_windows[other].add(head)


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


# ---------------------------------------------------------------------------------------------
# Rewritten doubles (issue #26): the same project handed in by a second county in its own
# sentences lands at a shingle Jaccard of 0.2–0.5, where entries of the same subject by others
# also land. What a rewrite keeps is the project's facts: its lead, its towns, its figures;
# and its meaning (the sentence embeddings' cosine, `semantic`). A pair is a rewrite when the
# logistic of those signals (weights fitted on the dev split of tests/data/matching_eval,
# `python -m bench.matching --fit`) is at least REWRITE; candidates are the entries of the same
# category sharing a fact (`Rewrites`), so not every pair is compared.

# A figure of two digits or more, a town (镇, 乡, 街道) named by two characters.
_FACT = re.compile(r"\d{2,}(?:\.\d+)?|(?<![个几各多])[\u4e00-\u9fff]{2}(?:镇|乡|街道)")
REWRITE = 0.5
# bias, cosine above SEMANTIC_ORIGIN, shingle Jaccard, facts shared (log 1+n), same lead,
# both leads named and different, the applicants' names' character-bigram Jaccard
REWRITE_WEIGHTS = (-8.878, 2.627, 9.965, 4.651, 3.571, -2.665, 3.141)
SEMANTIC_ORIGIN = 0.93
COMMON_FACT = 50  # a fact more entries share than this finds no candidates (a year, "10")
LEAST_COSINE = 0.9  # a candidate less alike in meaning is not compared (the doubles: >= 0.95)


def facts(profile: Profile) -> frozenset[str]:
    """The project's facts: figures, towns and its lead ("@name")."""
    found = {
        f for f in _FACT.findall(profile.summary + "\n" + profile.benefits)
        if f[0] not in "个几各多等全" and "乡镇" not in f
    }  # fmt: skip
    if profile.lead_name:
        found.add("@" + profile.lead_name)
    return frozenset(found)


def _bigrams(name: str) -> set[str]:
    plain = normalized(name)
    return {plain[i : i + 2] for i in range(len(plain) - 1)} or ({plain} if plain else set())


@dataclass(frozen=True)
class Evidence:
    similarity: float  # whole texts' shingle Jaccard
    semantic: float  # the sentence embeddings' cosine
    facts: tuple[str, ...]  # the facts both name
    same_lead: bool
    other_lead: bool  # both name a lead, not the same
    applicant: float  # the applicants' names' bigram Jaccard

    def features(self) -> tuple[float, ...]:
        return (
            1.0,
            self.semantic - SEMANTIC_ORIGIN,
            self.similarity,
            math.log1p(len(self.facts)),
            float(self.same_lead),
            float(self.other_lead),
            self.applicant,
        )

    @property
    def likelihood(self) -> float:
        linear = sum(w * x for w, x in zip(REWRITE_WEIGHTS, self.features(), strict=True))
        return 1.0 / (1.0 + math.exp(-linear))


def evidence(a: Profile, b: Profile, va: np.ndarray | None, vb: np.ndarray | None) -> Evidence:
    fa, fb = _features(a), _features(b)
    return Evidence(
        similarity=round(jaccard(fa.whole, fb.whole), 4),
        semantic=round(float(va @ vb), 4) if va is not None and vb is not None else 0.0,
        facts=tuple(sorted(facts(a) & facts(b))),
        same_lead=bool(a.lead_name) and a.lead_name == b.lead_name,
        other_lead=bool(a.lead_name) and bool(b.lead_name) and a.lead_name != b.lead_name,
        applicant=round(jaccard(_bigrams(a.applicant_name), _bigrams(b.applicant_name)), 4),
    )


def rewritten(found: Evidence) -> bool:
    return found.likelihood >= REWRITE


Key = tuple[str, str]


class Rewrites:
    """The rewritten doubles (`rewritten`) among a changing set of entries, kept up to date
    change by change. An entry is compared, when it comes, with the entries of its category
    that share a fact with it, through facts no more than COMMON_FACT entries name: a handful
    of comparisons, whatever the number of entries."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Profile, np.ndarray | None, frozenset[str]]] = {}
        self.postings: dict[tuple[str, str], set[str]] = {}  # (category, fact) -> ids
        self.found: dict[Key, Pair] = {}
        self.by_entry: dict[str, set[Key]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def update(
        self, put: Iterable[tuple[Profile, np.ndarray | None]], removed: Iterable[str]
    ) -> None:
        """Entries handed in or changed (profile, sentence embedding or None) and entries no
        longer handed in (ids)."""
        put = list({p.submission_id: (p, v) for p, v in put}.values())
        for sid in [*removed, *(p.submission_id for p, _ in put)]:
            self._remove(sid)
        for profile, vector in put:
            sid, found = profile.submission_id, facts(profile)
            candidates: set[str] = set()
            for fact in found:
                holders = self.postings.get((profile.category, fact), set())
                if len(holders) < COMMON_FACT:
                    candidates |= holders
            self.entries[sid] = (profile, vector, found)
            for fact in found:
                self.postings.setdefault((profile.category, fact), set()).add(sid)
            for other in sorted(candidates):
                theirs, their_vector, _ = self.entries[other]
                if (
                    vector is not None
                    and their_vector is not None
                    and float(vector @ their_vector) < LEAST_COSINE
                ):
                    continue  # cheap, and no double of the sets is below it
                seen = evidence(profile, theirs, vector, their_vector)
                if rewritten(seen):
                    pair = compare(profile, theirs)
                    pair = Pair(pair.a, pair.b, pair.similarity, pair.title_similarity,
                                pair.fields, seen.semantic, seen.facts)  # fmt: skip
                    key = (pair.a.submission_id, pair.b.submission_id)
                    self.found[key] = pair
                    self.by_entry.setdefault(sid, set()).add(key)
                    self.by_entry.setdefault(other, set()).add(key)

    def _remove(self, sid: str) -> None:
        known = self.entries.pop(sid, None)
        if known is None:
            return
        profile, _, found = known
        for fact in found:
            holders = self.postings[(profile.category, fact)]
            holders.discard(sid)
            if not holders:
                del self.postings[(profile.category, fact)]
        for key in self.by_entry.pop(sid, set()):
            self.found.pop(key, None)
            other = key[1] if key[0] == sid else key[0]
            self.by_entry.get(other, set()).discard(key)

    def pairs(self) -> list[Pair]:
        return sorted(
            self.found.values(), key=lambda p: (-p.similarity, p.a.submission_id, p.b.submission_id)
        )


def merged(copies: list[Pair], rewrites: list[Pair]) -> list[Pair]:
    """The near-copies and the rewrites together, most alike first, each entry in at most
    PAIRS_PER_ENTRY of them (a pair found both ways once, with its semantic signals)."""
    found = {(p.a.submission_id, p.b.submission_id): p for p in copies}
    for pair in rewrites:
        found[(pair.a.submission_id, pair.b.submission_id)] = pair
    ordered = sorted(
        found.values(), key=lambda p: (-p.similarity, p.a.submission_id, p.b.submission_id)
    )
    return _most_alike(ordered)
