"""The reporting projection of one entry, folded from the events of all three owners. Pure.

`fold(entry, type, data, at, person)` is the single definition of what an event does to a
report row; the live consumer (`adapters.live`) and the batch rebuild (`adapters.rebuild`)
both call it, so a rebuilt projection cannot drift from the live one.

Order across owners: each owner's events reach us in order (the subscription sees to that),
but the three owners' logs are read independently, so a screening result may be folded before
the submission it is about, and a rebuild folds intake's whole log before media's and
screening's. Every field therefore comes from one owner only, and the overall state is derived
from the fields (never kept as a running value), so the result does not depend on how the
owners' events interleave. An entry known only from media or screening (its draft not seen
yet) is kept with `known = False` and is left out of every report until its draft arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from shared import regions
from shared.catalog.materials import materials_after
from shared.catalog.media import MATERIAL_STATUS
from shared.catalog.upcast import PLACE_NAMES, upcast_fields
from shared.catalog.vocabulary import (
    DRAFT,
    IN_REVIEW,
    INCOMPLETE,
    RETURNED,
    SELECTED,
    STORED,
    SUBMITTED,
    WITHDRAWN,
)
from shared.catalog.vocabulary import SCREENED_STATES as SCREENED

# A finding is a problem (the 汇总表's 问题数) when it fails or misses something; `review`
# items are counted apart, and `pass` and `priority` are not problems.
PROBLEMS = frozenset({"fail", "missing"})
REVIEW = "review"
# The states in which review items still await staff: once an entry is eligible or ineligible
# they were settled by staff or no longer matter (a fail, or missing at the close, decides).
AWAITING_REVIEW = frozenset({INCOMPLETE, IN_REVIEW})

# What reports keep of each material (the entry's materials as intake shows them).
SHOWN = ("material_id", "kind", "filename", "status")

INTAKE_STATUS = {
    "SubmissionSubmitted": SUBMITTED,
    "SubmissionWithdrawn": WITHDRAWN,
    "SubmissionReturned": RETURNED,
}
# The city's recommendation to the province (screening's): its rank and reason, or none.
RECOMMENDATION = frozenset({"EntryRecommended", "RecommendationWithdrawn"})
# Every event type the projection acts on; any other type changes nothing.
RELEVANT = frozenset(
    {
        "BatchSent",
        "SubmissionDrafted",
        "SubmissionUpdated",
        "ServiceOfficerAssigned",
        "ScreeningCompleted",
        "SelectionRecorded",
        *RECOMMENDATION,
        *INTAKE_STATUS,
        *MATERIAL_STATUS,
    }
)


def overall_state(status: str, screening: str | None, selection: str | None) -> str:
    """The entry's state in reports: withdrawn and selected win; a screening result implies
    the entry was submitted (screening judges submitted entries only), so it counts even
    when intake's `SubmissionSubmitted` has not been folded yet; `pending` is not a result."""
    if status == WITHDRAWN:
        return WITHDRAWN
    if status == RETURNED:
        # A return clears the screening it followed (see `apply`): only a result screening
        # gives while the entry is returned counts, the one for a return not resubmitted by due.
        return screening if screening in SCREENED else RETURNED
    if selection == SELECTED:
        return SELECTED
    if screening in SCREENED:
        return screening
    if status == SUBMITTED:
        return SUBMITTED
    return DRAFT


class Entry(NamedTuple):
    """One entry's report row. A named tuple rather than a dataclass: a rebuild makes one new
    row per event, and `_replace` is several times cheaper than `dataclasses.replace`."""

    submission_id: str
    known: bool = False
    district: str | None = None
    category: str | None = None
    call_id: str | None = None
    title: str = ""
    platform_listing_id: str = ""
    applicant_name: str = ""
    applicant_type: str | None = None
    region_code: str | None = None  # the applicant's place (GB/T 2260)
    location: str = ""  # its full name, or the names written before codes
    lead_name: str = ""
    lead_affiliation: str = ""
    tech_level: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    status: str = DRAFT
    screening_state: str | None = None
    findings_count: int = 0  # problems: fail and missing
    review_count: int = 0  # review items awaiting staff
    priority: bool | None = None  # 二(二)3 (None: not screened yet)
    selection: str | None = None
    officer_name: str | None = None
    officer_phone: str | None = None
    materials: Sequence[dict[str, Any]] = ()  # never changed in place: shared default is safe
    recommendation_rank: int | None = None  # 推荐省级 (None: not recommended)
    recommendation_reason: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # The latest district batch (汇总报送) that included the entry (`BatchSent`): its id and
    # number, the entry's version and the stored materials' ids it froze, and whether intake
    # changed the entry since (amended or withdrawn; both in intake's log, so in order).
    batch_id: str | None = None
    batch_number: int | None = None
    batch_version: int | None = None
    batch_materials: Sequence[str] = ()
    amended_after_batch: bool = False
    submitted_by: str = ""  # 填报人: the person who last submitted it (张三（巴州区科协）)
    # 延期至: the latest late exception covering the entry (its district's or its own), read
    # beside the row when it is reported (`queries.with_extensions`), never stored in it.
    extended_until: datetime | None = None

    @property
    def state(self) -> str:
        return overall_state(self.status, self.screening_state, self.selection)

    @property
    def changed_after_batch(self) -> bool:
        """报送后已修改: amended or withdrawn after its batch, or its stored materials are no
        longer the ones frozen (added, removed, replaced). The materials are compared as they
        stand, not as events arrive, since media's log is read apart from intake's: a
        material stored before the batch but folded after it does not count as a change."""
        if self.batch_id is None:
            return False
        stored = {m["material_id"] for m in self.materials if m.get("status") == STORED}
        return self.amended_after_batch or stored != set(self.batch_materials)

    @property
    def count_key(self) -> tuple[str, str, str] | None:
        """Where the entry counts in the summary (None: not reported yet)."""
        if not self.known or self.district is None or self.category is None:
            return None
        return (self.district, self.category, self.state)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _code(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _location(applicant: dict[str, Any]) -> str:
    """The applicant's place for people: the code's full name, else the names as written
    (an entry from before codes whose names do not map)."""
    code = _code(applicant.get("region_code"))
    named = regions.full_name(code) if code else None
    if named:
        return named
    return "".join(_text(applicant.get(name)).strip() for name in PLACE_NAMES)


def _content(fields: dict[str, Any]) -> dict[str, Any]:
    fields = upcast_fields(fields)  # entries written before #13 read in today's shape
    applicant = _object(fields.get("applicant"))
    contact = _object(fields.get("contact"))
    lead = _object(fields.get("lead"))
    return {
        "title": _text(fields.get("title")),
        "platform_listing_id": _text(fields.get("platform_listing_id")),
        "applicant_name": _text(applicant.get("name")),
        "applicant_type": _code(applicant.get("type")),
        "region_code": _code(applicant.get("region_code")),
        "location": _location(applicant),
        "lead_name": _text(lead.get("name")),
        "lead_affiliation": _text(lead.get("affiliation")),
        "tech_level": _code(fields.get("tech_level")),
        "contact_name": _text(contact.get("name")),
        "contact_phone": _text(contact.get("phone")),
    }


def _screened(data: dict[str, Any]) -> dict[str, Any]:
    """What a screening result gives the row: its state, its problems and review items
    counted apart (a pass is not a problem), and the priority."""
    outcomes = [f.get("outcome") for f in data["findings"] if isinstance(f, dict)]
    state = data["state"]
    return {
        "screening_state": state,
        "findings_count": sum(outcome in PROBLEMS for outcome in outcomes),
        "review_count": outcomes.count(REVIEW) if state in AWAITING_REVIEW else 0,
        "priority": bool(data.get("priority")),
    }


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    """A material as reports list it (api.md "Reports"): no size, no rejection reason."""
    return {key: item[key] for key in SHOWN if key in item}


# Intake's changes of an entry that make it differ from what its batch froze.
AMENDING = frozenset({"SubmissionUpdated", "SubmissionWithdrawn"})


def per_entry(type_: str, data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The event as changes of single entries: a `BatchSent` names many entries and becomes
    one change per entry it froze (`data` of `fold`'s "BatchSent"); any other is itself."""
    if type_ != "BatchSent":
        return [(type_, data)]
    return [
        (
            type_,
            {
                "submission_id": entry["id"],
                "batch_id": data["batch_id"],
                "number": data["number"],
                "version": entry["version"],
                "materials": [m["id"] for m in entry["materials"]],
            },
        )
        for entry in data["manifest"]["entries"]
    ]


def fold(
    entry: Entry | None,
    type_: str,
    data: dict[str, Any],
    at: datetime,
    person: str | None = None,
) -> Entry | None:
    """`entry` after one event (`entry` None: not seen before). Returns `entry` itself when the
    event changes nothing, so callers can skip the write. `person`: who did it, as shown
    (`shared.events.Actor.label`), None when no person signed in did."""
    if type_ not in RELEVANT:
        return entry
    before = entry or Entry(submission_id=data["submission_id"])
    # The changes are gathered and applied with one `_replace`: making the new row is the
    # costliest step of a rebuild, so it happens once per event.
    changes: dict[str, Any]
    if type_ == "SubmissionDrafted":
        changes = _content(data["fields"])
        changes |= {
            "known": True,
            "district": data["district"],
            "category": data["category"],
            "call_id": data["call_id"],
            "created_at": at,
        }
    elif type_ == "SubmissionUpdated":
        changes = _content(data["fields"])
    elif type_ in INTAKE_STATUS:
        changes = {"status": INTAKE_STATUS[type_]}
        if type_ == "SubmissionSubmitted":
            changes["submitted_by"] = person or ""
        if type_ == "SubmissionReturned":
            changes["screening_state"] = None  # judged again once it is submitted again
    elif type_ == "BatchSent":  # one entry's part of it (`per_entry`)
        changes = {
            "batch_id": data["batch_id"],
            "batch_number": data["number"],
            "batch_version": data["version"],
            "batch_materials": list(data["materials"]),
            "amended_after_batch": False,
        }
        return before._replace(**changes)  # not a change of the entry: `updated_at` stays
    elif type_ == "ServiceOfficerAssigned":
        changes = {"officer_name": data["name"], "officer_phone": data["phone"]}
    elif type_ in MATERIAL_STATUS:
        after = materials_after(before.materials, type_, data)
        changes = {"materials": [_shown(item) for item in after]}
    elif type_ == "ScreeningCompleted":
        if before.status == RETURNED and before.updated_at is not None and at <= before.updated_at:
            # A result from before the return (the owners' logs are read independently, so it
            # may come after it): a returned entry is judged again once it is submitted again.
            return entry
        changes = _screened(data)
    elif type_ == "EntryRecommended":
        changes = {"recommendation_rank": data["rank"], "recommendation_reason": data["reason"]}
    elif type_ == "RecommendationWithdrawn":
        changes = {"recommendation_rank": None, "recommendation_reason": ""}
    else:  # SelectionRecorded
        changes = {"selection": data["decision"]}
    if type_ in AMENDING and before.batch_id is not None:
        changes["amended_after_batch"] = True
    # The latest time anything happened to the entry, whichever owner's log comes first.
    if before.updated_at is None or at > before.updated_at:
        changes["updated_at"] = at
    return before._replace(**changes)
