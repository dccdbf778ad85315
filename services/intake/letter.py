"""The district's 报送函 (《关于报送“科创会”科创项目的函》): the letter an office prints, stamps
and sends to 巴中市科协 with its batch. It lists the entries of the manifest (序号, 项目名称,
类别, 材料数), their count, the manifest's SHA-256, and a QR code of the batch's verification
address (`GET /api/v1/batches/{id}/verify?sha256=…`), so whoever holds the paper can check it
names the batch recorded. Rendered from `templates/letter.html` (`shared.printing`).

The QR code is drawn by segno (pure Python, no system library) as a PNG data URI, eight pixels a
module, which the template shows 32 mm wide without smoothing. A PNG rather than segno's SVG:
every printed value is cut at `printing.MAX_CHARS`, and the SVG of a verification address is
longer than that while the 1-bit PNG is a fifth of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import segno

from services.intake.domain.manifest import label
from shared import printing
from shared.calls import BEIJING
from shared.catalog.vocabulary import CATEGORY_LABELS

TITLE = "关于报送“科创会”科创项目的函"
CITY = "巴中市科协"


def verify_url(public_url: str, batch_id: str, sha256: str) -> str:
    return f"{public_url}/api/v1/batches/{quote(batch_id)}/verify?sha256={sha256}"


def qr_data_uri(address: str) -> str:
    # Level M: readable with a corner of the paper stamped over or creased.
    return segno.make(address, error="m", micro=False).png_data_uri(scale=8, border=4)


def _date(at: datetime) -> str:
    local = at.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日"


def context(batch: dict[str, Any], public_url: str) -> dict[str, Any]:
    """What the template prints, from a batch as `Batches.get` answers it."""
    manifest = batch["manifest"]
    address = verify_url(public_url, batch["id"], batch["sha256"])
    district = manifest["district"]["name"]
    return {
        "title": f"《{TITLE}》",
        "district": district,
        "sender": f"{district}科协",
        "recipient": CITY,
        "call_title": manifest["call"]["title"],
        "number": label(batch["number"]),
        "entries": [
            {
                "n": n,
                "title": entry["title"],
                "category": CATEGORY_LABELS.get(entry["category"], entry["category"]),
                "materials": len(entry["materials"]),
            }
            for n, entry in enumerate(manifest["entries"], start=1)
        ],
        "count": len(manifest["entries"]),
        "not_included": len([e for e in manifest["not_included"] if "clauses" not in e]),
        # Submitted but judged ineligible (不符合征集条件): not forwarded (四(二)).
        "ineligible": [
            {"title": e["title"], "clauses": "、".join(e.get("clauses") or [])}
            for e in manifest["not_included"]
            if "clauses" in e
        ],
        "sha256": batch["sha256"],
        "batch_id": batch["id"],
        "verify_url": address,
        "qr": qr_data_uri(address),
        "sent_on": _date(datetime.fromisoformat(manifest["sent_at"])),
    }


def letter_html(batch: dict[str, Any], public_url: str) -> str:
    return printing.html("services.intake", "letter.html", **context(batch, public_url))


def letter_pdf(batch: dict[str, Any], public_url: str) -> bytes:
    return printing.pdf(letter_html(batch, public_url))
