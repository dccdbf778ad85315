"""Which materials count, judged on evidence (domain.md, round 2: "the deadline is judged on
evidence, not on processing time").

A material counts for completeness when its upload slot was requested before the entry's call
closed and its upload was completed within the slot's lifetime; it is then the entry's once
media stores it, however long verification takes. The times are the events' own: a material's
`requested_at` and `uploaded_at` are the `occurred_at` of media's MaterialRequested and
MaterialUploaded (media records the very moment it judged the slot and the upload by), and
`expires_at` is the slot's end as MaterialRequested gives it. When screening happens to read
those events never matters:

- a material requested after the close never counts, whatever becomes of it: a late upload
  never revives an entry that was incomplete at the close;
- a material requested before the close and still being uploaded or verified is in flight: the
  close is not final for the entry until media settles it (stored: it counts; rejected or
  expired: it does not), so an upload started at 23:58 and verified at 00:03 never makes the
  entry pass through `ineligible`.

Materials followed before these times were kept (rows of an earlier screening) carry none:
they count as they did then, since there is no evidence against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.calls import past
from shared.catalog.vocabulary import AWAITING_UPLOAD, STORED, VERIFYING

Material = Mapping[str, Any]
IN_FLIGHT = (AWAITING_UPLOAD, VERIFYING)


def stamped(
    materials: Sequence[Material], event_type: str, data: Mapping[str, Any], at: datetime | None
) -> list[dict[str, Any]]:
    """The materials with the times of a media event (of `event_type`, carrying `data`, that
    occurred `at`) written on the material it is about; as they were when `at` is unknown."""
    if at is None or event_type not in ("MaterialRequested", "MaterialUploaded"):
        return [dict(item) for item in materials]
    if event_type == "MaterialRequested":
        times = {"requested_at": at.isoformat(), "expires_at": data.get("expires_at")}
    else:
        times = {"uploaded_at": at.isoformat()}
    return [
        dict(item) | times if item["material_id"] == data["material_id"] else dict(item)
        for item in materials
    ]


def _time(item: Material, key: str) -> datetime | None:
    value = item.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def in_time(item: Material, closes_at: datetime | None) -> bool:
    """Whether the material was requested before the close (`closes_at`; None: no close known)
    and, if uploaded, uploaded within its slot's lifetime."""
    requested, uploaded, expires = (
        _time(item, key) for key in ("requested_at", "uploaded_at", "expires_at")
    )
    if closes_at is not None and requested is not None and past(closes_at, requested):
        return False
    return not (uploaded is not None and expires is not None and uploaded > expires)


def statuses(materials: Iterable[Material], closes_at: datetime | None) -> dict[str, str]:
    """{kind: status} of the materials in time, as the rules read it: the latest of each kind,
    except that a stored one wins over a newer one not (yet) stored. A replacement being
    uploaded or failing verification does not take away the material the entry already has;
    a material out of time is as if it had never been requested."""
    found: dict[str, str] = {}
    for item in materials:  # oldest first: a later material of a kind overrides an earlier one
        if not in_time(item, closes_at):
            continue
        if found.get(item["kind"]) != STORED or item["status"] == STORED:
            found[item["kind"]] = item["status"]
    return found


def in_flight(materials: Iterable[Material], closes_at: datetime | None) -> frozenset[str]:
    """The kinds with no stored material in time but one in time still being uploaded or
    verified: what media may yet store for the entry, and which then counts."""
    materials = list(materials)
    have = statuses(materials, closes_at)
    return frozenset(
        item["kind"]
        for item in materials
        if item["status"] in IN_FLIGHT
        and in_time(item, closes_at)
        and have.get(item["kind"]) != STORED
    )
