"""The printed 回执 (《“科创会”科创项目征集回执》) of one entry, as a PDF to sign and stamp.

Intake renders it because intake holds what the form is: the fields the office filled in, in
the category's order with their Chinese labels (`receipt.form`), the lead, the 保姆 and the
call. What intake does not hold is asked of its owners over RPC when the PDF is made (no
service imports another): the screening state and findings from screening (`screening_of`),
each material's SHA-256 and verified status from media (`material_digests`). When an owner
does not answer, the receipt says so in place of its part rather than not printing at all.
The layout is `templates/receipt.html` (`shared.printing`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.intake.receipt import LABELS, form
from shared import printing, regions
from shared.calls import Call, beijing_time
from shared.catalog.vocabulary import (
    CATEGORY_LABELS,
    MATERIAL_KIND_LABELS,
    MATERIAL_STATUS_LABELS,
    STATE_LABELS,
    SUBMISSION_STATUS_LABELS,
)

TITLE = "《“科创会”科创项目征集回执》"
# The notice's own 备注 on who the 保姆 is.
OFFICER_NOTE = "“保姆”是指全省科协系统为“天府科技云”平台上所有项目指定的专属服务人员。"
OUTCOME_LABELS = {
    "pass": "符合",
    "fail": "不符合",
    "missing": "缺少",
    "review": "待审核",
    "priority": "优先支持",
}
SHORT_SHA = 16  # hex digits printed; the whole digest is in media's record


def _at(entry: dict[str, Any], path: str) -> Any:
    value: Any = entry
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _scalar(field: dict[str, Any], value: Any) -> str:
    kind = field["type"]
    if kind == "boolean":
        return "是" if value else "否"
    if kind == "choice":
        labels = {c["code"]: c["label"] for c in field["choices"]}
        return labels.get(value, str(value))
    if kind == "region":
        return regions.full_name(value) or str(value)
    return str(value)


def _value(field: dict[str, Any], value: Any) -> str:
    if field["type"] != "list":
        return _scalar(field, value)
    item = field["item"]
    shown = []
    for one in value if isinstance(value, list) else [value]:
        if item["type"] == "object" and isinstance(one, dict):
            parts = [
                f"{inner['label']}：{_scalar(inner, one[inner['name']])}"
                for inner in item["fields"]
                if not _blank(one.get(inner["name"]))
            ]
            shown.append("，".join(parts))
        else:
            shown.append(_scalar(item, one))
    return "\n".join(shown)


def filled(entry: dict[str, Any]) -> list[dict[str, str]]:
    """Every field the office filled in, in the receipt's order: `{section, label, value}`
    (`section` is the label of the nested object a field belongs to, else blank)."""
    rows = []
    for field in form(entry["category"]):
        value = _at(entry, field["name"])
        if _blank(value):
            continue
        top, _, inner = field["name"].partition(".")
        rows.append(
            {
                "section": LABELS[top] if inner else "",
                "label": field["label"],
                "value": _value(field, value),
            }
        )
    return rows


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return ""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def materials(
    entry: dict[str, Any], digests: dict[str, dict[str, Any]] | None
) -> list[dict[str, str]]:
    """The entry's materials with size, short SHA-256 and status (media's when it answered)."""
    shown = []
    for item in entry.get("materials", []):
        known = (digests or {}).get(item.get("material_id", ""), {})
        status = known.get("status") or item.get("status")
        sha = known.get("sha256") or ""
        shown.append(
            {
                "kind": MATERIAL_KIND_LABELS.get(item.get("kind", ""), item.get("kind", "")),
                "filename": item.get("filename", ""),
                "size": _size(known.get("size", item.get("size"))),
                "sha256": sha[:SHORT_SHA] if sha else ("（未取得）" if digests is None else ""),
                "status": MATERIAL_STATUS_LABELS.get(status or "", status or ""),
                "reason": item.get("reason", ""),
            }
        )
    return shown


def screening(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "state": STATE_LABELS.get(result.get("state") or "", result.get("state") or "待筛查"),
        "priority": "是" if result.get("priority") else "否",
        "findings": [
            {
                "clause": f.get("clause", ""),
                "outcome": OUTCOME_LABELS.get(f.get("outcome", ""), f.get("outcome", "")),
                "message": f.get("message", ""),
            }
            for f in result.get("findings", [])
            if isinstance(f, dict)
        ],
    }


def context(
    entry: dict[str, Any],
    call: Call | None,
    screened: dict[str, Any] | None,
    digests: dict[str, dict[str, Any]] | None,
    asked: bool,
    now: datetime,
) -> dict[str, Any]:
    """What the template prints. `asked`: whether screening answered (None from an answering
    screening means it has not seen the entry yet)."""
    return {
        "title": TITLE,
        "entry": {
            "id": entry["id"],
            "district": entry["district"],
            "category": CATEGORY_LABELS.get(entry["category"], entry["category"]),
            "status": SUBMISSION_STATUS_LABELS.get(entry["status"], entry["status"]),
            "submitted_at": (
                beijing_time(datetime.fromisoformat(entry["submitted_at"]))
                if entry.get("submitted_at")
                else ""
            ),
        },
        "fields": filled(entry),
        "materials": materials(entry, digests),
        "screening": screening(screened),
        "screening_asked": asked,
        "officer": entry.get("officer"),
        "officer_note": OFFICER_NOTE,
        "call": call,
        # Whom the entry's office asks: its own district's contact (else the city's).
        "contact": call.contact_of(entry["district"]) if call is not None else None,
        "printed_at": beijing_time(now),
    }


def receipt_html(**kwargs: Any) -> str:
    return printing.html("services.intake", "receipt.html", **context(**kwargs))


def receipt_pdf(**kwargs: Any) -> bytes:
    return printing.pdf(receipt_html(**kwargs))
