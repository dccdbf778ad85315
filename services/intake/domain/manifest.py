"""A district's batch (汇总报送) frozen into a manifest, and the manifest's one byte form. Pure.

The manifest says what the district handed to the city: the call, the district, when (UTC ISO
and the Beijing date printed on the 报送函), each submitted entry with its stream version and
every stored material's id, filename, size and SHA-256 (as media verified them), and the entries
of the call it left out (drafts, returned, withdrawn) with their status, so a clerk sees why an
entry is missing rather than guessing.

Its SHA-256 is taken over the canonical JSON (`canonical`): keys sorted, no spaces, UTF-8 (not
`\\u` escapes: the bytes stay readable), so anyone can recompute it from the manifest as
`GET /api/v1/batches/{id}` answers it (`json.dumps(m, sort_keys=True, ensure_ascii=False,
separators=(",", ":"))`). JSON escapes every C0 control (a NUL too), so the bytes never hold
one whatever a title holds; a lone surrogate (which the input rule refuses, but an old row might
hold) is written as its `\\udxxx` escape, the same text JSON would read back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.calls import BEIJING, Call
from shared.catalog.vocabulary import STORED

# The manifest's own version: a change of shape gets a new number. 2: each entry's
# `screening_state`; `not_included` with `reason` (and an ineligible entry's `clauses` and
# `findings`).
FORMAT = 2
# Why an entry of the call is not in the batch, by its intake status (ineligible: screening's).
NOT_INCLUDED = {
    "draft": "未提交（草稿）",
    "returned": "已退回修改，尚未重新提交",
    "withdrawn": "已撤回",
}
INELIGIBLE_REASON = "不符合征集条件"


def canonical(manifest: Mapping[str, Any]) -> bytes:
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace")


def digest(manifest: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(manifest)).hexdigest()


def label(number: int) -> str:
    return f"第{number}批"


def _materials(
    listed: Iterable[Mapping[str, Any]], digests: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The entry's materials media holds as stored, with media's size and SHA-256 (intake's
    own list may lag media's events; media's record is what was verified)."""
    frozen = []
    for item in listed:
        known = digests.get(str(item.get("material_id", "")))
        if not known or known.get("status") != STORED or not known.get("sha256"):
            continue
        frozen.append(
            {
                "id": str(item["material_id"]),
                "kind": item.get("kind", ""),
                "filename": item.get("filename", ""),
                "size": known.get("size"),
                "sha256": known["sha256"],
            }
        )
    return sorted(frozen, key=lambda m: m["id"])


def build(
    *,
    batch_id: str,
    number: int,
    call: Call,
    district: str,
    district_code: str | None,
    sent_at: datetime,
    sent_by: str,
    included: Sequence[Mapping[str, Any]],
    left_out: Sequence[Mapping[str, Any]],
    digests: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """The manifest. `included`: the submitted entries `{id, title, category, version,
    materials, screening_state}` in the order the letter lists them; `left_out`: `{id, title,
    status}`, with `failed` (screening's excluding findings) for a submitted ineligible one."""
    return {
        "format": FORMAT,
        "batch_id": batch_id,
        "number": number,
        "call": {"id": call.id, "title": call.title},
        "district": {"name": district, "code": district_code},
        "sent_at": sent_at.isoformat(),
        "sent_on": sent_at.astimezone(BEIJING).date().isoformat(),
        "sent_by": sent_by,
        "entries": [
            {
                "id": entry["id"],
                "title": entry["title"],
                "category": entry["category"],
                "version": entry["version"],
                "screening_state": entry.get("screening_state"),
                "materials": _materials(entry.get("materials", []), digests),
            }
            for entry in included
        ],
        "not_included": [_left_out(entry) for entry in left_out],
    }


def _left_out(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry not forwarded, and why: its intake status, or screening's exclusion with the
    notice's clauses it fails (不符合征集条件)."""
    left: dict[str, Any] = {"id": entry["id"], "title": entry["title"], "status": entry["status"]}
    if "failed" not in entry:
        return left | {"reason": NOT_INCLUDED.get(str(entry["status"]), str(entry["status"]))}
    failed = [f for f in entry["failed"] if isinstance(f, Mapping)]
    clauses = list(dict.fromkeys(str(f.get("clause") or "") for f in failed if f.get("clause")))
    return left | {
        "screening_state": "ineligible",
        "reason": INELIGIBLE_REASON,
        "clauses": clauses,
        "findings": [{"clause": f.get("clause"), "message": f.get("message")} for f in failed],
    }
