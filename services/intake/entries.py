"""An entry as intake's use cases hand it out, and who may reach it.

Shared by the commands (which answer with the entry they changed, and keep its `submissions`
row) and the queries (which read it back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from services.intake.adapters.tables import submissions
from services.intake.domain import submission as domain
from shared.auth import Principal
from shared.errors import not_found, parse_id


@dataclass(frozen=True)
class Linked:
    """What other services' events added to an entry (services/intake/adapters/linked.py)."""

    selected: bool = False
    materials: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, row: Any) -> Linked:
        return cls(row.selected, tuple(row.body.get("materials", [])))


def entry_body(entry: domain.Submission, linked: Linked = Linked()) -> dict[str, Any]:
    """The entry as the API shows it: its fields, then what intake knows about it."""
    return entry.fields | {
        "id": entry.id,
        "district": entry.district,
        "call_id": entry.call_id,
        "category": entry.category,
        "status": entry.status,
        "version": entry.version,
        "selected": linked.selected,
        "officer": entry.officer,
        # The 保姆 the office proposed, awaiting staff's confirmation (None: none pending).
        "officer_proposal": entry.officer_proposal,
        # The latest return for revision (退回修改): reasons, fields, due, when and by whom.
        "returned": entry.returned,
        "materials": list(linked.materials),
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        "submitted_at": entry.submitted_at.isoformat() if entry.submitted_at else None,
    }


def reachable(
    conn: Connection, principal: Principal, submission_id: str, lock: bool = False
) -> Linked:
    """What other services told about an entry `principal` may see; 404 for an unknown id and
    for another district's entry (its existence is not leaked). `lock` holds the entry's row
    until the transaction ends, so a command decides on a state nobody changes under it (a
    selection arriving during a withdrawal, say)."""
    parse_id(submission_id, "申报项目")
    query = select(submissions.c.district, submissions.c.selected, submissions.c.body).where(
        submissions.c.id == submission_id
    )
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None or (principal.is_office and row.district != principal.district):
        raise not_found("申报项目")
    return Linked.of(row)
