"""A small client of Kechuang's HTTP API (api.md), as an office or staff member uses it: entries,
materials (presigned single or multipart uploads straight to the bucket), screening, reports.
Used by `kechuang demo` and by the end-to-end tests; every call goes through the front door."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests


class ApiFailure(Exception):
    """An answer other than the one expected, with the API's error body."""

    def __init__(self, response: requests.Response, expected: int) -> None:
        super().__init__(f"{response.request.method} {response.url}: {response.status_code} "
                         f"(expected {expected}): {response.text[:500]}")  # fmt: skip
        self.response = response


def expect(response: requests.Response, status: int) -> Any:
    if response.status_code != status:
        raise ApiFailure(response, status)
    return response.json() if "json" in response.headers.get("Content-Type", "") else None


def wait_until(check: Any, timeout: float = 60, what: str = "a condition") -> Any:
    """`check()`'s first truthy result, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


@dataclass
class Client:
    base_url: str
    token: str
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"} | kwargs.pop("headers", {})
        return self.session.request(method, f"{self.base_url}{path}", headers=headers,
                                    timeout=kwargs.pop("timeout", 30), **kwargs)  # fmt: skip

    # -- entries -------------------------------------------------------------------------

    def create(self, body: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        # A retry with the same key answers 201 with the first entry again.
        response = self.call("POST", "/api/v1/submissions", json=body, headers=headers)
        return expect(response, 201)  # type: ignore[no-any-return]

    def entry(self, entry_id: str) -> dict[str, Any]:
        return expect(self.call("GET", f"/api/v1/submissions/{entry_id}"), 200)  # type: ignore[no-any-return]

    def submit(self, entry_id: str) -> dict[str, Any]:
        return expect(self.call("POST", f"/api/v1/submissions/{entry_id}/submit"), 200)  # type: ignore[no-any-return]

    def withdraw(self, entry_id: str) -> dict[str, Any]:
        return expect(self.call("POST", f"/api/v1/submissions/{entry_id}/withdraw"), 200)  # type: ignore[no-any-return]

    # -- materials -----------------------------------------------------------------------

    def upload(self, entry_id: str, kind: str, filename: str, content_type: str,
               data: bytes) -> str:  # fmt: skip
        """Ask for a slot, PUT the bytes to the presigned URL(s), complete; the material id."""
        slot = expect(self.call("POST", f"/api/v1/submissions/{entry_id}/materials", json={
            "kind": kind, "filename": filename, "content_type": content_type,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        }), 201)  # fmt: skip
        upload, parts = slot["upload"], []
        if "url" in upload:
            expect(self.session.put(upload["url"], data=data, headers=upload.get("headers"),
                                    timeout=300), 200)  # fmt: skip
        else:
            size = upload["part_size"]
            for part in upload["parts"]:
                n = part["part_number"]
                put = self.session.put(part["url"], data=data[(n - 1) * size : n * size],
                                       timeout=300)  # fmt: skip
                expect(put, 200)
                parts.append({"part_number": n, "etag": put.headers["ETag"]})
        body = {"parts": parts} if parts else None
        expect(self.call("POST", f"/api/v1/materials/{slot['material_id']}/complete", json=body),
               202)  # fmt: skip
        return str(slot["material_id"])

    def material(self, material_id: str) -> dict[str, Any]:
        return expect(self.call("GET", f"/api/v1/materials/{material_id}"), 200)  # type: ignore[no-any-return]

    def verified(self, material_id: str, timeout: float = 120) -> dict[str, Any]:
        """The material once media has stored or rejected it."""
        return wait_until(  # type: ignore[no-any-return]
            lambda: (m := self.material(material_id))["status"] in ("stored", "rejected") and m,
            timeout, f"material {material_id} to be verified",
        )  # fmt: skip

    # -- screening and review ------------------------------------------------------------

    def screening(self, entry_id: str) -> dict[str, Any]:
        return expect(self.call("GET", f"/api/v1/screenings/{entry_id}"), 200)  # type: ignore[no-any-return]

    def screened(self, entry_id: str, states: set[str], timeout: float = 60) -> dict[str, Any]:
        """The screening once it is in one of `states`."""

        def current() -> dict[str, Any] | None:
            response = self.call("GET", f"/api/v1/screenings/{entry_id}")
            if response.status_code == 200 and response.json()["state"] in states:
                return response.json()  # type: ignore[no-any-return]
            return None

        return wait_until(current, timeout, f"screening of {entry_id} in {sorted(states)}")  # type: ignore[no-any-return]

    def review(self, entry_id: str, decision: str, note: str) -> dict[str, Any]:
        body = {"decision": decision, "note": note}
        return expect(self.call("POST", f"/api/v1/screenings/{entry_id}/review", json=body), 200)  # type: ignore[no-any-return]

    def forward(self, call_id: str, entry_id: str, timeout: float = 120) -> dict[str, Any]:
        """The office's district batch (汇总报送) that forwards `entry_id` to the city, once
        screening knows it: the city selects only what districts forwarded (四(二)). Sent
        again while screening is behind (503) or another change raced it (409)."""

        def sent() -> dict[str, Any] | None:
            answer = self.call("POST", "/api/v1/batches", json={"call_id": call_id})
            if answer.status_code in (503, 409) and answer.json()["error"]["code"] in (
                "unavailable",
                "version_conflict",
            ):
                return None
            return expect(answer, 201)  # type: ignore[no-any-return]

        batch = wait_until(sent, timeout, f"a batch forwarding {entry_id}")

        def known() -> bool:
            forwarded = self.screening(entry_id).get("forwarded") or {}
            return bool(forwarded) and not forwarded.get("changed")

        wait_until(known, timeout, f"screening to learn of the batch forwarding {entry_id}")
        return batch  # type: ignore[no-any-return]

    def select(self, entry_id: str, decision: str, note: str) -> dict[str, Any]:
        body = {"decision": decision, "note": note}
        return expect(self.call("POST", f"/api/v1/screenings/{entry_id}/selection", json=body),
                      200)  # fmt: skip  # type: ignore[no-any-return]

    def recommend(self, entry_id: str, rank: int, reason: str) -> dict[str, Any]:
        body = {"rank": rank, "reason": reason}
        path = f"/api/v1/screenings/{entry_id}/recommendation"
        return expect(self.call("POST", path, json=body), 200)  # type: ignore[no-any-return]

    # -- reports -------------------------------------------------------------------------

    def download(self, path: str, out: Path, progress: Callable[[int, int | None], None]) -> int:
        """Stream `path` into `out` (through `out`.part, renamed once complete, so a broken
        download never looks like a finished one); `progress(bytes, total)` after each chunk.
        Returns the bytes written; raises on an error answer or a short body."""
        part = out.with_name(out.name + ".part")
        with self.call("GET", path, stream=True, timeout=(10, 300)) as response:
            if response.status_code != 200:
                raise ApiFailure(response, 200)
            total = (
                int(response.headers["Content-Length"])
                if "Content-Length" in response.headers
                else None
            )
            written = 0
            with part.open("wb") as file:
                for chunk in response.iter_content(1024 * 1024):
                    file.write(chunk)
                    written += len(chunk)
                    progress(len(chunk), total)
        if total is not None and written != total:
            raise OSError(f"下载不完整：{written} / {total} 字节")
        part.replace(out)
        return written

    def summary(self, **filters: str) -> dict[str, Any]:
        return expect(self.call("GET", "/api/v1/reports/summary", params=filters), 200)  # type: ignore[no-any-return]

    def report_rows(self, **filters: str) -> list[dict[str, Any]]:
        """Every row of the reporting entries list for `filters`, all pages."""
        rows, page = [], 1
        while True:
            params = filters | {"page": page, "per_page": 500}
            found = expect(self.call("GET", "/api/v1/reports/entries", params=params), 200)
            rows += found["items"]
            if len(rows) >= found["total"] or not found["items"]:
                return rows
            page += 1
