"""What screening knows of one entry (`Tracked`), and how intake's and media's events fold into
it. Pure: the use case decides what follows a change (a screening, a lapse)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.screening.domain import evidence, returns
from services.screening.domain.entry import Entry
from shared.catalog.materials import materials_after
from shared.catalog.media import MATERIAL_STATUS
from shared.catalog.upcast import upcast_fields
from shared.catalog.vocabulary import DRAFT, PENDING, RETURNED, SUBMITTED, WITHDRAWN

# An event a decision asks for: (event type name, data without the submission id).
Recorded = tuple[str, dict[str, Any]]

SUBMISSION_EVENTS = frozenset(
    {
        "SubmissionDrafted",
        "SubmissionUpdated",
        "SubmissionSubmitted",
        "SubmissionReturned",
        "SubmissionWithdrawn",
    }
)


@dataclass(frozen=True)
class Tracked:
    """What screening knows of one entry. `result` is the latest ScreeningCompleted's data
    (None before the first screening); `review`, `selection` and `recommendation` are the
    standing decisions."""

    submission_id: str
    district: str | None = None
    call_id: str | None = None
    category: str | None = None
    fields: dict[str, Any] | None = None
    status: str | None = None
    materials: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    window_closed: bool = False
    review: dict[str, Any] | None = None
    selection: dict[str, Any] | None = None
    version: int = 0
    # The standing return for revision (`returns.returned`), kept after the entry is
    # submitted again: its due still bounds the entry's close.
    returned: dict[str, Any] | None = None
    # The standing recommendation to the province ({rank, reason, by, at}; `recommendations`).
    recommendation: dict[str, Any] | None = None
    # The entries this one may be a copy of, or a copy of it ({other id: pair}; `duplicates`).
    duplicates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The version of intake's `submission-<id>` stream applied so far (0: not known): the
    # entry version staff's decisions are made on (`decisions.check_version`).
    entry_version: int = 0
    # The latest district batch that forwarded the entry to the city (`forwarding`), or None.
    forwarded: dict[str, Any] | None = None

    @property
    def known(self) -> bool:
        """Whether intake has told us of the entry (media's events may come first)."""
        return self.district is not None

    @property
    def state(self) -> str:
        return str(self.result["state"]) if self.result else PENDING


def relevant(event_type: str) -> bool:
    """Whether an event can change an entry's screening (ServiceOfficerAssigned cannot)."""
    return event_type in SUBMISSION_EVENTS or event_type in MATERIAL_STATUS


def fold(
    tracked: Tracked, event_type: str, data: Mapping[str, Any], at: datetime | None = None
) -> Tracked:
    """The entry as known after an event of `event_type` carrying `data` that occurred `at`
    (media's events: when a material was requested and uploaded, see `evidence`)."""
    if event_type == "SubmissionDrafted":
        return replace(
            tracked,
            district=data["district"],
            call_id=data["call_id"],
            category=data["category"],
            fields=upcast_fields(data["fields"]),
            status=DRAFT,
        )
    if event_type == "SubmissionUpdated":
        # Intake sends the full fields after each change, so nothing is merged here.
        return replace(tracked, fields=upcast_fields(data["fields"]))
    if event_type == "SubmissionSubmitted":
        if tracked.returned is not None:
            return replace(
                tracked, status=SUBMITTED, returned=returns.resubmitted(tracked.returned, at)
            )
        return replace(tracked, status=SUBMITTED)
    if event_type == "SubmissionReturned":
        # Staff sent it back: what it was screened as no longer stands (it is to be screened
        # again once submitted again, and the new result is recorded even if it is the same).
        return replace(
            tracked,
            status=RETURNED,
            returned=returns.returned(data, at or datetime.fromisoformat(data["due"])),
            result=None,
            window_closed=False,
        )
    if event_type == "SubmissionWithdrawn":
        return replace(tracked, status=WITHDRAWN)
    if event_type in MATERIAL_STATUS:
        # Superseded materials are kept: one replaced while it was being verified still counts
        # once media stores it (the deadline is judged on evidence, domain.md).
        after = materials_after(tracked.materials, event_type, data, keep_superseded=True)
        return replace(tracked, materials=evidence.stamped(after, event_type, data, at))
    return tracked


def as_entry(tracked: Tracked, closes_at: datetime | None = None) -> Entry:
    """The entry as the rules read it (a known entry: intake has told its category), with the
    materials that count when its call closes at `closes_at` (None: no close known)."""
    return Entry(
        category=str(tracked.category),
        # Rows saved before the upcast existed keep older fields: read them in today's shape.
        fields=upcast_fields(tracked.fields or {}),
        materials=evidence.statuses(tracked.materials, closes_at),
        district=str(tracked.district),
        in_flight=evidence.in_flight(tracked.materials, closes_at),
    )
