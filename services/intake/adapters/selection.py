"""What intake takes from other services' events: the city's selection of an entry."""

from sqlalchemy import Connection, func, update

from services.intake.adapters.tables import submissions
from shared.events import Event


def apply(conn: Connection, event: Event) -> None:
    """Called by the subscription inside its transaction, once per event, in order."""
    if event.type != "SelectionRecorded":
        return
    selected = event.data["decision"] == "selected"
    conn.execute(
        update(submissions)
        .where(submissions.c.id == event.data["submission_id"])
        .values(
            selected=selected,
            body=submissions.c.body.op("||")(func.jsonb_build_object("selected", selected)),
        )
    )
