"""How an entry's counterparts (供需对接) are scored: for a challenge the offers that may answer
it, for an offer the challenges it may answer. The ranking itself is `index.SideIndex.rank`
(or `index.rank` over a pool handed in).

Score (0 to 1), the sum of
- text, up to TEXT: BM25 (BM25+ with delta 0, as rank-bm25 has it, whose idf stays positive
  in a small corpus) of the subject's words against each counterpart's, relative to the best
  counterpart of this ranking, so the best text match gets all of it;
- industry, up to INDUSTRY: the same GB/T 4754 大类 (division) gives all, only the same 门类
  (section) half;
- cooperation, COOPERATION: the challenge is open to cooperation (joint, commissioned or either)
  and the offer is a technology (achievement or promotion) it could be developed with;
- city, CITY: both applicants in the same prefecture (the first four digits of GB/T 2260).
A counterpart sharing neither a word nor an industry is not a match, whatever else it shares.
Each match carries why, in Chinese (`Match.explanation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.matching.domain.profile import NEED, Profile
from shared import industries, regions
from shared.catalog.vocabulary import ACHIEVEMENT, PROMOTION

TEXT, INDUSTRY, COOPERATION, CITY = 0.6, 0.2, 0.1, 0.1
SHOWN_TERMS = 6
COOPERATIVE = {"joint": "联合开发", "commissioned": "委托开发", "either": "联合或委托开发"}


@dataclass(frozen=True)
class Match:
    other: Profile
    score: float
    terms: tuple[str, ...]  # shared words, the rarest first
    industries: tuple[str, ...]  # shared industry codes (a division, or else a section)
    cooperation: str | None  # the challenge's mode, when the pair can cooperate
    city: str | None  # the shared prefecture's name

    @property
    def explanation(self) -> str:
        reasons = []
        if self.terms:
            reasons.append("共同词语：" + "、".join(self.terms))
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
