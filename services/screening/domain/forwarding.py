"""What a district forwarded to the city (四(二): 区科协汇总后报市科协进行遴选), as screening
judges the city's selection by it. Pure.

Intake owns the batch (`BatchSent`, its manifest); screening keeps, on each entry, the latest
batch of its district that forwarded it: the batch, its number, the entry version and the
stored materials it froze, and whether the entry changed after it. A later batch of the
district's call (a supplement) lists every entry submitted at its time, so it replaces what
an earlier one said: forwarded again (at its new version), or no longer (left out).

The city selects, and recommends, only an entry its district forwarded, as it was forwarded:
one never forwarded, or changed after its batch (amended, returned, withdrawn, or its stored
materials not those frozen), is refused with what to do (报送补充批次)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from services.screening.domain.tracked import Tracked
from shared.catalog.vocabulary import STORED
from shared.errors import Refused

# Intake's events that change what the district forwarded (a 保姆 assigned does not).
CHANGES = frozenset({"SubmissionUpdated", "SubmissionReturned", "SubmissionWithdrawn"})


def forwarded(data: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry as `BatchSent` (`data`) forwarded it (`entry`: one of the manifest's)."""
    return {
        "batch_id": str(data["batch_id"]),
        "number": int(data["number"]),
        "version": int(entry.get("version") or 0),
        "materials": sorted(str(m.get("id")) for m in entry.get("materials", [])),
        "changed": False,
    }


def after_change(
    tracked: Tracked, before: Tracked, event_type: str, version: int | None
) -> Tracked:
    """The entry after an intake event of entry `version`: one that changes what was forwarded,
    made after the batch's version, marks it changed (an update that changes no field does
    not)."""
    standing = tracked.forwarded
    if standing is None or standing.get("changed") or event_type not in CHANGES:
        return tracked
    if version is not None and version <= int(standing.get("version") or 0):
        return tracked  # the batch already holds this version
    if event_type == "SubmissionUpdated" and tracked.fields == before.fields:
        return tracked
    return replace(tracked, forwarded=dict(standing) | {"changed": True})


def shown_materials(materials: list[dict[str, Any]]) -> set[str]:
    """The stored materials the entry shows now: the latest stored of each kind (screening
    keeps every material media holds, a replaced one too)."""
    latest: dict[str, str] = {}
    for item in materials:
        if item.get("status") == STORED:
            latest[str(item.get("kind"))] = str(item.get("material_id"))
    return set(latest.values())


def check_forwarded(tracked: Tracked, act: str) -> None:
    """The city may `act` (遴选, 推荐省级) only on an entry its district forwarded, unchanged."""
    standing = tracked.forwarded
    if standing is None:
        raise Refused(
            "invalid_state",
            f"该项目尚未由区县汇总报送，请区县报送补充批次（汇总报送）后再{act}",
            state=tracked.state,
        )
    frozen = set(standing.get("materials") or [])
    if standing.get("changed") or shown_materials(tracked.materials) != frozen:
        number = standing.get("number")
        raise Refused(
            "invalid_state",
            f"项目在区县报送（第{number}批）后已修改，请区县报送补充批次后再{act}",
            state=tracked.state,
            batch_number=number,
        )
