"""Media workers scale out on one queue, and replacing one mid-verification loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine

import shared.catalog  # noqa: F401
from ops import schema
from services.media.adapters.storage import Storage
from shared import config
from shared.catalog.media import stream_id
from shared.eventstore import EventStore
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api, free_port
from tests.integration.media_fixtures import LIMITS, MediaApi

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def media_worker(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nameko", "run", "--config", "services/media/config.yml",
         "services.media.service:MediaService"],
        cwd=REPO, env=env | {"KECHUANG_MEDIA_HTTP": f"127.0.0.1:{port}"},
        stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _healthy(base), timeout=60, message=f"media worker on {port}")
        yield process, base
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def inspecting(material_id: str) -> list[int]:
    """PIDs of inspection processes working on the material (their argument is its key)."""
    pattern = f"services.media.adapters.inspection .*{material_id}"
    found = subprocess.run(["pgrep", "-f", pattern],
                           capture_output=True, text=True, check=False)  # fmt: skip
    return [int(pid) for pid in found.stdout.split()]


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[1])


def test_a_worker_killed_mid_verification_is_replaced_and_the_material_stored_once(
    intake_api: Api, broker, other_database_url: str, tmp_path: Path, media_bucket: str
) -> None:
    schema.upgrade(other_database_url, "media")
    env = dict(os.environ) | broker.env() | LIMITS | {"KECHUANG_DB_URL_MEDIA": other_database_url}
    video = tmp_path / "big.mkv"  # ~460 MB of raw video: long enough to hash to kill mid-way
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=640x480:rate=25", "-t", "40", "-c:v", "rawvideo",
                    "-pix_fmt", "yuv420p", str(video)], check=True)  # fmt: skip
    data = video.read_bytes()
    with ExitStack() as stack:
        workers = [stack.enter_context(media_worker(env, tmp_path / f"worker-{n}.log"))
                   for n in (1, 2)]  # fmt: skip
        stack.enter_context(relay_process(broker, other_database_url, tmp_path / "relay.log",
                                          service="media"))  # fmt: skip
        media = MediaApi(intake_api, Api(workers[0][1], intake_api.private_pem),
                         Storage(config.load().object_store))  # fmt: skip
        slot = media.slot(media.entry(), data, "promo_video", "video/x-matroska").json()
        completion = media.upload(slot, data)
        done = media.call("POST", f"/api/v1/materials/{slot['material_id']}/complete",
                          json=completion)  # fmt: skip
        assert done.status_code == 202, done.text

        children = wait_until(lambda: inspecting(slot["material_id"]), timeout=30,
                              message="a worker inspecting the upload")  # fmt: skip
        busy = parent_of(children[0])
        victim = next(p for p, _ in workers if p.pid == busy)
        victim.send_signal(signal.SIGKILL)
        for child in children:
            os.kill(child, signal.SIGKILL)
        victim.wait()

        survivor = next(base for p, base in workers if p is not victim)
        media.media = Api(survivor, intake_api.private_pem)
        shown = media.settled(slot["material_id"])
        assert shown["status"] == "stored", shown
        assert shown["codec"] == "rawvideo" and shown["width"] == 640

    store = EventStore(create_engine(other_database_url))
    types = [e.type for e in store.read_stream(stream_id(slot["material_id"]))]
    store.engine.dispose()
    assert types == ["MaterialRequested", "MaterialUploaded", "MediaStored"]  # stored once
