"""An office uploads a real video and a document for its entry: slots through the front door,
bytes straight to MinIO, verification by the running media workers, the entry shows them."""

import subprocess
import time
from pathlib import Path

import requests

from ops.client import Client
from tests.entries import full_body
from tests.front_door import token


def upload(office: Client, entry: str, kind: str, name: str, content_type: str,
           data: bytes) -> dict:  # fmt: skip
    """Slot, PUT to the presigned URL, complete; the material once media has judged it."""
    return office.verified(office.upload(entry, kind, name, content_type, data))


def test_an_office_uploads_a_video_and_a_document_and_sees_them_stored(
    base_url: str, tmp_path: Path
) -> None:
    client = Client(base_url, token("--role", "office", "--district", "巴州区"))
    office = {"Authorization": f"Bearer {client.token}"}
    body = full_body("challenge") | {"call_id": "demo"}  # an open call: slots are still given
    entry = requests.post(f"{base_url}/api/v1/submissions", json=body,
                          headers=office, timeout=10).json()["id"]  # fmt: skip
    video_file = tmp_path / "推介视频.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=3:size=640x360:rate=15", "-pix_fmt", "yuv420p",
                    str(video_file)], check=True)  # fmt: skip

    video = upload(client, entry, "promo_video", video_file.name, "video/mp4",
                   video_file.read_bytes())  # fmt: skip
    assert video["status"] == "stored", video
    assert (video["codec"], video["width"], video["height"]) == ("h264", 640, 360)
    assert requests.get(video["download_url"], timeout=30).content == video_file.read_bytes()

    fake = upload(client, entry, "introduction", "介绍.pdf", "application/pdf",
                  "不是 PDF".encode() * 50)  # fmt: skip
    assert fake["status"] == "rejected" and fake["reason"]

    def linked() -> list:
        return requests.get(f"{base_url}/api/v1/submissions/{entry}", headers=office,
                            timeout=10).json()["materials"]  # fmt: skip

    deadline = time.monotonic() + 30
    while {(m["kind"], m["status"]) for m in linked()} != {
        ("promo_video", "stored"), ("introduction", "rejected"),
    } and time.monotonic() < deadline:  # fmt: skip
        time.sleep(0.2)
    assert {(m["kind"], m["status"]) for m in linked()} == {
        ("promo_video", "stored"), ("introduction", "rejected"),
    }  # fmt: skip
