"""The one fold of an entry's materials (`shared.catalog.materials.materials_after`): what an
entry shows (a new upload replaces what never got stored, a newly stored material the one
stored before it) and what screening counts (nothing replaced)."""

from __future__ import annotations

from typing import Any

from shared.catalog.materials import Material, materials_after

SID = "7f0c5e8e-0000-4000-8000-000000000001"


def event(type_: str, material_id: str, kind: str = "promo_video", **data: Any) -> tuple:
    return type_, {"submission_id": SID, "material_id": material_id, "kind": kind, **data}


def requested(material_id: str, kind: str = "promo_video") -> tuple:
    return event("MaterialRequested", material_id, kind, filename=f"{material_id}.mp4", size=9)


def fold(*events: tuple, keep_superseded: bool = False) -> list[Material]:
    materials: list[Material] = []
    for type_, data in events:
        before = [dict(item) for item in materials]
        after = materials_after(materials, type_, data, keep_superseded=keep_superseded)
        assert materials == before  # never changed in place
        materials = after
    return materials


def shown(materials: list[Material]) -> list[tuple[str, str]]:
    return [(item["material_id"], item["status"]) for item in materials]


def test_a_material_is_requested_uploaded_and_stored() -> None:
    materials = fold(requested("a"), event("MaterialUploaded", "a"), event("MediaStored", "a"))
    assert materials == [
        {"material_id": "a", "kind": "promo_video", "filename": "a.mp4", "size": 9,
         "status": "stored"},
    ]  # fmt: skip


def test_a_rejection_keeps_its_reason() -> None:
    materials = fold(requested("a"), event("MediaRejected", "a", reason="文件损坏"))
    assert materials[0]["status"] == "rejected" and materials[0]["reason"] == "文件损坏"


def test_a_new_upload_replaces_what_never_got_stored_but_not_a_stored_one() -> None:
    assert shown(fold(requested("a"), requested("b"))) == [("b", "awaiting_upload")]
    stored_then_new = fold(requested("a"), event("MediaStored", "a"), requested("b"))
    assert shown(stored_then_new) == [("a", "stored"), ("b", "awaiting_upload")]
    other_kind = fold(requested("a"), requested("b", "proof"))
    assert shown(other_kind) == [("a", "awaiting_upload"), ("b", "awaiting_upload")]


def test_a_newly_stored_material_replaces_the_one_stored_before() -> None:
    materials = fold(
        requested("a"), event("MediaStored", "a"), requested("b"), event("MediaStored", "b")
    )
    assert shown(materials) == [("b", "stored")]


def test_the_events_of_a_replaced_material_change_nothing() -> None:
    materials = fold(requested("a"), requested("b"), event("MediaStored", "a"))
    assert shown(materials) == [("b", "awaiting_upload")]


def test_kept_superseded_every_material_keeps_its_latest_status() -> None:
    materials = fold(
        requested("a"), requested("b"), event("MediaStored", "a"),
        requested("c"), event("MediaStored", "c"),
        keep_superseded=True,
    )  # fmt: skip
    assert shown(materials) == [("a", "stored"), ("b", "awaiting_upload"), ("c", "stored")]
