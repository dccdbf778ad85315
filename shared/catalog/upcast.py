"""Entry fields written before issue #13, read in today's shape.

Events are never rewritten: whoever reads an entry's fields from an event (intake's fold,
screening, reporting) passes them through `upcast_fields` first, so every reader sees the same
entry. It is pure and idempotent, and today's fields come back unchanged.
"""

from __future__ import annotations

from typing import Any

from shared import regions

PLACE_NAMES = ("province", "city", "district")


def applicant_with_code(applicant: dict[str, Any]) -> dict[str, Any]:
    """The applicant with `region_code` from its place names when they map; as it was when it
    has a code already, or names that do not map (an unknown place is for review, not a guess)."""
    if applicant.get("region_code") or not any(applicant.get(name) for name in PLACE_NAMES):
        return applicant
    code = regions.code_from_names(*(applicant.get(name) for name in PLACE_NAMES))
    return applicant | {"region_code": code} if code else applicant


def upcast_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` in today's shape: an applicant named by place gains `region_code` (when the
    names map), and a `lead_enterprise` written as a string becomes `{"name": <string>}` (its
    type unknown). Returns a new dict when anything changes; `fields` itself is not changed."""
    upcast = fields
    applicant = fields.get("applicant")
    if isinstance(applicant, dict):
        coded = applicant_with_code(applicant)
        if coded is not applicant:
            upcast = upcast | {"applicant": coded}
    lead_enterprise = fields.get("lead_enterprise")
    if isinstance(lead_enterprise, str):
        upcast = upcast | {"lead_enterprise": {"name": lead_enterprise}}
    return upcast
