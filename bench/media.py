"""Media: upload throughput through presigned URLs, and verification time.

Run by `make bench` against the stack `make up` started, in one run:
1. 8 concurrent 200 MB uploads through the presigned path (slot from media through the front
   door, parts PUT straight to MinIO, completion), against the same bytes put straight to
   MinIO with the SDK (same part size, same concurrency). Aim: ratio >= 0.9.
2. Verification of a 1 GB video (the worker's own inspection: SHA-256, type, ffprobe) against a
   plain streamed read of the same object. Aim: <= 1.5x the plain read.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

from services.media.adapters.inspection import inspect
from services.media.adapters.storage import Storage
from shared import config
from shared.auth import issue
from tests.entries import full_body

MIB = 1024 * 1024
UPLOADS, UPLOAD_BYTES = 8, 200 * MIB
PART = 16 * MIB  # media's default part size for files of this size


def concurrently(work: Callable[[int], None], count: int) -> float:
    """Run work(0..count-1) in threads at once; seconds until all are done."""
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as error:  # noqa: BLE001 - reported after the join
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def presigned_uploads(base: str, headers: dict[str, str], entry: str, data: bytes) -> float:
    digest = hashlib.sha256(data).hexdigest()
    slots = []
    for n in range(UPLOADS):
        slot = requests.post(
            f"{base}/api/v1/submissions/{entry}/materials", headers=headers, timeout=30,
            json={"kind": "promo_video", "filename": f"bench-{n}.mkv",
                  "content_type": "video/x-matroska", "size": len(data), "sha256": digest},
        )  # fmt: skip
        slot.raise_for_status()
        slots.append(slot.json())

    def one(n: int) -> None:
        upload, done = slots[n]["upload"], []
        with requests.Session() as session:
            for part in upload["parts"]:
                start = (part["part_number"] - 1) * upload["part_size"]
                put = session.put(part["url"], data=data[start : start + upload["part_size"]],
                                  timeout=300)  # fmt: skip
                put.raise_for_status()
                done.append({"part_number": part["part_number"], "etag": put.headers["ETag"]})
            requests.post(
                f"{base}/api/v1/materials/{slots[n]['material_id']}/complete",
                headers=headers,
                json={"parts": done},
                timeout=60,
            ).raise_for_status()

    elapsed = concurrently(one, UPLOADS)
    # Let the workers finish verifying before anything else is measured on this machine.
    for slot in slots:
        url = f"{base}/api/v1/materials/{slot['material_id']}"
        while requests.get(url, headers=headers, timeout=30).json()["status"] == "verifying":
            time.sleep(0.5)
    return elapsed


def sdk_uploads(storage: Storage, data: bytes) -> float:
    run = uuid.uuid4().hex[:8]

    def one(n: int) -> None:
        storage.client.put_object(storage.bucket, f"bench/{run}/{n}", io.BytesIO(data),
                                  len(data), part_size=PART)  # fmt: skip

    elapsed = concurrently(one, UPLOADS)
    for n in range(UPLOADS):
        storage.remove(f"bench/{run}/{n}")
    return elapsed


def raw_video(size: int) -> bytes:
    """A real video of about `size` bytes: raw 640x480 frames (460,800 bytes each), made by
    ffmpeg in seconds."""
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "raw.mkv"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=size=640x480:rate=25", "-frames:v", str(size // 460_800),
                        "-c:v", "rawvideo", "-pix_fmt", "yuv420p", str(video)],
                       check=True)  # fmt: skip
        return video.read_bytes()


def verification(storage: Storage) -> tuple[float, float, int]:
    video = raw_video(1024 * MIB)
    key = f"bench/{uuid.uuid4().hex[:8]}/1g.mkv"
    storage.client.put_object(storage.bucket, key, io.BytesIO(video), len(video),
                              part_size=64 * MIB)  # fmt: skip
    size = len(video)
    del video
    try:
        start = time.perf_counter()
        for _ in storage.chunks(key):
            pass
        plain = time.perf_counter() - start
        start = time.perf_counter()
        found = inspect(storage, key, "promo_video")
        verify = time.perf_counter() - start
        assert found.get("video"), found
    finally:
        storage.remove(key)
    return plain, verify, size


def main() -> None:
    settings = config.load()
    base = f"http://127.0.0.1:{os.environ.get('KECHUANG_PORT', '8080')}"
    headers = {
        "Authorization": f"Bearer {issue(settings.jwt_private_key(), 'office', 'bench', '巴州区')}"
    }
    storage = Storage(settings.object_store)
    storage.ensure_bucket()
    entry = requests.post(f"{base}/api/v1/submissions", json=full_body("achievement"),
                          headers=headers, timeout=30).json()["id"]  # fmt: skip
    data = raw_video(UPLOAD_BYTES)
    total = UPLOADS * UPLOAD_BYTES / MIB

    presigned = presigned_uploads(base, headers, entry, data)
    direct = sdk_uploads(storage, data)
    print(f"{UPLOADS} concurrent uploads of {UPLOAD_BYTES // MIB} MiB ({total:.0f} MiB in all)")
    print(f"  presigned path (slot, parts, complete): {total / presigned:8.1f} MiB/s")
    print(f"  straight to MinIO with the SDK:         {total / direct:8.1f} MiB/s")
    print(f"  ratio presigned / SDK:                  {direct / presigned:8.2f}")

    plain, verify, size = verification(storage)
    print(f"verification of a {size / MIB:.0f} MiB video")
    print(
        f"  plain streamed read:                    {plain:8.2f} s ({size / MIB / plain:.0f} MiB/s)"
    )
    print(f"  inspection (sha256, type, ffprobe):     {verify:8.2f} s")
    print(f"  ratio inspection / plain read:          {verify / plain:8.2f}")


if __name__ == "__main__":
    main()
