"""Entries the staff's and the neighbour's tests need, made through the API as an office
would (the office's own pages are tested in the browser by test_office_console)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ops import demo
from ops.client import Client, wait_until
from tests.entries import full_body


def draft(office: Client, category: str, title: str, **fields: Any) -> str:
    body = full_body(category) | {"title": title} | fields
    body.pop("call_id")  # the one open call
    return str(office.create(body)["id"])


def entry_in_review(office: Client, title: str, video: Path) -> str:
    """A challenge with its video and introduction, submitted: screening leaves it in review
    (二(三)2 and 3 need a person). Returns its id once the reports show it so."""
    entry = draft(office, "challenge", title)
    for material in (
        office.upload(entry, "promo_video", video.name, "video/mp4", video.read_bytes()),
        office.upload(entry, "introduction", "项目介绍.pdf", "application/pdf", demo.pdf("x")),
    ):
        assert office.verified(material)["status"] == "stored"
    office.submit(entry)
    wait_until(lambda: [r["state"] for r in office.report_rows(q=title)] == ["in_review"],
               60, "the entry reported in review")  # fmt: skip
    return entry
