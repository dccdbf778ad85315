"""What an uploaded object really is: its size, SHA-256, type read from its bytes and, for a
video, what ffprobe finds. Runs as its own process (`python -m
services.media.adapters.inspection KEY KIND`, printing JSON), started by a media worker: hashing
hundreds of MB and probing must not hold the worker's event loop (its AMQP heartbeats), and a
hostile file that upsets a parser takes down only this process."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import subprocess
import sys
from datetime import timedelta
from typing import Any

import filetype

from services.media.adapters.storage import Storage
from shared import config

HEAD_BYTES = 64 * 1024  # enough for filetype to see inside docx/pptx zips


PROBE_USER = "kechuang-probe"  # made by deploy/local/infra-up.sh (containers: the image user)


def _unprivileged() -> dict[str, Any]:
    """How ffprobe is started: as `PROBE_USER` when this process may switch to it (root, the
    local runner), and always with an empty environment (no password, no key path)."""
    how: dict[str, Any] = {"env": {"PATH": "/usr/bin:/bin"}}
    if os.geteuid() == 0:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(PROBE_USER)
            how |= {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "cwd": "/"}
    return how


def probe_video(url: str) -> dict[str, Any]:
    """ffprobe's view of a video, read over HTTP from a short-lived URL (no local copy). The
    bytes are anyone's: ffprobe runs unprivileged (`_unprivileged`)."""
    completed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", url],
        capture_output=True, text=True, timeout=120, check=False, **_unprivileged(),
    )  # fmt: skip
    if completed.returncode != 0:
        return {}
    report = json.loads(completed.stdout or "{}")
    video = next(
        (s for s in report.get("streams", []) if s.get("codec_type") == "video"
         and s.get("disposition", {}).get("attached_pic") != 1),
        None,
    )  # fmt: skip
    if video is None:
        return {}
    duration = report.get("format", {}).get("duration") or video.get("duration")
    return {
        "video": {"codec": video.get("codec_name"), "width": video.get("width"),
                  "height": video.get("height")},
        "duration_s": round(float(duration), 3) if duration else None,
    }  # fmt: skip


def inspect(storage: Storage, key: str, kind: str) -> dict[str, Any]:
    size = storage.size(key)
    if size is None:
        return {"missing": True}
    digest = hashlib.sha256()
    head = b""
    for chunk in storage.chunks(key):
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
    guessed = filetype.guess(head)
    found: dict[str, Any] = {
        "size": size, "sha256": digest.hexdigest(), "mime": guessed.mime if guessed else None,
    }  # fmt: skip
    if kind == "promo_video" and guessed is not None and guessed.mime.startswith("video/"):
        found |= probe_video(storage.internal_get_url(key, timedelta(minutes=10)))
    return found


def main() -> None:
    key, kind = sys.argv[1], sys.argv[2]
    print(json.dumps(inspect(Storage(config.load().object_store), key, kind)))


if __name__ == "__main__":
    main()
