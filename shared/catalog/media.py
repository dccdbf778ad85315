"""Events of the `media-<material id>` streams, owned by media.

A material (推介视频, 项目介绍资料, 成果证明材料) is requested (an upload slot), uploaded
(the office said it finished), then stored (verified) or rejected (with a Chinese reason), or
expired (the slot was never used). Intake links stored materials to their entry; screening
counts them.
"""

from marshmallow import Schema, fields, validate

from shared.catalog.vocabulary import (
    AWAITING_UPLOAD,
    EXPIRED,
    MATERIAL_KINDS,
    REJECTED,
    STORED,
    VERIFYING,
)
from shared.events import declare

STREAM_TYPE = "media"

# A material's status after each of its events, for everyone who follows materials.
MATERIAL_STATUS = {
    "MaterialRequested": AWAITING_UPLOAD,
    "MaterialUploaded": VERIFYING,
    "MediaStored": STORED,
    "MediaRejected": REJECTED,
    "MaterialExpired": EXPIRED,
}


def stream_id(material_id: str) -> str:
    return f"media-{material_id}"


class _Material(Schema):
    material_id = fields.String(required=True)
    submission_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MATERIAL_KINDS))


class Requested(_Material):
    district = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    object_key = fields.String(required=True)
    upload_id = fields.String(load_default=None, allow_none=True)
    part_size = fields.Integer(load_default=None, allow_none=True)
    expires_at = fields.AwareDateTime(required=True)


class Uploaded(_Material):
    pass


class Stored(_Material):
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    content_type = fields.String(required=True)
    duration_s = fields.Float(load_default=None, allow_none=True)
    codec = fields.String(load_default=None, allow_none=True)
    width = fields.Integer(load_default=None, allow_none=True)
    height = fields.Integer(load_default=None, allow_none=True)
    # Where the verified bytes were sealed: a key no upload slot can write (media's
    # commands.verify). Absent in events from before sealing: the upload key then holds them.
    object_key = fields.String(load_default=None, allow_none=True)


class Rejected(_Material):
    reason = fields.String(required=True)


class Expired(_Material):
    pass


MaterialRequested = declare("MaterialRequested", STREAM_TYPE, Requested)
MaterialUploaded = declare("MaterialUploaded", STREAM_TYPE, Uploaded)
MediaStored = declare("MediaStored", STREAM_TYPE, Stored)
MediaRejected = declare("MediaRejected", STREAM_TYPE, Rejected)
MaterialExpired = declare("MaterialExpired", STREAM_TYPE, Expired)
