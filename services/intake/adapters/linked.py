"""What intake takes from other services' events, into the `submissions` rows: the materials
media holds for an entry, and the city's selection (from screening)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from services.intake.adapters.tables import submissions
from shared.catalog.materials import materials_after
from shared.catalog.media import MATERIAL_STATUS
from shared.catalog.vocabulary import SELECTED
from shared.events import Event


def apply(conn: Connection, event: Event) -> None:
    """Called by the subscription inside its transaction, once per event, in order."""
    if event.type == "SelectionRecorded":
        _selection(conn, event)
    elif event.type in MATERIAL_STATUS:
        _material(conn, event)


def _selection(conn: Connection, event: Event) -> None:
    selected = event.data["decision"] == SELECTED
    row = _row(conn, event.data["submission_id"])
    if row is not None:
        _save(conn, event.data["submission_id"], row.body | {"selected": selected}, selected)


def _material(conn: Connection, event: Event) -> None:
    data = event.data
    row = _row(conn, data["submission_id"])
    if row is None:
        return
    before = row.body.get("materials", [])
    items = materials_after(before, event.type, data)
    if items != before:  # the events of a replaced material change nothing
        _save(conn, data["submission_id"], row.body | {"materials": items}, None)


def _row(conn: Connection, submission_id: str) -> Any:
    return conn.execute(
        select(submissions.c.body).where(submissions.c.id == submission_id).with_for_update()
    ).first()


def _save(
    conn: Connection, submission_id: str, body: dict[str, Any], selected: bool | None
) -> None:
    values: dict[str, Any] = {"body": body}
    if selected is not None:
        values["selected"] = selected
    conn.execute(update(submissions).where(submissions.c.id == submission_id).values(**values))
