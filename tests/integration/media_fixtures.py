"""A media service in this process (real HTTP, PostgreSQL, RabbitMQ, MinIO), beside the intake
fixture it asks who owns an entry, with a relay publishing its events (so its verification
queue and intake hear of them). Small limits, so multipart is exercised with small files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from nameko.containers import ServiceContainer

from ops import schema
from services.media.adapters.provision import provision, unprovision
from services.media.adapters.storage import Storage
from services.media.service import MediaService
from shared import config
from tests.integration.helpers import relay_process, wait_until
from tests.integration.intake_fixtures import Api, free_port

MIB = 1024 * 1024
LIMITS = {
    "KECHUANG_MEDIA_SINGLE_PUT_BYTES": str(6 * MIB),
    "KECHUANG_MEDIA_PART_BYTES": str(5 * MIB),  # S3's smallest part
    # A test's bucket is its own; the front door routes only the real one, so these tests
    # upload to MinIO directly.
    "KECHUANG_MINIO_PUBLIC_URL": "http://"
    + os.environ.get("KECHUANG_MINIO_ENDPOINT", "127.0.0.1:9000"),
}


@dataclass
class MediaApi:
    api: Api  # intake's: entries
    media: Api  # media's: materials
    storage: Storage

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.media.call(method, path, **kwargs)

    def entry(self, district: str = "巴州区") -> str:
        from tests.entries import full_body

        body = full_body("achievement") | {"call_id": "open-call"}
        created = self.api.call("POST", "/api/v1/submissions", district=district, json=body)
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    def slot(self, submission_id: str, data: bytes, kind: str, content_type: str,
             sha256: str | None = None, **kwargs: Any) -> requests.Response:  # fmt: skip
        body = {"kind": kind, "filename": f"材料.{content_type.split('/')[-1]}",
                "content_type": content_type, "size": len(data),
                "sha256": sha256 or hashlib.sha256(data).hexdigest()}  # fmt: skip
        return self.call("POST", f"/api/v1/submissions/{submission_id}/materials", json=body,
                         **kwargs)  # fmt: skip

    def upload(self, slot: dict[str, Any], data: bytes, parts: int | None = None) -> dict:
        """PUT the bytes through the presigned URL(s); returns the completion body."""
        upload = slot["upload"]
        if "url" in upload:
            put = requests.put(upload["url"], data=data, headers=upload["headers"], timeout=60)
            assert put.status_code == 200, put.text
            return {}
        size, done = upload["part_size"], []
        for part in upload["parts"][:parts]:
            n = part["part_number"]
            put = requests.put(part["url"], data=data[(n - 1) * size : n * size], timeout=60)
            assert put.status_code == 200, put.text
            done.append({"part_number": n, "etag": put.headers["ETag"]})
        return {"parts": done}

    def settled(self, material_id: str) -> dict[str, Any]:
        def status() -> dict[str, Any] | None:
            shown = self.call("GET", f"/api/v1/materials/{material_id}").json()
            return shown if shown["status"] in ("stored", "rejected") else None

        return wait_until(status, timeout=60, message="verification")  # type: ignore[no-any-return]


def minio_root() -> tuple[str, str]:
    return os.environ["MINIO_ROOT_USER"], os.environ["MINIO_ROOT_PASSWORD"]


def root_storage() -> Storage:
    """The media bucket as MinIO's root sees it: for checks media's own user may not make."""
    root = dict(zip(("access_key", "secret_key"), minio_root(), strict=True))
    return Storage(config.load().object_store | root)


@pytest.fixture
def media_bucket(monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A bucket of the test's own and a MinIO user for it, made as `kechuang provision-storage`
    makes the real ones, set in the environment media reads. Emptied and removed after."""
    endpoint = config.load().object_store["endpoint"]
    bucket, user = f"test-{uuid.uuid4().hex[:12]}", f"test-media-{uuid.uuid4().hex[:8]}"
    provision(endpoint, minio_root(), bucket, user, secret := uuid.uuid4().hex)
    monkeypatch.setenv("KECHUANG_MEDIA_BUCKET", bucket)
    monkeypatch.setenv("KECHUANG_S3_ACCESS_KEY", user)
    monkeypatch.setenv("KECHUANG_S3_SECRET_KEY", secret)
    yield bucket
    unprovision(endpoint, minio_root(), bucket, user)
    root = root_storage()
    for item in root.client.list_objects(bucket, recursive=True):
        root.client.remove_object(bucket, item.object_name)
    for upload in root.client._list_multipart_uploads(bucket).uploads:  # noqa: SLF001
        root.abort_multipart(upload.object_name, upload.upload_id)
    root.client.remove_bucket(bucket)


@pytest.fixture
def media_api(intake_api: Api, broker, other_database_url: str, tmp_path: Path,
              media_bucket: str, monkeypatch) -> Iterator[MediaApi]:  # type: ignore[no-untyped-def]  # fmt: skip
    schema.upgrade(other_database_url, "media")
    monkeypatch.setenv("KECHUANG_DB_URL_MEDIA", other_database_url)
    for key, value in LIMITS.items():
        monkeypatch.setenv(key, value)
    port = free_port()
    container = ServiceContainer(
        MediaService, {"AMQP_URI": broker.uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}
    )
    container.start()
    storage = Storage(config.load().object_store)
    with relay_process(broker, other_database_url, tmp_path / "relay.log", service="media"):
        media = Api(f"http://127.0.0.1:{port}", intake_api.private_pem)
        yield MediaApi(intake_api, media, storage)
    container.stop()


def make_video(path: Path, seconds: int = 2) -> bytes:
    """A real little H.264 mp4, made by ffmpeg."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=duration={seconds}:size=320x240:rate=10", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()
