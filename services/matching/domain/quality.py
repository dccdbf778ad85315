"""How well matching does on a labelled set: the figures `bench/matching.py` prints and the unit
test holds a floor under. Pure: the caller hands in the entries and the labels.

- hit@k: the share of challenges with a true match in their top k;
- MRR: the mean of 1 / the rank of each challenge's first true match (0 when none in the top 10);
- recall@k: the mean share of a challenge's true matches found in its top k;
- duplicates: precision and recall of the pairs found against the pairs handed in twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

TOP = 10


@dataclass(frozen=True)
class MatchingFigures:
    challenges: int
    hit_at_5: float
    mrr: float
    recall_at_10: float
    misses: tuple[tuple[str, tuple[str, ...]], ...]  # challenges with no true match in the top 5


@dataclass(frozen=True)
class DuplicateFigures:
    pairs: int
    found: int
    precision: float
    recall: float


def matching(
    truth: Mapping[str, frozenset[str]], ranked: Callable[[str], Sequence[str]]
) -> MatchingFigures:
    """`ranked(challenge)`: its counterparts' ids, best first (at least the top TOP)."""
    hits = reciprocal = recall = 0.0
    misses = []
    for challenge, relevant in sorted(truth.items()):
        top = list(ranked(challenge))[:TOP]
        if any(found in relevant for found in top[:5]):
            hits += 1
        else:
            misses.append((challenge, tuple(top[:5])))
        first = next((rank for rank, found in enumerate(top, 1) if found in relevant), None)
        reciprocal += 1 / first if first else 0.0
        recall += len(relevant & set(top)) / len(relevant)
    n = len(truth)
    return MatchingFigures(n, hits / n, reciprocal / n, recall / n, tuple(misses))


def duplicates(
    truth: Iterable[frozenset[str]], found: Iterable[frozenset[str]]
) -> DuplicateFigures:
    expected, got = set(truth), set(found)
    right = len(expected & got)
    return DuplicateFigures(
        len(expected),
        len(got),
        right / len(got) if got else 1.0,
        right / len(expected) if expected else 1.0,
    )
