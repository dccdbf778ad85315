"""The OpenAPI 3 document of intake's paths, generated from the marshmallow schemas
(apispec's marshmallow plugin) and served at `GET /api/v1/openapi.json`."""

from __future__ import annotations

import functools
import json
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.intake.domain.entry import (
    AchievementEntry,
    ChallengeEntry,
    FinanceEntry,
    PromotionEntry,
)
from services.intake.domain.officer import Officer

ENTRY_SCHEMAS = {
    "AchievementEntry": AchievementEntry,
    "PromotionEntry": PromotionEntry,
    "ChallengeEntry": ChallengeEntry,
    "FinanceEntry": FinanceEntry,
}


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "validation_failed"})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"example": {"contact.phone": ["请填写有效的手机号或带区号的固定电话"]}},
    )
    current_version = fields.Integer(metadata={"description": "version_conflict 时的当前版本"})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class EntryMeta(Schema):
    id = fields.UUID()
    district = fields.String()
    call_id = fields.String()
    category = fields.String()
    status = fields.String(metadata={"enum": ["draft", "submitted", "withdrawn"]})
    version = fields.Integer()
    selected = fields.Boolean()
    officer = fields.Nested(Officer, allow_none=True)
    materials = fields.List(fields.Dict())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)


class HistoryItem(Schema):
    event_id = fields.UUID()
    type = fields.String()
    version = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.Dict()
    data = fields.Dict()
    correlation_id = fields.UUID()


def _json(schema: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _entry_body() -> dict[str, Any]:
    return {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in ENTRY_SCHEMAS]}


def _errors(*statuses: int) -> dict[str, Any]:
    names = {
        401: "未认证", 403: "无权限", 404: "不存在", 409: "冲突", 413: "请求体过大",
        415: "须为 JSON", 422: "输入有误", 428: "缺少 If-Match",
    }  # fmt: skip
    return {str(s): {"description": names[s], **_json("Error")} for s in statuses}


@functools.cache
def spec() -> dict[str, Any]:
    api = APISpec(
        title="Kechuang 科创项目征集 API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "区县科协提交、市科协审核的科创项目征集接口"},
        components={
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
        security=[{"bearer": []}],
    )
    for name, schema in ENTRY_SCHEMAS.items():
        api.components.schema(name, schema=schema)
    for name, schema in {
        "Error": Error, "Officer": Officer, "EntryMeta": EntryMeta, "HistoryItem": HistoryItem,
    }.items():  # fmt: skip
        api.components.schema(name, schema=schema)
    entry = {"allOf": [_entry_body(), {"$ref": "#/components/schemas/EntryMeta"}]}
    one = {"description": "申报项目", **_json(entry)}
    sid = {"name": "submission_id", "in": "path", "required": True, "schema": {"type": "string"}}
    base = "/api/v1/submissions"
    api.path(
        path=base,
        operations={
            "post": {
                "summary": "新建草稿（区县科协）",
                "parameters": [
                    {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
                ],
                "requestBody": {"required": True, **_json(_entry_body())},
                "responses": {"201": one, **_errors(401, 403, 413, 415, 422)},
            },
            "get": {
                "summary": "项目列表",
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": t}}
                    for n, t in (
                        ("status", "string"),
                        ("category", "string"),
                        ("district", "string"),
                        ("page", "integer"),
                        ("per_page", "integer"),
                    )
                ],
                "responses": {
                    "200": {"description": "分页列表", **_json({"type": "object"})},
                    **_errors(401, 403, 422),
                },
            },
        },
    )
    api.path(
        path=f"{base}/{{submission_id}}",
        parameters=[sid],
        operations={
            "get": {"summary": "查看项目", "responses": {"200": one, **_errors(401, 403, 404)}},
            "patch": {
                "summary": "修改项目（须带 If-Match）",
                "parameters": [
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {"required": True, **_json({"type": "object"})},
                "responses": {"200": one, **_errors(401, 403, 404, 409, 413, 415, 422, 428)},
            },
        },
    )
    for action, summary, body in (
        ("submit", "提交", None),
        ("withdraw", "撤回", None),
        ("service-officer", "指派保姆（市科协）", "Officer"),
    ):
        operation: dict[str, Any] = {
            "summary": summary,
            "responses": {"200": one, **_errors(401, 403, 404, 409, 422)},
        }
        if body:
            operation["requestBody"] = {"required": True, **_json(body)}
        api.path(
            path=f"{base}/{{submission_id}}/{action}",
            parameters=[sid],
            operations={"post": operation},
        )
    api.path(
        path=f"{base}/{{submission_id}}/history",
        parameters=[sid],
        operations={
            "get": {
                "summary": "项目的全部事件（由早到晚）",
                "responses": {
                    "200": {
                        "description": "事件",
                        **_json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/HistoryItem"},
                                    },
                                    "total": {"type": "integer"},
                                },
                            }
                        ),
                    },
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    return api.to_dict()


@functools.cache
def document() -> str:
    """The document as served (built once per process)."""
    return json.dumps(spec(), ensure_ascii=False)
