"""Media's part of the OpenAPI 3 document: upload slots, completion and the material's view.
Request bodies are media's own schemas (`services.media.schemas`); the response schemas below
describe what `commands.Media` answers with. Assembled by `ops.openapi`."""

from __future__ import annotations

from apispec import APISpec
from marshmallow import Schema, fields

from services.media.schemas import Completion, PartDone, SlotRequest
from shared.catalog.vocabulary import MATERIAL_KINDS as KINDS
from shared.catalog.vocabulary import MATERIAL_STATUSES
from shared.openapi import (
    add_health,
    add_schemas,
    errors,
    json_body,
    json_response,
    operation,
    path_param,
    ref,
)

TAG = "media"
STATUSES = list(MATERIAL_STATUSES)


class SinglePut(Schema):
    """One presigned PUT of the whole file."""

    method = fields.String(required=True, metadata={"enum": ["PUT"]})
    url = fields.String(required=True, metadata={"description": "预签名的上传地址（限时）"})
    headers = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "上传时须带的请求头", "example": {"Content-Type": "video/mp4"}},
    )


class UploadPart(Schema):
    part_number = fields.Integer(required=True, metadata={"minimum": 1})
    url = fields.String(required=True, metadata={"description": "该分片的预签名 PUT 地址"})


class MultipartUpload(Schema):
    """A multipart upload for a large file: PUT each part to its URL, keep each ETag."""

    method = fields.String(required=True, metadata={"enum": ["PUT"]})
    upload_id = fields.String(required=True)
    part_size = fields.Integer(required=True, metadata={"description": "分片大小（字节）"})
    parts = fields.List(fields.Nested(UploadPart), required=True)


class UploadSlot(Schema):
    material_id = fields.UUID(required=True)
    upload = fields.Raw(
        required=True,
        metadata={
            "description": "小文件为一次预签名 PUT；大文件为分片上传",
            "oneOf": [ref("SinglePut"), ref("MultipartUpload")],
        },
    )
    expires_at = fields.DateTime(
        required=True, metadata={"description": "须在此之前完成上传，否则名额作废"}
    )
    urls_expire_at = fields.DateTime(metadata={"description": "预签名地址的失效时间"})


class UploadedPart(Schema):
    part_number = fields.Integer(required=True, metadata={"minimum": 1})
    etag = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "字节数"})


class ResumedSlot(UploadSlot):
    uploaded_parts = fields.List(
        fields.Nested(UploadedPart),
        metadata={"description": "分片上传时，存储中已有的分片（只需再传其余的）"},
    )


class Material(Schema):
    material_id = fields.UUID(required=True)
    submission_id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "字节数"})
    sha256 = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={
            "enum": STATUSES,
            "description": "awaiting_upload 待上传，verifying 校验中，stored 已存储，"
            "rejected 被拒（见 reason），expired 未在时限内上传",
        },
    )
    version = fields.Integer(required=True)
    expires_at = fields.DateTime(required=True)
    reason = fields.String(metadata={"description": "被拒的原因（中文）"})
    duration_s = fields.Float(allow_none=True, metadata={"description": "视频时长（秒）"})
    codec = fields.String(allow_none=True, metadata={"description": "视频编码"})
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    download_url = fields.String(metadata={"description": "下载地址（短时有效，仅 stored）"})
    download_expires_at = fields.DateTime()


def add_paths(api: APISpec) -> None:
    """Media's tag, schemas and paths."""
    api.tag(
        {"name": TAG, "description": "申报材料：推介视频、项目介绍资料、成果证明材料的上传与校验"}
    )
    add_schemas(api, {
        "SlotRequest": SlotRequest, "PartDone": PartDone, "Completion": Completion,
        "SinglePut": SinglePut, "UploadPart": UploadPart, "MultipartUpload": MultipartUpload,
        "UploadSlot": UploadSlot, "UploadedPart": UploadedPart, "ResumedSlot": ResumedSlot,
        "Material": Material,
    })  # fmt: skip
    mid = path_param("material_id", "材料的 id")
    api.path(
        path="/api/v1/submissions/{submission_id}/materials",
        parameters=[path_param("submission_id", "申报项目的 id")],
        operations={
            "post": operation(
                TAG,
                "request_upload_slot",
                "申请上传材料（区县科协）",
                "声明材料的类别、文件名、类型、大小和 sha256，得到预签名的上传地址。"
                "推介视频不超过 2 GiB（mp4/mov/webm/mkv），其余材料不超过 100 MiB"
                "（pdf/doc/docx/ppt/pptx/jpg/png）；超限 413，类型不符 415。项目所属征集截止后"
                "不再开放新的上传名额，答 call_closed（409）；截止前申请的名额在有效期内仍可上传、"
                "完成，并计入材料。",
                {
                    "201": json_response("上传名额", "UploadSlot"),
                    **errors(401, 403, 404, 409, 413, 415, 422),
                },
                body=json_body("SlotRequest"),
            )
        },
    )
    api.path(
        path="/api/v1/materials/{material_id}/complete",
        parameters=[mid],
        operations={
            "post": operation(
                TAG,
                "complete_upload",
                "上传完毕，开始校验（区县科协）",
                "单次 PUT 上传可不带请求体；分片上传须列出每个分片的 part_number和 etag。",
                {
                    "202": json_response("已受理，校验中", "Material"),
                    **errors(401, 403, 404, 409, 413, 415, 422),
                },
                body=json_body("Completion", required=False),
            )
        },
    )
    api.path(
        path="/api/v1/materials/{material_id}/upload",
        parameters=[mid],
        operations={
            "post": operation(
                TAG,
                "resume_upload",
                "续传：重新取得上传地址（区县科协）",
                "上传中断后，为仍在时限内的名额换发新的预签名地址；分片上传另列出"
                "已上传的分片，只需补传其余的。名额已完成或已过期时答 409。",
                {
                    "200": json_response("新的上传地址", "ResumedSlot"),
                    **errors(401, 403, 404, 409),
                },
            )
        },
    )
    api.path(
        path="/api/v1/materials/{material_id}",
        parameters=[mid],
        operations={
            "get": operation(
                TAG,
                "get_material",
                "查看材料",
                "状态、大小、sha256；视频另有时长、编码、宽高；已存储时给出短时有效的下载地址。",
                {"200": json_response("材料", "Material"), **errors(401, 403, 404)},
            )
        },
    )
    add_health(api, TAG)
