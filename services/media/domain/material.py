"""A material (推介视频, 项目介绍资料, 成果证明材料): its state, the rules for an upload slot,
and the verdict on an uploaded object. Pure: limits, time and the facts about the object come
in as arguments."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from shared.catalog.vocabulary import AWAITING_UPLOAD, EXPIRED, REJECTED, STORED, VERIFYING
from shared.catalog.vocabulary import MATERIAL_KIND_LABELS as KIND_NAMES
from shared.errors import Refused
from shared.events import Event

VIDEO_TYPES = {  # declared content type -> what the bytes must be (filetype's MIME)
    "video/mp4": {"video/mp4"},
    "video/quicktime": {"video/quicktime", "video/mp4"},  # .mov and .mp4 share the ISO format
    "video/webm": {"video/webm", "video/x-matroska"},  # WebM is a Matroska profile
    "video/x-matroska": {"video/x-matroska", "video/webm"},
}
DOCUMENT_TYPES = {
    "application/pdf": {"application/pdf"},
    "application/msword": {"application/msword"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    },
    "application/vnd.ms-powerpoint": {"application/vnd.ms-powerpoint"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    },
    "image/jpeg": {"image/jpeg"},
    "image/png": {"image/png"},
}
SHA256 = re.compile(r"[0-9a-f]{64}\Z")
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_video_bytes: int = 2 * 1024 * MIB
    max_document_bytes: int = 100 * MIB
    single_put_bytes: int = 64 * MIB  # above this the upload is multipart
    min_part_bytes: int = 16 * MIB  # S3 allows 5 MiB .. 5 GiB per part, at most 10,000 parts
    slot_seconds: int = 3600  # an upload slot lives this long
    url_seconds: int = 900  # presigned URLs (upload parts, downloads) live this long


@dataclass(frozen=True)
class Material:
    id: str
    submission_id: str
    district: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    object_key: str
    upload_id: str | None
    part_size: int | None
    expires_at: datetime
    status: str = AWAITING_UPLOAD
    version: int = 0
    reason: str | None = None
    facts: dict[str, Any] | None = None  # what verification found (duration, codec...)
    updated_at: datetime | None = None


def apply(material: Material | None, event: Event) -> Material:
    data = event.data
    if event.type == "MaterialRequested":
        fields = {k: data[k] for k in (
            "submission_id", "district", "kind", "filename", "content_type", "size", "sha256",
            "object_key", "upload_id", "part_size",
        )}  # fmt: skip
        expires = datetime.fromisoformat(data["expires_at"])
        return Material(id=data["material_id"], expires_at=expires, version=event.version,
                        updated_at=event.occurred_at, **fields)  # fmt: skip
    if material is None:
        raise ValueError(f"{event.type} before MaterialRequested in {event.stream_id}")
    material = replace(material, version=event.version, updated_at=event.occurred_at)
    if event.type == "MaterialUploaded":
        return replace(material, status=VERIFYING)
    if event.type == "MediaStored":
        facts = {k: data.get(k) for k in ("duration_s", "codec", "width", "height")}
        sealed = data.get("object_key") or material.object_key
        return replace(material, status=STORED, facts=facts, object_key=sealed)
    if event.type == "MediaRejected":
        return replace(material, status=REJECTED, reason=data["reason"])
    if event.type == "MaterialExpired":
        return replace(material, status=EXPIRED)
    return material


def check_request(kind: str, content_type: str, size: int, sha256: str, limits: Limits) -> None:
    """A slot is refused at once when the declared file could never be accepted."""
    if kind == "promo_video":
        allowed, top = VIDEO_TYPES, limits.max_video_bytes
    else:
        allowed, top = DOCUMENT_TYPES, limits.max_document_bytes
    if content_type not in allowed:
        kinds = (
            "mp4、mov、webm、mkv"
            if kind == "promo_video"
            else "pdf、doc、docx、ppt、pptx、jpg、png"
        )
        raise Refused("unsupported_media_type", f"{KIND_NAMES[kind]}只接受 {kinds} 文件",
                      {"content_type": [f"不支持的类型：{content_type}"]})  # fmt: skip
    if size > top:
        raise Refused("payload_too_large", f"{KIND_NAMES[kind]}不能超过 {top // MIB} MiB",
                      {"size": [f"上限 {top} 字节"]})  # fmt: skip
    if not SHA256.match(sha256):
        raise Refused("validation_failed", "sha256 须为 64 位十六进制小写",
                      {"sha256": ["须为 64 位十六进制小写"]})  # fmt: skip


def part_size(size: int, limits: Limits) -> int | None:
    """None for a single PUT; else the part size: at least min_part_bytes, and large enough
    that no upload needs more than 10,000 parts (S3's limit)."""
    if size <= limits.single_put_bytes:
        return None
    return max(limits.min_part_bytes, math.ceil(size / 10_000 / MIB) * MIB)


def part_count(size: int, part: int) -> int:
    return max(1, math.ceil(size / part))


def can_complete(material: Material, now: datetime) -> None:
    if material.status != AWAITING_UPLOAD:
        raise Refused("invalid_state", "该材料已完成上传，不能重复提交")
    if now > material.expires_at:
        raise Refused("invalid_state", "上传时限已过，请重新申请上传")


def sealed_key(material: Material, attempt: str) -> str:
    """Where a verification copies the uploaded bytes before it reads them: under `sealed/`,
    which no upload slot is ever signed for, so what was hashed is what readers get. One key
    per attempt: two workers verifying at once never write the same object."""
    return f"sealed/{material.submission_id}/{material.id}/{attempt}"


def verdict(material: Material, found: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """STORED or REJECTED, and the event data, from what verification found about the object:
    `size`, `sha256`, `mime` (from the bytes), and for videos `video` (ffprobe's first video
    stream: codec, width, height) and `duration_s`; or `missing` if there is no object."""
    base = {"material_id": material.id, "submission_id": material.submission_id,
            "kind": material.kind}  # fmt: skip

    def rejected(reason: str) -> tuple[str, dict[str, Any]]:
        return REJECTED, base | {"reason": reason}

    if found.get("missing"):
        return rejected("未找到上传的文件，请重新上传")
    if found["size"] != material.size:
        return rejected(
            f"文件大小（{found['size']} 字节）与申报的 {material.size} 字节不符，可能上传不完整"
        )
    if found["sha256"] != material.sha256:
        return rejected("文件内容与申报的 SHA-256 校验值不符，请重新上传")
    expected = {**VIDEO_TYPES, **DOCUMENT_TYPES}[material.content_type]
    if found.get("mime") not in expected:
        actual = found.get("mime") or "无法识别"
        return rejected(f"文件实际类型（{actual}）与申报的 {material.content_type} 不符")
    facts: dict[str, Any] = {}
    if material.kind == "promo_video":
        video = found.get("video")
        if not video:
            return rejected("视频文件中没有可播放的视频流")
        facts = {"duration_s": found.get("duration_s"), "codec": video.get("codec"),
                 "width": video.get("width"), "height": video.get("height")}  # fmt: skip
    return STORED, base | {"size": found["size"], "sha256": found["sha256"],
                           "content_type": material.content_type} | facts  # fmt: skip
