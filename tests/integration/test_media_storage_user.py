"""Media's own MinIO user (`kechuang provision-storage`) on the real MinIO: it does all media
does to its bucket's objects, and nothing else; a leaked media key is no root key."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
import requests
from minio import MinioAdmin
from minio.credentials import StaticProvider
from minio.error import MinioAdminException, S3Error

from services.media.adapters.provision import provision
from services.media.adapters.storage import Storage
from shared import config
from tests.integration.media_fixtures import minio_root, root_storage


def media_storage() -> Storage:
    """Media's storage; URLs signed for MinIO itself (the front door routes the real bucket)."""
    store = config.load().object_store
    return Storage(store | {"public_url": f"http://{store['endpoint']}"})


def test_media_s_user_does_what_media_does_to_its_own_bucket(media_bucket: str) -> None:
    assert config.load().object_store["access_key"] != minio_root()[0]  # its own user
    media = media_storage()
    media.ensure_bucket()  # as media does when it starts
    put = requests.put(media.put_url("a/promo", timedelta(minutes=1)), data=b"video", timeout=10)
    assert put.status_code == 200
    assert media.size("a/promo") == 5 and b"".join(media.chunks("a/promo")) == b"video"
    assert (
        requests.get(media.get_url("a/promo", timedelta(minutes=1)), timeout=10).content == b"video"
    )
    upload = media.start_multipart("a/big", "video/mp4")
    part = requests.put(media.part_url("a/big", upload, 1, timedelta(minutes=1)), data=b"x" * 1024,
                        timeout=10)  # fmt: skip
    assert [p["part_number"] for p in media.uploaded_parts("a/big", upload)] == [1]
    media.complete_multipart("a/big", upload, [{"part_number": 1, "etag": part.headers["ETag"]}])
    assert media.size("a/big") == 1024
    aborted = media.start_multipart("a/abandoned", "video/mp4")
    media.abort_multipart("a/abandoned", aborted)
    media.remove("a/promo")
    assert media.size("a/promo") is None


def test_media_s_user_reaches_nothing_beyond_its_bucket_s_objects(media_bucket: str) -> None:
    media = media_storage()
    root = root_storage()
    other = f"test-other-{uuid.uuid4().hex[:8]}"
    root.client.make_bucket(other)
    try:
        root.client.put_object(other, "secret", io.BytesIO(b"not media's"), 11)

        def denied(call, *args) -> str:  # type: ignore[no-untyped-def]
            with pytest.raises(S3Error) as raised:
                call(*args)
            return raised.value.code

        assert denied(media.client.get_object, other, "secret") == "AccessDenied"
        assert denied(media.client.put_object, other, "x", io.BytesIO(b"x"), 1) == "AccessDenied"
        assert (
            denied(media.client.make_bucket, f"test-new-{uuid.uuid4().hex[:8]}") == "AccessDenied"
        )
        assert [b.name for b in media.client.list_buckets()] == [media_bucket]
        # Its own bucket's settings are not its to change: no making the materials public.
        public = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{media_bucket}/*"]}]}  # fmt: skip
        assert (
            denied(media.client.set_bucket_policy, media_bucket, json.dumps(public))
            == "AccessDenied"
        )
        assert denied(media.client.remove_bucket, media_bucket) == "AccessDenied"
        # Nor MinIO's admin API.
        store = config.load().object_store
        key = StaticProvider(store["access_key"], store["secret_key"])
        admin = MinioAdmin(endpoint=store["endpoint"], credentials=key, secure=False)
        with pytest.raises(MinioAdminException):
            admin.user_list()
    finally:
        root.client.remove_object(other, "secret")
        root.client.remove_bucket(other)


def test_provisioning_again_changes_nothing_and_root_is_never_media_s_user(
    media_bucket: str,
) -> None:
    store = config.load().object_store
    provision(
        store["endpoint"], minio_root(), media_bucket, store["access_key"], store["secret_key"]
    )
    media = media_storage()
    media.client.put_object(media_bucket, "still", io.BytesIO(b"ok"), 2)
    assert media.size("still") == 2
    with pytest.raises(ValueError, match="root"):
        provision(store["endpoint"], minio_root(), media_bucket, minio_root()[0], "whatever123")
