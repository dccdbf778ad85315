"""The labelled set for matching (tests/data/matching/*.yaml), as matching and intake read it.

Written for the purpose (issue #17): technical challenges naming their true matches among the
offers (achievements, promotions, finance products), entries handed in twice (`duplicate_of`)
and entries on the same subject that are not copies (`related_to`). A copy of a true match is a
true match too: it says the same thing.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.matching.domain.profile import Profile
from tests.entries import full_body

DATA = Path(__file__).resolve().parent / "data" / "matching"
TEXT_FIELDS = ("title", "summary", "benefits", "keywords", "industry_codes")


@dataclass(frozen=True)
class LabelledSet:
    entries: dict[str, dict[str, Any]]  # id -> the entry as written
    matches: dict[str, frozenset[str]]  # challenge id -> its true matches (copies included)
    duplicates: frozenset[frozenset[str]]  # the pairs handed in twice

    def profile(self, entry_id: str) -> Profile:
        entry = self.entries[entry_id]
        return Profile(
            submission_id=entry_id,
            district=entry["district"],
            call_id="tianfu-2021",
            category=entry["category"],
            status="submitted",
            title=entry["title"],
            summary=entry["summary"],
            benefits=entry["benefits"],
            keywords=tuple(entry["keywords"]),
            industry_codes=tuple(entry["industry_codes"]),
            cooperation_mode=entry.get("cooperation_mode"),
            region_code=entry["district"],
        )

    def profiles(self) -> list[Profile]:
        return [self.profile(entry_id) for entry_id in self.entries]

    def body(self, entry_id: str) -> dict[str, Any]:
        """The entry as an office hands it to intake (tests/entries.py's shape)."""
        entry = self.entries[entry_id]
        body = full_body(entry["category"])
        body |= {name: entry[name] for name in TEXT_FIELDS}
        body["applicant"] = body["applicant"] | {"region_code": entry["district"]}
        if "cooperation_mode" in entry:
            body["cooperation_mode"] = entry["cooperation_mode"]
        return body


@functools.cache
def load() -> LabelledSet:
    entries: dict[str, dict[str, Any]] = {}
    labels: dict[str, list[str]] = {}
    copies: dict[str, list[str]] = {}
    pairs = set()
    for path in sorted(DATA.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in document.get("challenges", []):
            entries[entry["id"]] = {"category": "challenge", **entry}
            labels[entry["id"]] = entry["matches"]
        for section in ("offers", "duplicates", "related"):
            for entry in document.get(section, []):
                entries[entry["id"]] = entry
                if "duplicate_of" in entry:
                    copies.setdefault(entry["duplicate_of"], []).append(entry["id"])
                    pairs.add(frozenset((entry["id"], entry["duplicate_of"])))
    matches = {}
    for challenge, named in labels.items():
        matches[challenge] = frozenset(named + [c for o in named for c in copies.get(o, [])])
        for copy in copies.get(challenge, []):
            matches[copy] = matches[challenge]
    for challenge, found in matches.items():
        unknown = [o for o in found if o not in entries or entries[o]["category"] == "challenge"]
        assert not unknown, f"{challenge}: unknown or not offers: {unknown}"
    return LabelledSet(entries, matches, frozenset(pairs))


# ---------------------------------------------------------------------------------------------
# The held-out set of issue #26 (tests/data/matching_eval/, written by its generate.py): needs
# described in their own words, offers in theirs, doubles rewritten by a second county, decoys.

EVAL = Path(__file__).resolve().parent / "data" / "matching_eval" / "set.yaml"


@dataclass(frozen=True)
class EvalSet:
    entries: dict[str, dict[str, Any]]  # id -> the entry as written
    matches: dict[str, frozenset[str]]  # challenge id -> its true matches (doubles included)
    duplicates: frozenset[frozenset[str]]  # the pairs handed in twice (rewritten)

    def profile(self, entry_id: str) -> Profile:
        entry = self.entries[entry_id]
        return Profile(
            submission_id=entry_id,
            district=entry["district"],
            call_id="tianfu-2021",
            category=entry["category"],
            status="submitted",
            title=entry["title"],
            summary=entry["summary"],
            benefits=entry["benefits"],
            applicant_name=entry["applicant_name"],
            keywords=tuple(entry["keywords"]),
            industry_codes=tuple(entry["industry_codes"]),
            cooperation_mode=entry.get("cooperation_mode"),
            region_code=entry["region_code"],
            lead_name=entry.get("lead_name", ""),
        )

    def profiles(self) -> list[Profile]:
        return [self.profile(entry_id) for entry_id in self.entries]

    def split(self, entry_id: str) -> str:
        return str(self.entries[entry_id]["split"])

    def challenges(self, split: str) -> dict[str, frozenset[str]]:
        """The challenges of `split` (dev or test) with their true matches."""
        return {c: m for c, m in self.matches.items() if self.split(c) == split}

    def duplicate_pairs(self, split: str) -> frozenset[frozenset[str]]:
        return frozenset(p for p in self.duplicates if self.split(min(p)) == split)

    def ids(self, split: str) -> list[str]:
        """The entries a split's duplicates are judged among: its own and the finance products."""
        return [e for e in self.entries if self.split(e) in (split, "both")]

    def shares_words(self, a: str, b: str) -> bool:
        """Whether two entries share a keyword or a title word (a word of either's title or
        keywords in both): the pairs a matcher can find by the same string."""
        ea, eb = self.entries[a], self.entries[b]
        if set(ea["keywords"]) & set(eb["keywords"]):
            return True
        return bool(_title_words(ea) & _title_words(eb))

    def unshared(self, split: str) -> dict[str, frozenset[str]]:
        """The challenges of `split` none of whose true matches shares a keyword or a title word
        with it: the half where the answer is described in the offer's own terms."""
        return {
            c: m for c, m in self.challenges(split).items()
            if not any(self.shares_words(c, o) for o in m)
        }  # fmt: skip


def _title_words(entry: dict[str, Any]) -> set[str]:
    from services.matching.domain import text

    found = set(text.words(entry["title"]))
    for keyword in entry["keywords"]:
        found |= set(text.words(keyword)) | {keyword.lower()}
    return found


@functools.cache
def load_eval() -> EvalSet:
    document = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in document["entries"]}
    matches = {
        e["id"]: frozenset(e["matches"]) for e in entries.values() if e["category"] == "challenge"
    }
    pairs = frozenset(
        frozenset((e["id"], e["duplicate_of"])) for e in entries.values() if "duplicate_of" in e
    )
    for challenge, found in matches.items():
        unknown = [o for o in found if o not in entries or entries[o]["category"] == "challenge"]
        assert not unknown, f"{challenge}: unknown or not offers: {unknown}"
    return EvalSet(entries, matches, pairs)


# ---------------------------------------------------------------------------------------------
# Ranking the held-out set's challenges, by matching and by the baselines the bench prints.

VECTORS = EVAL.parent / "vectors.npz"
METHODS = ("keywords", "bm25", "before", "semantic", "rrf", "matching")


def _digest(text_: str) -> str:
    from services.matching.domain import semantic

    return hashlib.sha256(f"{semantic.MODEL}\n{text_}".encode()).hexdigest()[:16]


def eval_vectors(labelled: EvalSet, embed: bool = True) -> dict[str, Any]:
    """The held-out set's sentence embeddings (`cached_vectors`)."""
    return cached_vectors([labelled.profile(e) for e in labelled.entries], VECTORS, embed)


def cached_vectors(profiles: list[Profile], path: Path, embed: bool = True) -> dict[str, Any]:
    """Each entry's sentence embedding (semantic.vector), from `path` when the entry's text and
    the model are the ones it was made of, else embedded now (about a minute for the held-out
    set on this machine) and `path` rewritten. `embed` False: only what `path` holds."""
    import numpy as np

    from services.matching.domain import semantic

    wanted = {p.submission_id: _digest(semantic.text_of(p)) for p in profiles}
    cached: dict[str, Any] = {}
    if path.exists():
        stored = np.load(path)
        cached = dict(zip(stored["digests"].tolist(), stored["vectors"], strict=True))
    missing = [p for p in profiles if wanted[p.submission_id] not in cached]
    if missing and embed:
        texts = [semantic.text_of(p) for p in missing]
        for p, found in zip(missing, semantic.embed(texts), strict=True):
            cached[wanted[p.submission_id]] = found
        digests = sorted(set(wanted.values()))
        np.savez_compressed(path, digests=np.array(digests),
                            vectors=np.vstack([cached[d] for d in digests]))  # fmt: skip
    return {e: cached[d] for e, d in wanted.items() if d in cached}


class Ranker:
    """The held-out set's offers indexed as matching indexes them; each challenge ranked by a
    method: matching's own (`matching`: the fused relevance, bands ignored, so the figures count
    every rank) or a baseline:
    - keywords: the number of identical keywords shared (issue #26's naive matcher);
    - bm25: plain BM25 of matching's words, nothing else;
    - before: matching's score before issue #26 (BM25 relative to the best, industry,
      cooperation, city);
    - semantic: the cosine of the sentence embeddings alone;
    - rrf: reciprocal-rank fusion (k 60) of BM25, the cosine and the industry."""

    def __init__(self, labelled: EvalSet, vectors: dict[str, Any]) -> None:
        from services.matching.domain import text
        from services.matching.domain.index import SideIndex

        self.labelled = labelled
        self.vectors = vectors
        self.profiles = {e: labelled.profile(e) for e in labelled.entries}
        self.terms = {e: text.terms(p) for e, p in self.profiles.items()}
        self.offers = SideIndex(capacity=len(self.profiles))
        for e, p in self.profiles.items():
            if p.category != "challenge":
                self.offers.put(p, self.terms[e], vector=vectors.get(e))
        self.ids = [(found.profile.submission_id if found else "") for found in self.offers.entries]

    def signals(self, challenge: str) -> Any:
        return self.offers.signals(
            self.profiles[challenge], self.terms[challenge], self.vectors.get(challenge)
        )

    def scores(self, challenge: str, method: str) -> Any:
        import numpy as np

        from services.matching.domain import scoring

        s = self.signals(challenge)
        if method == "keywords":
            mine = set(self.profiles[challenge].keywords)
            score = np.array([
                len(mine & set(self.profiles[i].keywords)) if i else 0 for i in self.ids
            ], dtype=float)  # fmt: skip
            return np.where(s.keep & (score > 0), score, -np.inf)
        if method == "bm25":
            return np.where(s.keep & (s.text > 0), s.text, -np.inf)
        if method == "before":
            best = float(s.text[s.keep].max(initial=0.0))
            score = (0.6 * (s.text / best if best > 0 else 0.0) + 0.2 * s.industry
                     + 0.1 * s.cooperation + 0.1 * s.city)  # fmt: skip
            return np.where(s.keep & ((s.text > 0) | (s.industry > 0)), score, -np.inf)
        if method == "semantic":
            return np.where(s.keep, s.cosine, -np.inf)
        if method == "rrf":
            fused = np.zeros(len(s.keep))
            for signal in (s.text, s.cosine, s.industry):
                order = np.argsort(-signal, kind="stable")
                ranks = np.empty(len(order))
                ranks[order] = np.arange(1, len(order) + 1)
                fused += np.where(signal > 0, 1.0 / (60 + ranks), 0.0)
            return np.where(s.keep, fused, -np.inf)
        if method == "matching":
            return np.where(s.keep, scoring.relevance(s), -np.inf)
        raise ValueError(method)

    def ranked(self, challenge: str, method: str, top: int = 10) -> list[str]:
        import numpy as np

        score = self.scores(challenge, method)
        order = np.lexsort((np.array(self.ids), -score))
        return [self.ids[i] for i in order[:top] if np.isfinite(score[i])]


def fit_relevance(
    ranker: Ranker, direction: Sequence[float], split: str = "dev"
) -> tuple[float, list[float], list[tuple[float, float]]]:
    """The relevance's weights: the direction (the features' ratios, chosen on dev for the
    ranking's MRR, bench/matching.py --fit) scaled and offset by a logistic regression of "a
    true match" on it over every (challenge, offer) pair of `split` (Platt scaling, Newton's
    method), so that a score reads as the share of such pairs that were true matches. Returns
    the bias, the weights and, for the bands, (threshold, precision of the pairs at or above
    it) for thresholds 0.05 to 0.95."""
    import numpy as np

    from services.matching.domain import scoring

    zs, labels = [], []
    for challenge, truth in ranker.labelled.challenges(split).items():
        s = ranker.signals(challenge)
        keep = np.flatnonzero(s.keep)
        zs.append(scoring.features(s)[keep] @ np.asarray(direction, dtype=float))
        labels.append(np.array([ranker.ids[i] in truth for i in keep], dtype=float))
    z, y = np.concatenate(zs), np.concatenate(labels)
    x = np.column_stack([np.ones(len(z)), z])
    w = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.eye(2) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    p = 1 / (1 + np.exp(-(x @ w)))
    precision = [
        (t, float(y[p >= t].mean()) if (p >= t).any() else 1.0)
        for t in np.round(np.arange(0.05, 1.0, 0.05), 2)
    ]
    return float(w[0]), [float(w[1] * d) for d in direction], precision
