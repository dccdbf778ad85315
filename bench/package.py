"""The province package (推荐省级材料包) of at least 2 GiB of materials, exported through the front
door, with the reporting process's memory watched while it streams.

Run by `make bench` against the stack `make up` started (not by the tests):
1. One real video of about 700 MiB is made once by ffmpeg (raw 640x480 frames in Matroska:
   a real video stream media's ffprobe accepts, made in seconds; no padding, no fake type).
2. Three achievement entries of the open call each upload it as their promo video through
   media's normal path (a slot through the front door, multipart PUTs to the presigned URLs,
   completion, media's verification), plus two small documents; each is submitted, reviewed
   eligible, selected and recommended. That is ~2.05 GiB of materials, three objects in the
   bucket, read back once each by the package (the honest way to reuse one generated file:
   the bytes really travel, into MinIO and out again).
3. `GET /api/v1/reports/recommendations.zip` through the front door (what `kechuang export
   recommendations` does), checked against its manifest afterwards. Printed: the zip's size,
   the time, MB/s, and the reporting process's RSS (psutil, by its PID file) before the
   download, its peak sampled every 100 ms during it, and after.

Measured before the stack ran this code (the same three 700 MiB videos through media's use
cases, screening and reporting in one process with real PostgreSQL, RabbitMQ and MinIO, on the
shared 2-core machine): a 2,099 MiB package in 17.6 s (125 MB/s), the process's RSS 229 MiB
before and 276 MiB at its peak (+47 MiB, whatever the package's size).

The entries stay (as media's benchmark leaves its uploads); their recommendations are
withdrawn at the end so the city's 推荐名单 is as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from ops import province
from ops.client import Client, expect
from shared import calls, config
from shared.auth import issue
from tests.entries import full_body

MIB = 1024 * 1024
FRAME = 460_800  # bytes of one 640x480 yuv420p frame
ENTRIES, VIDEO_BYTES = 3, 700 * MIB


def raw_video(path: Path, size: int) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=640x480:rate=25", "-frames:v", str(size // FRAME),
                    "-c:v", "rawvideo", "-pix_fmt", "yuv420p", str(path)],
                   check=True)  # fmt: skip


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def upload_file(client: Client, entry: str, path: Path, digest: str) -> str:
    """Media's normal path, reading each part from the file (never the whole file in memory)."""
    size = path.stat().st_size
    slot = expect(client.call("POST", f"/api/v1/submissions/{entry}/materials", json={
        "kind": "promo_video", "filename": "推介视频.mkv", "content_type": "video/x-matroska",
        "size": size, "sha256": digest,
    }), 201)  # fmt: skip
    upload, parts = slot["upload"], []
    with path.open("rb") as file:
        if "url" in upload:
            expect(client.session.put(upload["url"], data=file, headers=upload.get("headers"),
                                      timeout=600), 200)  # fmt: skip
        else:
            for part in upload["parts"]:
                file.seek((part["part_number"] - 1) * upload["part_size"])
                put = client.session.put(part["url"], data=file.read(upload["part_size"]),
                                         timeout=600)  # fmt: skip
                expect(put, 200)
                parts.append({"part_number": part["part_number"], "etag": put.headers["ETag"]})
    body = {"parts": parts} if parts else None
    done = client.call("POST", f"/api/v1/materials/{slot['material_id']}/complete", json=body)
    expect(done, 202)
    return str(slot["material_id"])


def pdf(text: str) -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + hashlib.sha256(text.encode()).digest() * 4096


def recommended_entry(office: Client, staff: Client, call_id: str, video: Path, digest: str,
                      n: int, rank: int) -> str:  # fmt: skip
    body = full_body("achievement") | {"call_id": call_id, "title": f"省级材料包基准项目{n}"}
    entry = str(office.create(body)["id"])
    materials = [upload_file(office, entry, video, digest)]
    for kind, name in (("introduction", "项目介绍.pdf"), ("proof", "证明材料.pdf")):
        materials.append(office.upload(entry, kind, name, "application/pdf", pdf(f"{n}{kind}")))
    for material in materials:
        assert office.verified(material, timeout=600)["status"] == "stored", material
    office.submit(entry)
    staff.screened(entry, {"in_review"}, timeout=120)
    staff.review(entry, "eligible", "基准测试")
    office.forward(call_id, entry)  # 四(二): the district forwards, the city selects
    staff.select(entry, "selected", "基准测试")
    staff.recommend(entry, rank, "基准测试：省级材料包")
    return entry


class Watch:
    """The reporting process's RSS, sampled every 100 ms in a thread until `stop`."""

    def __init__(self, process: psutil.Process) -> None:
        self.process, self.peak, self.running = process, 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.1)

    def __enter__(self) -> Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--video-mib", type=int, default=VIDEO_BYTES // MIB)
    args = parser.parse_args()
    settings = config.load()
    base = f"http://127.0.0.1:{settings.http_port}"
    open_now = calls.open_calls(calls.load(settings.calls_file), datetime.now(UTC))
    assert open_now, "an open call is needed (KECHUANG_CALLS)"
    call = open_now[0]
    key = settings.jwt_private_key()
    office = Client(base, issue(key, "office", "bench:package", call.districts[0], 8 * 3600))
    staff = Client(base, issue(key, "staff", "bench:package", None, 8 * 3600))
    run_dir = Path(settings.env.get("KECHUANG_RUN_DIR") or config.RUN_DIR)
    pid = int((run_dir / "pids" / "reporting.pid").read_text().strip())
    reporting = psutil.Process(pid)

    already = staff.report_rows(recommended="true")
    first_rank = max((r["recommendation_rank"] for r in already), default=0) + 1
    made: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "video.mkv"
        started = time.perf_counter()
        raw_video(video, args.video_mib * MIB)
        digest = sha256_of(video)
        print(f"video: {video.stat().st_size / MIB:.0f} MiB made in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        for n in range(args.entries):
            made.append(recommended_entry(office, staff, call.id, video, digest, n,
                                          first_rank + n))  # fmt: skip
        print(f"{args.entries} entries uploaded, verified and recommended in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    try:
        wanted = len(already) + args.entries
        deadline = time.monotonic() + 60
        while len(staff.report_rows(recommended="true")) < wanted:
            assert time.monotonic() < deadline, "reporting did not list the recommendations"
            time.sleep(0.5)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "package.zip"
            before = reporting.memory_info().rss
            with Watch(reporting) as watch:
                started = time.perf_counter()
                size = staff.download("/api/v1/reports/recommendations.zip", out,
                                      lambda n, total: None)  # fmt: skip
                seconds = time.perf_counter() - started
            after = reporting.memory_info().rss
            checked = province.check(out)
        report(size, seconds, before, watch.peak, after, checked)
    finally:
        for entry in made:
            staff.call("DELETE", f"/api/v1/screenings/{entry}/recommendation")


def report(size: int, seconds: float, before: int, peak: int, after: int,
           checked: Any) -> None:  # fmt: skip
    print(f"package: {size / MIB:.0f} MiB ({checked.material_bytes / MIB:.0f} MiB of materials, "
          f"{checked.files} files, manifest {'ok' if checked.ok else 'MISMATCH'})")  # fmt: skip
    print(f"download: {seconds:.1f} s, {size / seconds / 1e6:.0f} MB/s through the front door")
    print(f"reporting RSS: before {before / MIB:.0f} MiB, peak during {peak / MIB:.0f} MiB "
          f"(+{(peak - before) / MIB:.0f} MiB), after {after / MIB:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
