"""An entry as matching knows it (its `Profile`), folded from intake's submission events.

Only what matching reads is kept: the text (title, summary, benefits, keywords), the industry
codes, a challenge's cooperation mode, the applicant's place, and where the entry stands
(draft, submitted, withdrawn). Fields come in today's shape (`upcast_fields`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from shared.catalog.upcast import upcast_fields
from shared.catalog.vocabulary import ACHIEVEMENT, CHALLENGE, FINANCE, PROMOTION

NEED = "need"  # 所需: a technical challenge
OFFER = "offer"  # 所能: what answers or funds one
OFFERS = (ACHIEVEMENT, PROMOTION, FINANCE)

DRAFTED = "SubmissionDrafted"
UPDATED = "SubmissionUpdated"
SUBMITTED = "SubmissionSubmitted"
WITHDRAWN = "SubmissionWithdrawn"
RELEVANT = frozenset({DRAFTED, UPDATED, SUBMITTED, WITHDRAWN})


@dataclass(frozen=True)
class Profile:
    submission_id: str
    district: str = ""
    call_id: str = ""
    category: str = ""
    status: str = "draft"
    title: str = ""
    summary: str = ""
    benefits: str = ""
    applicant_name: str = ""
    lead_name: str = ""  # an achievement's or promotion's lead (负责人): duplicates read it
    keywords: tuple[str, ...] = ()
    industry_codes: tuple[str, ...] = ()
    cooperation_mode: str | None = None
    region_code: str | None = None

    @property
    def side(self) -> str | None:
        if self.category == CHALLENGE:
            return NEED
        return OFFER if self.category in OFFERS else None

    @property
    def handed_in(self) -> bool:
        """Submitted and not withdrawn: only these are shown to other districts."""
        return self.status == "submitted"

    def answers(self, other: Profile) -> bool:
        """Whether `other` is on the opposite side (a need and an offer, either way round)."""
        sides = {self.side, other.side}
        return sides == {NEED, OFFER} and self.submission_id != other.submission_id


def with_fields(profile: Profile, fields: dict[str, Any]) -> Profile:
    fields = upcast_fields(fields)
    applicant = fields.get("applicant") or {}
    lead = fields.get("lead") or {}
    return replace(
        profile,
        title=fields.get("title") or "",
        summary=fields.get("summary") or "",
        benefits=fields.get("benefits") or "",
        applicant_name=applicant.get("name") or "",
        lead_name=(lead.get("name") if isinstance(lead, dict) else None) or "",
        keywords=tuple(fields.get("keywords") or ()),
        industry_codes=tuple(fields.get("industry_codes") or ()),
        cooperation_mode=fields.get("cooperation_mode"),
        region_code=applicant.get("region_code"),
    )


def fold(profile: Profile | None, type_: str, data: dict[str, Any]) -> Profile | None:
    """The profile after one submission event; None when there is none yet (an event about an
    entry whose draft was never seen, which a gap-free log never gives)."""
    if type_ == DRAFTED:
        drafted = Profile(
            submission_id=data["submission_id"],
            district=data["district"],
            call_id=data["call_id"],
            category=data["category"],
        )
        return with_fields(drafted, data["fields"])
    if profile is None:
        return None
    if type_ == UPDATED:
        return with_fields(profile, data["fields"])
    if type_ == SUBMITTED:
        return replace(profile, status="submitted", call_id=data.get("call_id") or profile.call_id)
    if type_ == WITHDRAWN:
        return replace(profile, status="withdrawn")
    return profile
