"""How an entry's counterparts (供需对接) are scored: for a challenge the offers that may answer
it, for an offer the challenges it may answer. The ranking itself is `index.SideIndex.rank`
(or `index.rank` over a pool handed in).

The score is an absolute relevance, 0 to 1, not relative to the best of a ranking: the logistic
of a weighted sum of the pair's signals (`Signals`), with weights fitted on the dev split of the
held-out set (tests/data/matching_eval, `python -m bench.matching --fit`), so that it reads as
the share of such pairs that were true matches there:
- semantic: the cosine of the two entries' sentence embeddings (`semantic`), the signal that
  finds an answer described in its own words;
- text: BM25 (BM25+ with delta 0, as rank-bm25 has it) of the subject's words against the
  counterpart's, as log(1 + BM25): shared rare words;
- industry: the same GB/T 4754 大类 (division) 1, only the same 门类 (section) 0.5;
- cooperation: the challenge is open to cooperation and the offer is a technology;
- city: both applicants in the same prefecture (the first four digits of GB/T 2260).
Bands, calibrated on dev: 强 (STRONG and above), 中 (MEDIUM), 弱 (WEAK); below WEAK a pair is
no match. A subject whose best counterpart is 弱 has no good match, and says so.
Each match carries why, in Chinese (`Match.explanation`): the shared words, the semantic link
(语义相近：瓦斯 ≈ 甲烷), the industry, cooperation and city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matching.domain.profile import NEED, Profile
from shared import industries, regions
from shared.catalog.vocabulary import ACHIEVEMENT, PROMOTION

# The weights of the relevance, fitted on dev (bench/matching.py --fit prints them).
BIAS = -8.1012
W_SEMANTIC = 112.0405
SEMANTIC_ORIGIN = 0.85  # the cosine is read as its distance above this
W_TEXT = 0.5602
W_INDUSTRY = 0.0
W_COOPERATION = 0.0
W_CITY = 0.0
# The bands (scores at least these), calibrated on dev.
STRONG, MEDIUM, WEAK = 0.5, 0.15, 0.05
BANDS = (("强", STRONG), ("中", MEDIUM), ("弱", WEAK))
SHOWN_TERMS = 6
LINK_LEAST = 0.88  # two words this alike are named as the semantic link
SEMANTIC_SHOWN = 0.88  # a cosine this high is named as a reason (most true matches: 0.88–0.95)
COOPERATIVE = {"joint": "联合开发", "commissioned": "委托开发", "either": "联合或委托开发"}
NO_GOOD_MATCH = "暂无较好的匹配：最接近的项目相关度低，未予列出"

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Signals:
    """A subject's signals against every slot of an index (one array each)."""

    keep: npt.NDArray[np.bool_]  # the slots that may be listed
    text: Array  # BM25
    cosine: npt.NDArray[np.float32]  # of the sentence embeddings (0: one has none)
    industry: Array  # 1 same division, 0.5 same section, 0 none
    cooperation: npt.NDArray[np.bool_]
    city: npt.NDArray[np.bool_]
    idf: dict[str, float]  # the subject's words found, with their idf


def features(signals: Signals) -> npt.NDArray[np.float64]:
    """The pair's features, one row a slot: what the weights multiply."""
    semantic = np.where(signals.cosine > 0, signals.cosine - SEMANTIC_ORIGIN, -0.1)
    return np.column_stack(
        [
            semantic,
            np.log1p(signals.text),
            signals.industry,
            signals.cooperation.astype(float),
            signals.city.astype(float),
        ]
    )


WEIGHTS = (W_SEMANTIC, W_TEXT, W_INDUSTRY, W_COOPERATION, W_CITY)


def relevance(signals: Signals) -> Array:
    """The absolute relevance of each slot, 0 to 1."""
    linear = BIAS + features(signals) @ np.array(WEIGHTS)
    return 1.0 / (1.0 + np.exp(-linear))


def band(score: float | None) -> str | None:
    """强, 中 or 弱 (None: below every band, or no score)."""
    if score is None:
        return None
    return next((name for name, least in BANDS if score >= least), None)


@dataclass(frozen=True)
class Match:
    other: Profile
    score: float
    terms: tuple[str, ...]  # shared words, the rarest first
    industries: tuple[str, ...]  # shared industry codes (a division, or else a section)
    cooperation: str | None  # the challenge's mode, when the pair can cooperate
    city: str | None  # the shared prefecture's name
    semantic: float = 0.0  # the cosine of the sentence embeddings
    link: tuple[str, str] | None = None  # the closest pair of words, when named

    @property
    def band(self) -> str | None:
        return band(self.score)

    @property
    def explanation(self) -> str:
        reasons = []
        if self.terms:
            reasons.append("共同词语：" + "、".join(self.terms))
        if self.semantic >= SEMANTIC_SHOWN:
            near = f"语义相近（相似度 {self.semantic:.2f}）"
            if self.link:
                near = f"语义相近：{self.link[0]} ≈ {self.link[1]}（相似度 {self.semantic:.2f}）"
            reasons.append(near)
        if self.industries:
            reasons.append("同属行业：" + "、".join(industries.label(c) for c in self.industries))
        if self.cooperation:
            reasons.append(f"合作方式相容：难题方愿意{COOPERATIVE[self.cooperation]}")
        if self.city:
            reasons.append(f"同在{self.city}")
        return "；".join(reasons)


def shared_industries(a: Profile, b: Profile) -> tuple[tuple[str, ...], float]:
    """The codes both name (divisions first) and the industry part of the score."""
    divisions = sorted(set(a.industry_codes) & set(b.industry_codes) - set(industries.sections()))
    if divisions:
        return tuple(divisions), 1.0
    sections_a = {s for c in a.industry_codes if (s := industries.section_of(c))}
    sections_b = {s for c in b.industry_codes if (s := industries.section_of(c))}
    common = sorted(sections_a & sections_b)
    return tuple(common), 0.5 if common else 0.0


def cooperation(a: Profile, b: Profile) -> str | None:
    need, offer = (a, b) if a.side == NEED else (b, a)
    if need.cooperation_mode in COOPERATIVE and offer.category in (ACHIEVEMENT, PROMOTION):
        return need.cooperation_mode
    return None


def same_city(a: Profile, b: Profile) -> str | None:
    if not a.region_code or not b.region_code or a.region_code[:4] != b.region_code[:4]:
        return None
    return regions.name_of(a.region_code[:4] + "00") or a.region_code[:4]
