"""Materials straight to MinIO through presigned URLs, verified from their bytes."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine

from services.media.commands import Media
from services.media.domain.material import Limits
from shared.eventstore import EventStore
from tests.integration.helpers import wait_until
from tests.integration.media_fixtures import MIB, MediaApi, make_video, root_storage
from tests.integration.printed import read

PDF = "application/pdf"


def pdf_bytes(size: int) -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + os.urandom(size - 15)


def test_a_small_real_video_is_stored_with_what_ffprobe_found(
    media_api: MediaApi, access_recorder: str, tmp_path: Path
) -> None:
    entry = media_api.entry()
    video = make_video(tmp_path / "promo.mp4")
    slot = media_api.slot(entry, video, "promo_video", "video/mp4")
    assert slot.status_code == 201, slot.text
    assert slot.json()["upload"]["method"] == "PUT" and "url" in slot.json()["upload"]
    material = slot.json()["material_id"]
    media_api.upload(slot.json(), video)
    done = media_api.call("POST", f"/api/v1/materials/{material}/complete")
    assert done.status_code == 202 and done.json()["status"] == "verifying"

    shown = media_api.settled(material)
    assert shown["status"] == "stored", shown
    assert (shown["codec"], shown["width"], shown["height"]) == ("h264", 320, 240)
    assert 1.5 <= shown["duration_s"] <= 2.5
    assert requests.get(shown["download_url"], timeout=30).content == video

    def linked() -> list | None:
        # Intake hears of the material from media's events: it may not list it yet.
        listed = media_api.api.call("GET", f"/api/v1/submissions/{entry}").json()["materials"]
        return listed if listed and listed[0]["status"] == "stored" else None

    materials = wait_until(linked, message="intake links the stored material")
    assert [(m["material_id"], m["kind"]) for m in materials] == [(material, "promo_video")]

    # The printed 回执 (intake) shows the material with media's digest, asked over RPC.
    receipt = media_api.api.call("GET", f"/api/v1/submissions/{entry}/receipt.pdf")
    assert receipt.status_code == 200, receipt.text
    text, _ = read(receipt.content, "receipt-with-video")
    assert hashlib.sha256(video).hexdigest()[:16] in text and "已存储" in text


def test_a_multipart_upload_is_stored(media_api: MediaApi) -> None:
    entry = media_api.entry()
    data = pdf_bytes(12 * MIB)
    slot = media_api.slot(entry, data, "introduction", PDF).json()
    assert slot["upload"]["part_size"] == 5 * MIB and len(slot["upload"]["parts"]) == 3
    completion = media_api.upload(slot, data)
    done = media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/complete",
                          json=completion)  # fmt: skip
    assert done.status_code == 202, done.text
    assert media_api.settled(slot["material_id"])["status"] == "stored"


def test_an_interrupted_multipart_upload_resumes_where_it_stopped(media_api: MediaApi) -> None:
    entry = media_api.entry()
    data = pdf_bytes(12 * MIB)
    slot = media_api.slot(entry, data, "introduction", PDF).json()
    first = media_api.upload(slot, data, parts=1)  # then the connection broke
    resume = f"/api/v1/materials/{slot['material_id']}/upload"

    assert media_api.call("POST", resume, district="恩阳区").status_code == 404
    again = media_api.call("POST", resume)
    assert again.status_code == 200, again.text
    resumed = again.json()
    assert [(p["part_number"], p["size"]) for p in resumed["uploaded_parts"]] == [(1, 5 * MIB)]
    assert resumed["uploaded_parts"][0]["etag"] == first["parts"][0]["etag"].strip('"')
    fresh = {p["part_number"]: p["url"] for p in resumed["upload"]["parts"]}
    assert set(fresh) == {1, 2, 3} and resumed["urls_expire_at"]

    size = resumed["upload"]["part_size"]
    parts = [
        {"part_number": p["part_number"], "etag": p["etag"]} for p in resumed["uploaded_parts"]
    ]
    for n in (2, 3):  # only what is missing, through the fresh URLs
        put = requests.put(fresh[n], data=data[(n - 1) * size : n * size], timeout=60)
        assert put.status_code == 200, put.text
        parts.append({"part_number": n, "etag": put.headers["ETag"]})
    done = media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/complete",
                          json={"parts": parts})  # fmt: skip
    assert done.status_code == 202, done.text
    assert media_api.settled(slot["material_id"])["status"] == "stored"
    closed = media_api.call("POST", resume)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "invalid_state"


def test_resuming_an_upload_minio_no_longer_holds_says_so_in_chinese(media_api: MediaApi) -> None:
    entry = media_api.entry()
    data = pdf_bytes(12 * MIB)
    slot = media_api.slot(entry, data, "introduction", PDF).json()
    material = media_api.call("GET", f"/api/v1/materials/{slot['material_id']}").json()
    key = f"{entry}/{slot['material_id']}"
    assert material["status"] == "awaiting_upload"
    media_api.storage.abort_multipart(key, slot["upload"]["upload_id"])  # as the sweeper does
    gone = media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/upload")
    assert gone.status_code == 409, gone.text
    assert gone.json()["error"]["code"] == "invalid_state"
    assert gone.json()["error"]["message"] == "上传时限已过，请重新申请上传"


def test_a_truncated_multipart_upload_is_rejected(media_api: MediaApi) -> None:
    entry = media_api.entry()
    data = pdf_bytes(12 * MIB)
    slot = media_api.slot(entry, data, "proof", PDF).json()
    completion = media_api.upload(slot, data, parts=2)  # the last part never arrives
    media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/complete", json=completion)
    shown = media_api.settled(slot["material_id"])
    assert shown["status"] == "rejected" and "大小" in shown["reason"]


def test_a_text_file_declared_as_a_video_is_rejected(media_api: MediaApi) -> None:
    entry = media_api.entry()
    text = "这不是视频，只是一段文字。".encode() * 100
    slot = media_api.slot(entry, text, "promo_video", "video/mp4").json()
    media_api.upload(slot, text)
    media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/complete")
    shown = media_api.settled(slot["material_id"])
    assert shown["status"] == "rejected" and "类型" in shown["reason"], shown
    assert "download_url" not in shown


def test_bytes_that_differ_from_the_declared_sha256_are_rejected(media_api: MediaApi) -> None:
    entry = media_api.entry()
    data = pdf_bytes(4096)
    slot = media_api.slot(entry, data, "introduction", PDF,
                          sha256=hashlib.sha256(b"something else").hexdigest()).json()  # fmt: skip
    media_api.upload(slot, data)
    media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/complete")
    shown = media_api.settled(slot["material_id"])
    assert shown["status"] == "rejected" and "SHA-256" in shown["reason"]


def test_another_districts_entry_and_material_are_404(media_api: MediaApi) -> None:
    entry = media_api.entry("巴州区")
    data = pdf_bytes(2048)
    theirs = media_api.slot(entry, data, "introduction", PDF, district="恩阳区")
    assert theirs.status_code == 404
    slot = media_api.slot(entry, data, "introduction", PDF).json()
    path = f"/api/v1/materials/{slot['material_id']}"
    assert media_api.call("GET", path, district="恩阳区").status_code == 404
    assert media_api.call("POST", f"{path}/complete", district="恩阳区").status_code == 404
    assert media_api.call("GET", path, role="staff").status_code == 200


def test_declared_size_or_type_out_of_bounds_is_refused_at_once(media_api: MediaApi) -> None:
    entry = media_api.entry()
    too_big = {"kind": "promo_video", "filename": "大.mp4", "content_type": "video/mp4",
               "size": 3 * 1024 * MIB, "sha256": "0" * 64}  # fmt: skip
    path = f"/api/v1/submissions/{entry}/materials"
    big = media_api.call("POST", path, json=too_big)
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    wrong = media_api.call("POST", path, json=too_big | {"size": 10, "content_type": "text/plain"})
    assert wrong.status_code == 415 and wrong.json()["error"]["code"] == "unsupported_media_type"
    unknown = media_api.call("POST", path, json=too_big | {"size": 10, "owner": "x"})
    assert unknown.status_code == 422


def test_an_expired_presigned_url_is_refused_by_minio(media_api: MediaApi) -> None:
    url = media_api.storage.put_url("expired/object", timedelta(seconds=1))
    time.sleep(2)
    assert requests.put(url, data=b"late", timeout=10).status_code == 403
    assert media_api.storage.size("expired/object") is None


def test_an_upload_slot_never_completed_expires_and_is_cleaned_up(
    media_api: MediaApi, other_database_url: str
) -> None:
    entry = media_api.entry()
    data = pdf_bytes(12 * MIB)
    slot = media_api.slot(entry, data, "introduction", PDF).json()
    media_api.upload(slot, data, parts=1)  # started, never completed
    later = Media(
        EventStore(create_engine(other_database_url)), media_api.storage, Limits(),
        owner_of=lambda _: None, clock=lambda: datetime.now(UTC) + timedelta(hours=2),
    )  # fmt: skip
    assert later.expire_slots() == 1
    assert later.expire_slots() == 0  # once
    shown = media_api.call("GET", f"/api/v1/materials/{slot['material_id']}").json()
    assert shown["status"] == "expired"
    root = root_storage()  # listing a bucket's uploads is more than media's own user may do
    pending = root.client._list_multipart_uploads(root.bucket)  # noqa: SLF001
    assert slot["upload"]["upload_id"] not in {u.upload_id for u in pending.uploads}
    late = media_api.call("POST", f"/api/v1/materials/{slot['material_id']}/complete",
                          json={"parts": [{"part_number": 1, "etag": "x"}]})  # fmt: skip
    assert late.status_code == 409
