"""The materials of an entry, folded from media's events: one pure function that intake,
screening and reporting share, so the three cannot disagree on what replaces what.

Each material is `{material_id, kind, filename, size, status}` (+ `reason` once rejected),
oldest request first. Media's events of one material arrive in order, so a material is always
requested before anything else happens to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.catalog.media import MATERIAL_STATUS
from shared.catalog.vocabulary import STORED

Material = dict[str, Any]


def materials_after(
    materials: Sequence[Material],
    event_type: str,
    data: Mapping[str, Any],
    *,
    keep_superseded: bool = False,
) -> list[Material]:
    """The materials after a media event (`event_type` one of `MATERIAL_STATUS`). A new list;
    neither `materials` nor its items are changed, so callers may share them.

    As an entry shows them (default): a new upload replaces whatever of its kind never got
    stored, a newly stored material replaces the one stored before it, and the events of a
    replaced material change nothing. With `keep_superseded` nothing is ever replaced: every
    material media holds for the entry is kept with its latest status (what screening
    counts)."""
    status = MATERIAL_STATUS[event_type]
    kind = data["kind"]
    if event_type == "MaterialRequested":
        kept = [
            item
            for item in materials
            if keep_superseded or item["kind"] != kind or item["status"] == STORED
        ]
        requested = {
            "material_id": data["material_id"],
            "kind": kind,
            "filename": data.get("filename", ""),
            "size": data.get("size"),
            "status": status,
        }
        return [*kept, requested]
    mine = next((item for item in materials if item["material_id"] == data["material_id"]), None)
    if mine is None:
        return list(materials)  # its request was replaced (or never seen): nothing to show
    changed = mine | {"status": status}
    if event_type == "MediaRejected":
        changed["reason"] = data.get("reason", "")
    if event_type == "MediaStored" and not keep_superseded:
        return [
            changed if item is mine else item
            for item in materials
            if item is mine or item["kind"] != kind or item["status"] != STORED
        ]
    return [changed if item is mine else item for item in materials]
