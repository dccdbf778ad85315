"""Media's own MinIO user, allowed what media does to the objects of its bucket and nothing else.

Made with MinIO's root credentials by the operator's tooling (`kechuang provision-storage`: the
local runner and compose's init container run it); media itself never gets them. A leaked media
key then reaches the materials, not the other buckets, the bucket's settings (no making it
public) nor MinIO's admin API. Running it again changes nothing but the user's secret.
"""

from __future__ import annotations

from typing import Any

from minio import Minio, MinioAdmin
from minio.credentials import StaticProvider
from minio.error import MinioAdminException, S3Error

from services.media.adapters.storage import REGION

# What services/media/adapters/storage.py calls, and no more.
OBJECT_ACTIONS = [
    "s3:PutObject",  # presigned PUTs and parts, completing multipart uploads
    "s3:GetObject",  # verification reads, presigned downloads
    "s3:DeleteObject",  # a rejected upload is removed
    "s3:AbortMultipartUpload",  # the sweeper ends expired slots
    "s3:ListMultipartUploadParts",  # resuming an upload
]
BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"]  # HEAD bucket at start


def policy_name(bucket: str) -> str:
    return f"{bucket}-objects"


def bucket_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": BUCKET_ACTIONS, "Resource": [f"arn:aws:s3:::{bucket}"]},
            {"Effect": "Allow", "Action": OBJECT_ACTIONS, "Resource": [f"arn:aws:s3:::{bucket}/*"]},
        ],
    }


def _admin(endpoint: str, root: tuple[str, str]) -> MinioAdmin:
    return MinioAdmin(endpoint=endpoint, credentials=StaticProvider(*root), secure=False)


def provision(
    endpoint: str, root: tuple[str, str], bucket: str, access_key: str, secret_key: str
) -> None:
    """Make the bucket, a policy for its objects, and the user holding only that policy."""
    if access_key == root[0]:
        raise ValueError("media's access key must not be MinIO's root user")
    client = Minio(endpoint, *root, secure=False, region=REGION)
    if not client.bucket_exists(bucket):
        try:
            client.make_bucket(bucket)
        except S3Error as error:  # made meanwhile by another init
            if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
    admin = _admin(endpoint, root)
    admin.policy_add(policy_name(bucket), policy=bucket_policy(bucket))
    admin.user_add(access_key, secret_key)
    try:
        admin.attach_policy([policy_name(bucket)], user=access_key)
    except MinioAdminException as error:  # attached by an earlier run
        if "PolicyChangeAlreadyApplied" not in str(error):
            raise


def unprovision(endpoint: str, root: tuple[str, str], bucket: str, access_key: str) -> None:
    """Remove the user and its policy (the bucket and its objects stay)."""
    admin = _admin(endpoint, root)
    admin.user_remove(access_key)
    admin.policy_remove(policy_name(bucket))
