"""What screening takes from intake's and media's events: the entry's facts and its materials,
folded into a `Tracked` value. Pure: the command decides what follows (screening, lapses)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.screening.adapters.rows import Tracked
from shared.catalog.media import MATERIAL_STATUS
from shared.events import Event

SUBMISSION_EVENTS = frozenset(
    {"SubmissionDrafted", "SubmissionUpdated", "SubmissionSubmitted", "SubmissionWithdrawn"}
)
STORED = "stored"


def relevant(event: Event) -> bool:
    """Whether the event can change an entry's screening (ServiceOfficerAssigned cannot)."""
    return event.type in SUBMISSION_EVENTS or event.type in MATERIAL_STATUS


def fold(tracked: Tracked, event: Event) -> Tracked:
    """The entry as known after `event`."""
    data = event.data
    if event.type == "SubmissionDrafted":
        return replace(
            tracked,
            district=data["district"],
            call_id=data["call_id"],
            category=data["category"],
            fields=data["fields"],
            status="draft",
        )
    if event.type == "SubmissionUpdated":
        # Intake sends the full fields after each change, so nothing is merged here.
        return replace(tracked, fields=data["fields"])
    if event.type == "SubmissionSubmitted":
        return replace(tracked, status="submitted")
    if event.type == "SubmissionWithdrawn":
        return replace(tracked, status="withdrawn")
    if event.type in MATERIAL_STATUS:
        return replace(tracked, materials=_material(tracked.materials, event))
    return tracked


def _material(items: list[dict[str, Any]], event: Event) -> list[dict[str, Any]]:
    data, status = event.data, MATERIAL_STATUS[event.type]
    items = [dict(item) for item in items]
    mine = next((i for i in items if i["material_id"] == data["material_id"]), None)
    if mine is None:
        items.append({"material_id": data["material_id"], "kind": data["kind"], "status": status})
    else:
        mine["status"] = status
    return items


def material_statuses(items: list[dict[str, Any]]) -> dict[str, str]:
    """{kind: status} as the rules read it: the latest material of each kind, except that a
    stored one wins over a newer one not (yet) stored. A replacement being uploaded or failing
    verification does not take away the material the entry already has."""
    statuses: dict[str, str] = {}
    for item in items:  # oldest first: a later material of a kind overrides an earlier one
        if statuses.get(item["kind"]) != STORED or item["status"] == STORED:
            statuses[item["kind"]] = item["status"]
    return statuses
