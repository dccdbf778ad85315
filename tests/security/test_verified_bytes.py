"""Verified means fixed (issue #24, item 7): once media verified a material, no upload URL
can change the bytes a reader gets."""

from __future__ import annotations

import hashlib

import requests

from ops.client import Client, expect
from tests.entries import full_body
from tests.front_door import token


def test_a_still_valid_upload_url_cannot_swap_the_verified_bytes(base_url: str) -> None:
    """Defends against: an office (or whoever saw the URL) putting other bytes to the slot's
    presigned URL, still valid for minutes after verification, so that staff download and the
    province receives a file that does not match the recorded SHA-256."""
    office = Client(base_url, token("--role", "office", "--district", "巴州区"))
    entry = office.create(full_body("challenge") | {"call_id": "demo"})["id"]
    good = b"%PDF-1.4\n" + "项目介绍：经核验的原件。".encode() * 200 + b"\n%%EOF\n"
    slot = expect(office.call("POST", f"/api/v1/submissions/{entry}/materials", json={
        "kind": "introduction", "filename": "介绍.pdf", "content_type": "application/pdf",
        "size": len(good), "sha256": hashlib.sha256(good).hexdigest(),
    }), 201)  # fmt: skip
    url = slot["upload"]["url"]
    expect(requests.put(url, data=good, timeout=30), 200)
    expect(office.call("POST", f"/api/v1/materials/{slot['material_id']}/complete"), 202)
    stored = office.verified(slot["material_id"])
    assert stored["status"] == "stored", stored

    swapped = good.replace("原件".encode(), "伪件".encode())
    assert len(swapped) == len(good)
    requests.put(url, data=swapped, timeout=30)  # the URL still works; what does it change?
    again = office.material(slot["material_id"])
    served = requests.get(again["download_url"], timeout=30).content
    assert served == good
    assert hashlib.sha256(served).hexdigest() == again["sha256"] == stored["sha256"]
