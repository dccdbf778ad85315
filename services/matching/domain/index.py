"""An inverted index of one side's handed-in entries (the needs, or the offers), ranking a subject
from the other side as `scoring` defines it, without reading every counterpart for every query.

Each word has its postings (the entries holding it, with how often); an entry's industries,
city and whether it can cooperate sit in arrays beside its slot. A query adds up BM25 only along
its own words' postings and computes the rest of the score for every slot at once (numpy): with
100,000 entries indexed that is milliseconds, where reading and ranking the whole pool each time
took seconds (`bench/matching.py` prints both).

The figures are the ones `rank_bm25.BM25Plus(delta=0)` gives over the same corpus, operation for
operation: the index's counts (entries, lengths, document frequencies) are corrected for the
entries a query leaves out (staff dismissed them), so leaving one out ranks as if it had never
been there, as before.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matching.domain import scoring, semantic
from services.matching.domain.profile import NEED, Profile
from shared import industries
from shared.catalog.vocabulary import ACHIEVEMENT, PROMOTION

BLOCK = 8192  # slots a block of sentence embeddings holds
K1, B = 1.5, 0.75  # rank_bm25's defaults, which the scores were tuned with
_SECTIONS = {letter: bit for bit, letter in enumerate("ABCDEFGHIJKLMNOPQRST")}
_NO_CITY = -1


def _codes(codes: Sequence[str]) -> tuple[int, int, int]:
    """An entry's industries as bit masks: its sections, its divisions 01–63 and 64–97."""
    sections = low = high = 0
    for code in codes:
        section = industries.section_of(code)
        if section is None:
            continue
        sections |= 1 << _SECTIONS[section]
        if code != section:
            number = int(code)
            if number < 64:
                low |= 1 << number
            else:
                high |= 1 << (number - 64)
    return sections, low, high


def _city(profile: Profile) -> int:
    code = profile.region_code or ""
    return int(code[:4]) if len(code) >= 4 and code[:4].isdigit() else _NO_CITY


def _technology(profile: Profile) -> bool:
    return profile.category in (ACHIEVEMENT, PROMOTION)


def _cooperative(profile: Profile) -> bool:
    return profile.cooperation_mode in scoring.COOPERATIVE


@dataclass
class _Slot:
    profile: Profile
    frequencies: dict[str, int]
    revision: int


class SideIndex:
    """The handed-in entries of one side, by slot; `put` and `remove` keep it current."""

    def __init__(self, capacity: int = 1024) -> None:
        self.slots: dict[str, int] = {}
        self.entries: list[_Slot | None] = []
        self.free: list[int] = []
        self.postings: dict[str, dict[int, int]] = {}
        self._arrays: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]] = {}
        self.total_length = 0
        self.length = np.zeros(capacity)
        self.live = np.zeros(capacity, dtype=bool)
        self.sections = np.zeros(capacity, dtype=np.uint32)
        self.low = np.zeros(capacity, dtype=np.uint64)
        self.high = np.zeros(capacity, dtype=np.uint64)
        self.city = np.full(capacity, _NO_CITY, dtype=np.int32)
        self.technology = np.zeros(capacity, dtype=bool)
        self.cooperative = np.zeros(capacity, dtype=bool)
        # Each entry's sentence embedding (semantic.py), zeros when it has none, in blocks of
        # BLOCK slots: growing adds a block, never copies the lot (100,000 entries: 154 MB).
        self.blocks: list[npt.NDArray[np.float32]] = []
        self.embedded = np.zeros(capacity, dtype=bool)

    def __len__(self) -> int:
        return len(self.slots)

    def profile(self, submission_id: str) -> Profile | None:
        slot = self.slots.get(submission_id)
        found = self.entries[slot] if slot is not None else None
        return found.profile if found is not None else None

    def revision(self, submission_id: str) -> int | None:
        slot = self.slots.get(submission_id)
        found = self.entries[slot] if slot is not None else None
        return found.revision if found is not None else None

    def _grow(self) -> None:
        for name in ("length", "live", "sections", "low", "high", "city", "technology",
                     "cooperative"):  # fmt: skip
            old = getattr(self, name)
            new = np.full(len(old) * 2, _NO_CITY if name == "city" else 0, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        embedded = np.zeros(len(self.embedded) * 2, dtype=bool)
        embedded[: len(self.embedded)] = self.embedded
        self.embedded = embedded

    def put(
        self,
        profile: Profile,
        terms: Sequence[str],
        revision: int = 0,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> None:
        """Index `profile` (handed in, on this side) with its words and its sentence embedding
        (None: it has none, and ranks by its words alone), replacing what was there."""
        self.remove(profile.submission_id)
        if self.free:
            slot = self.free.pop()
        else:
            slot = len(self.entries)
            self.entries.append(None)
            if slot >= len(self.live):
                self._grow()
        frequencies: dict[str, int] = {}
        for term in terms:
            frequencies[term] = frequencies.get(term, 0) + 1
        self.entries[slot] = _Slot(profile, frequencies, revision)
        self.slots[profile.submission_id] = slot
        for term, count in frequencies.items():
            self.postings.setdefault(term, {})[slot] = count
            self._arrays.pop(term, None)
        # rank_bm25 cannot take an empty document: it was given one word, "\0".
        length = max(len(terms), 1)
        self.total_length += length
        self.length[slot] = length
        self.live[slot] = True
        self.sections[slot], self.low[slot], self.high[slot] = _codes(profile.industry_codes)
        self.city[slot] = _city(profile)
        self.technology[slot] = _technology(profile)
        self.cooperative[slot] = _cooperative(profile)
        self.embedded[slot] = vector is not None
        while slot >= len(self.blocks) * BLOCK:
            self.blocks.append(np.zeros((BLOCK, semantic.DIM), dtype=np.float32))
        self.blocks[slot // BLOCK][slot % BLOCK] = vector if vector is not None else 0.0

    def vector(self, submission_id: str) -> npt.NDArray[np.float32] | None:
        slot = self.slots.get(submission_id)
        if slot is None or not self.embedded[slot]:
            return None
        return self.blocks[slot // BLOCK][slot % BLOCK]

    def remove(self, submission_id: str) -> None:
        slot = self.slots.pop(submission_id, None)
        if slot is None:
            return
        found = self.entries[slot]
        assert found is not None
        for term in found.frequencies:
            postings = self.postings[term]
            del postings[slot]
            if not postings:
                del self.postings[term]
            self._arrays.pop(term, None)
        self.total_length -= int(self.length[slot])
        self.entries[slot] = None
        self.live[slot] = False
        self.embedded[slot] = False
        self.free.append(slot)

    def _postings(self, term: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """A word's postings as arrays (slots, frequencies), kept until the word's next change."""
        found = self._arrays.get(term)
        if found is None:
            postings = self.postings.get(term, {})
            found = (
                np.fromiter(postings.keys(), dtype=np.intp, count=len(postings)),
                np.fromiter(postings.values(), dtype=np.float64, count=len(postings)),
            )
            self._arrays[term] = found
        return found

    def signals(
        self,
        subject: Profile,
        subject_terms: Sequence[str],
        vector: npt.NDArray[np.float32] | None = None,
        leave_out: Collection[str] = (),
    ) -> scoring.Signals:
        """What ranking reads of `subject` against every entry of this side (one array each, by
        slot), less the entries in `leave_out`: BM25 of its words, the cosine of its sentence
        embedding, the shared industry, cooperation and city."""
        left_out = [
            self.entries[self.slots[sid]]
            for sid in leave_out
            if sid in self.slots and sid != subject.submission_id
        ]
        left = [s for s in left_out if s is not None]
        size = len(self.entries)
        count = len(self.slots) - len(left)
        keep = self.live[:size].copy()
        for s in left:
            keep[self.slots[s.profile.submission_id]] = False
        text = np.zeros(size)
        idf: dict[str, float] = {}
        if count > 0 and size > 0:
            total = self.total_length - sum(max(sum(s.frequencies.values()), 1) for s in left)
            average = total / count
            norm = K1 * (1 - B + B * self.length[:size] / average)
            for term in dict.fromkeys(subject_terms):
                slots, frequencies = self._postings(term)
                frequency = len(slots) - sum(1 for s in left if term in s.frequencies)
                if frequency <= 0:
                    continue
                idf[term] = math.log((count + 1) / frequency)
                text[slots] += idf[term] * ((frequencies * (K1 + 1)) / (norm[slots] + frequencies))
        if vector is not None and self.blocks:
            cosine = np.concatenate([block @ vector for block in self.blocks])[:size]
            cosine[~self.embedded[:size]] = 0.0
        else:
            cosine = np.zeros(size, dtype=np.float32)
        sections, low, high = _codes(subject.industry_codes)
        division = ((self.low[:size] & np.uint64(low)) | (self.high[:size] & np.uint64(high))) > 0
        section = (self.sections[:size] & np.uint32(sections)) > 0
        industry = np.where(division, 1.0, np.where(section, 0.5, 0.0))
        if subject.side == NEED:
            can = self.technology[:size] if _cooperative(subject) else np.zeros(size, dtype=bool)
        else:
            can = self.cooperative[:size] if _technology(subject) else np.zeros(size, dtype=bool)
        city = _city(subject)
        same = self.city[:size] == city if city != _NO_CITY else np.zeros(size, dtype=bool)
        if subject.submission_id in self.slots:
            keep[self.slots[subject.submission_id]] = False
        return scoring.Signals(keep, text, cosine, industry, can, same, idf)

    def rank(
        self,
        subject: Profile,
        subject_terms: Sequence[str],
        limit: int,
        leave_out: Collection[str] = (),
        vector: npt.NDArray[np.float32] | None = None,
        weak: bool = False,
    ) -> list[scoring.Match]:
        """The best `limit` counterparts of `subject`, best first (ties by id), each with its
        absolute relevance (`scoring.relevance`); only those of band 弱 or better, and with
        `weak` False only 强 and 中: a subject with no good counterpart gets none."""
        if len(self.entries) == 0:
            return []
        found_signals = self.signals(subject, subject_terms, vector, leave_out)
        score = scoring.relevance(found_signals)
        floor = scoring.WEAK if weak else scoring.MEDIUM
        keep = found_signals.keep & (score >= floor)
        found = np.flatnonzero(keep)
        rounded = np.round(score[found], 4)
        if len(found) > limit:
            # Only those at or above the limit-th score can make the list (ties by id below).
            cut = np.partition(rounded, len(found) - limit)[len(found) - limit]
            found, rounded = found[rounded >= cut], rounded[rounded >= cut]
        ranked = sorted(
            zip(found.tolist(), rounded.tolist(), strict=True),
            key=lambda pair: (-pair[1], self._id(pair[0])),
        )
        return [self._match(subject, found_signals, slot, value) for slot, value in ranked[:limit]]

    def _id(self, slot: int) -> str:
        found = self.entries[slot]
        assert found is not None
        return found.profile.submission_id

    def _match(
        self, subject: Profile, signals: scoring.Signals, slot: int, value: float
    ) -> scoring.Match:
        found = self.entries[slot]
        assert found is not None
        other = found.profile
        idf = signals.idf
        shared = sorted((t for t in idf if t in found.frequencies), key=lambda t: -idf[t])
        codes, _ = scoring.shared_industries(subject, other)
        return scoring.Match(
            other,
            value,
            tuple(shared[: scoring.SHOWN_TERMS]),
            codes,
            scoring.cooperation(subject, other),
            scoring.same_city(subject, other),
            round(float(signals.cosine[slot]), 4),
        )


def rank(
    subject: Profile,
    subject_terms: Sequence[str],
    candidates: Sequence[tuple[Profile, Sequence[str]]],
    limit: int,
    vectors: dict[str, npt.NDArray[np.float32]] | None = None,
    weak: bool = False,
) -> list[scoring.Match]:
    """The best `limit` counterparts of `subject` among `candidates` (profile, terms), best
    first, ties by submission id: `scoring`'s ranking over a pool indexed for this query
    (`vectors`: the entries' sentence embeddings by id, when there are)."""
    vectors = vectors or {}
    index = SideIndex(capacity=max(len(candidates), 1))
    for profile, terms in candidates:
        if subject.answers(profile):
            index.put(profile, terms, vector=vectors.get(profile.submission_id))
    return index.rank(
        subject, subject_terms, limit, vector=vectors.get(subject.submission_id), weak=weak
    )
