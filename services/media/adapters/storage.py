"""MinIO through the minio SDK: presigned URLs scoped to one object, multipart uploads,
streaming reads. The bytes of a material never pass through a service.

What the store refuses comes out as this module's errors, named for what happened
(`UploadGone`, `PartsRejected`, `NotRemoved`), so the use cases never read MinIO's codes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import Part
from minio.error import S3Error

REGION = "us-east-1"  # given, so presigning needs no round trip to ask the server


class StorageRefused(Exception):
    """The object store refused an operation; `code` is its S3 error code, for logs."""

    def __init__(self, code: str | None) -> None:
        super().__init__(code)
        self.code = code


class UploadGone(StorageRefused):
    """The multipart upload is not open any more (the sweeper aborted it at the slot's end)."""


class PartsRejected(StorageRefused):
    """The parts the office listed do not make the object (missing, out of order, wrong etag)."""


class NotRemoved(StorageRefused):
    """The object could not be removed."""


class Storage:
    def __init__(self, settings: dict[str, str]) -> None:
        self.bucket = settings["bucket"]
        self.client = Minio(
            settings["endpoint"], settings["access_key"], settings["secret_key"],
            secure=False, region=REGION,
        )  # fmt: skip
        public = urlsplit(settings["public_url"])
        # Presigned URLs are signed for the host the client will use.
        self.signer = Minio(
            public.netloc, settings["access_key"], settings["secret_key"],
            secure=public.scheme == "https", region=REGION,
        )  # fmt: skip

    def ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as error:  # another worker made it first
                if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    # -- upload slots --------------------------------------------------------------------

    def put_url(self, key: str, ttl: timedelta) -> str:
        return self.signer.presigned_put_object(self.bucket, key, expires=ttl)

    def start_multipart(self, key: str, content_type: str) -> str:
        return self.client._create_multipart_upload(  # noqa: SLF001 - no public API for it
            self.bucket, key, {"Content-Type": content_type}
        )

    def part_url(self, key: str, upload_id: str, number: int, ttl: timedelta) -> str:
        return self.signer.get_presigned_url(
            "PUT", self.bucket, key, expires=ttl,
            extra_query_params={"partNumber": str(number), "uploadId": upload_id},
        )  # fmt: skip

    def complete_multipart(self, key: str, upload_id: str, parts: list[dict[str, Any]]) -> None:
        """Raises `PartsRejected` (its code e.g. InvalidPart) when the parts make no object."""
        try:
            self.client._complete_multipart_upload(  # noqa: SLF001
                self.bucket, key, upload_id,
                [Part(p["part_number"], p["etag"].strip('"')) for p in parts],
            )  # fmt: skip
        except S3Error as error:
            raise PartsRejected(error.code) from None

    def uploaded_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        """The parts MinIO holds for an open multipart upload, in order; `UploadGone` if the
        upload is not open any more."""
        found: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            try:
                page = self.client._list_parts(  # noqa: SLF001 - no public API for it
                    self.bucket, key, upload_id, max_parts=1000, part_number_marker=marker
                )
            except S3Error as error:
                if error.code == "NoSuchUpload":
                    raise UploadGone(error.code) from None
                raise
            found += [{"part_number": p.part_number, "etag": p.etag, "size": p.size}
                      for p in page.parts]  # fmt: skip
            if not page.is_truncated:
                return found
            marker = page.next_part_number_marker

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self.client._abort_multipart_upload(self.bucket, key, upload_id)  # noqa: SLF001
        except S3Error as error:
            if error.code != "NoSuchUpload":
                raise

    # -- reading -------------------------------------------------------------------------

    def get_url(self, key: str, ttl: timedelta, filename: str | None = None) -> str:
        disposition = f"attachment; filename*=UTF-8''{quote(filename or '')}"
        headers: dict[str, str | list[str] | tuple[str]] = {
            "response-content-disposition": disposition
        }
        return self.signer.presigned_get_object(
            self.bucket, key, expires=ttl, response_headers=headers if filename else None
        )

    def internal_get_url(self, key: str, ttl: timedelta) -> str:
        """For ffprobe on this machine or cluster: signed for the internal endpoint."""
        return self.client.presigned_get_object(self.bucket, key, expires=ttl)

    def copy(self, source: str, target: str) -> bool:
        """A server-side copy of `source` to `target` in the bucket; False if `source` is gone."""
        try:
            self.client.copy_object(self.bucket, target, CopySource(self.bucket, source))
        except S3Error as error:
            if error.code in ("NoSuchKey", "NoSuchObject"):
                return False
            raise
        return True

    def size(self, key: str) -> int | None:
        try:
            return int(self.client.stat_object(self.bucket, key).size or 0)
        except S3Error as error:
            if error.code in ("NoSuchKey", "NoSuchObject"):
                return None
            raise

    def chunks(self, key: str, chunk: int = 1024 * 1024) -> Iterator[bytes]:
        response = self.client.get_object(self.bucket, key)
        try:
            yield from response.stream(chunk)
        finally:
            response.close()
            response.release_conn()

    def remove(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except S3Error as error:
            raise NotRemoved(error.code) from None
