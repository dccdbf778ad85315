"""What every part of the OpenAPI 3 document shares, generated from marshmallow schemas
(apispec's marshmallow plugin): the error shape of api.md, the bearer JWT scheme, the builders
each part writes its operations with (`operation`, `json_body`, `json_response`,
`file_response`, `parameter`, `path_param`, `int_param`, `list_of`, `page_of`, `add_schemas`),
and `build`, which makes a document from parts.

Each service describes its own paths in `services/<svc>/openapi.py`, a function
`add_paths(api)` adding its tag, schemas and paths to an `APISpec`. The whole API is assembled
above the services (`ops/openapi.py`) and written to a file when the stack is built or started;
intake serves that file at `GET /api/v1/openapi.json` (`published`), so no service loads
another's code to answer it."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from shared.fields import Text
from shared.http import MAX_PAGE, MAX_PER_PAGE, STATUS

AddPaths = Callable[[APISpec], None]

# What `shared.text` refuses in stored text, as a JSON Schema pattern (ECMA and Python read
# `\uXXXX` alike): the controls but tab, newline and CR, and U+FFFE, U+FFFF. Lone surrogates
# are left out: they are not Unicode text at all, and in a UTF-16 regex engine a surrogate
# range would also refuse every emoji.
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]*$"
# What a stored header value may not hold (`shared.text.header_fault`): C0 but tab, and DEL.
HEADER_PATTERN = r"^[^\u0000-\u0008\u000a-\u001f\u007f]*$"


class ErrorDetail(Schema):
    code = fields.String(
        required=True,
        metadata={"enum": sorted(STATUS), "example": "validation_failed"},
    )
    message = fields.String(required=True, metadata={"description": "中文说明"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "各字段的问题（键为带点的路径）",
            "example": {"contact.phone": ["请填写有效的手机号或带区号的固定电话"]},
        },
    )
    current_version = fields.Integer(metadata={"description": "version_conflict 时的当前版本"})
    state = fields.String(metadata={"description": "invalid_state 时对象的当前状态"})
    locked_until = fields.DateTime(metadata={"description": "locked 时账号解锁的时刻"})
    totp_required = fields.Boolean(metadata={"description": "登录须带动态验证码"})
    must_change_password = fields.Boolean(metadata={"description": "须先修改初始密码（403）"})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


ERROR_NAMES = {
    400: "请求有误", 401: "未认证（缺少或无效的令牌）", 403: "无权限", 404: "不存在",
    409: "冲突", 413: "请求体过大", 415: "须为 JSON（或类型不受支持）", 422: "输入有误",
    423: "账号已临时锁定", 428: "缺少 If-Match", 429: "请求过于频繁（前门限速）",
    503: "暂时无法处理（如打印任务较多），请稍后重试",
}  # fmt: skip


def json_content(schema: Any) -> dict[str, Any]:
    """A request body or response of JSON in the given schema (a name, a class, a dict)."""
    return {"content": {"application/json": {"schema": schema}}}


def json_response(description: str, schema: Any, **extra: Any) -> dict[str, Any]:
    """A response of JSON in the given schema; `extra` adds keys such as `headers`."""
    return {"description": description, **json_content(schema), **extra}


def json_body(schema: Any, *, required: bool = True, **extra: Any) -> dict[str, Any]:
    """A request body of JSON in the given schema; `required=False` when it may be left out,
    `extra` adds keys such as `description`."""
    return {"required": required, **json_content(schema), **extra}


def file_response(
    description: str, content_type: str, disposition: str | None = None
) -> dict[str, Any]:
    """A response of a whole file (a PDF, a spreadsheet, a zip); `disposition` describes its
    Content-Disposition header, when the answer names the file."""
    response: dict[str, Any] = {
        "description": description,
        "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
    }
    if disposition is not None:
        response["headers"] = {
            "Content-Disposition": {"description": disposition, "schema": {"type": "string"}}
        }
    return response


def errors(*statuses: int) -> dict[str, Any]:
    """Responses in the documented error shape, one per status."""
    return {str(s): json_response(ERROR_NAMES[s], "Error") for s in statuses}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(
    tag: str,
    operation_id: str,
    summary: str,
    description: str | None,
    responses: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    public: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """One operation of a path: `body` is its request body (`json_body`), `public=True` lifts
    the bearer token the document requires by default; keys left as None are not written."""
    op: dict[str, Any] = {"tags": [tag], "operationId": operation_id, "summary": summary}
    if description is not None:
        op["description"] = description
    if parameters is not None:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = body
    if public:
        op["security"] = []
    return {**op, "responses": responses, **extra}


def add_schemas(api: APISpec, schemas: dict[str, Any]) -> None:
    """Register components by name, in the given order: a marshmallow schema (class or
    instance), or a schema already written as a dict."""
    for name, schema in schemas.items():
        if isinstance(schema, dict):
            api.components.schema(name, component=schema)
        else:
            api.components.schema(name, schema=schema)


def parameter(
    where: str, name: str, description: str, schema: dict[str, Any], *, required: bool | None = None
) -> dict[str, Any]:
    """A parameter `in` the query, a header or the path; `required` is written only when given."""
    param: dict[str, Any] = {"name": name, "in": where, "description": description}
    if required is not None:
        param["required"] = required
    return {**param, "schema": schema}


def int_param(
    name: str, description: str, *, maximum: int, default: int, minimum: int = 1
) -> dict[str, Any]:
    """A bounded integer query parameter with its default."""
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default}
    return parameter("query", name, description, schema)


def path_param(name: str, description: str) -> dict[str, Any]:
    """A uuid in the path."""
    return parameter("path", name, description, {"type": "string", "format": "uuid"}, required=True)


def list_of(item: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    """The unpaged list shape `{"items", "total"}`; `required=False` where the document has
    never promised the two keys."""
    shape: dict[str, Any] = {"type": "object"}
    if required:
        shape["required"] = ["items", "total"]
    shape["properties"] = {
        "items": {"type": "array", "items": item},
        "total": {"type": "integer"},
    }
    return shape


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    """The list shape of api.md: `{"items", "total", "page", "per_page"}`."""
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "description": "符合条件的总数"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
    }


def paging_params() -> list[dict[str, Any]]:
    return [
        int_param("page", "页码，从 1 开始", maximum=MAX_PAGE, default=1),
        int_param("per_page", f"每页条数（最多 {MAX_PER_PAGE}）", maximum=MAX_PER_PAGE, default=50),
    ]


def add_health(api: APISpec, service: str) -> None:
    """`GET /healthz/<service>` through the front door (the service's own `GET /healthz`)."""
    status = {
        "type": "object",
        "properties": {
            "service": {"type": "string", "example": service},
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "checks": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "example": {"database": "ok", "broker": "ok"},
            },
        },
    }
    api.path(
        path=f"/healthz/{service}",
        operations={
            "get": operation(
                service,
                f"{service}_health",
                "健康检查",
                "服务及其依赖都应答时为 200，否则为 503。无需令牌。",
                {
                    "200": json_response("正常", status),
                    "503": json_response("服务或其依赖不可用", status),
                },
                public=True,
            )
        },
    )


# Whitespace `str.strip` drops that the text rule lets through (not \v, \f, U+001C-U+001F,
# U+0085: those are controls, refused before any stripping).
_STRIPPED = r"[^\S\u000b\u000c\u001c-\u001f\u0085]*"


def text_rule(converter: Any, field: Any, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    r"""An apispec attribute function: every `Text` field says what it refuses, and a
    `validate.Regexp` is published as marshmallow applies it. A JSON Schema pattern matches
    anywhere in the value, while Regexp matches from the start (and its patterns end in `\Z`,
    which ECMA regexes lack): so the published one is anchored at both ends, with the spaces a
    stripping field (`strips_spaces`) drops allowed around it. Choices and an own pattern
    already exclude the refused characters."""
    patterns = [str(v.regex.pattern) for v in field.validators if isinstance(v, validate.Regexp)]
    if patterns:
        core = patterns[0].removesuffix(r"\Z")
        space = _STRIPPED if getattr(field, "strips_spaces", False) else ""
        return {"pattern": f"^{space}(?:{core}){space}$"}
    rule: dict[str, Any] = {}
    if any(isinstance(v, validate.Email) for v in field.validators):
        rule["format"] = "email"
    if isinstance(field, Text) and "pattern" not in ret and "enum" not in ret:
        rule["pattern"] = TEXT_PATTERN
    return rule


def text_param(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """A query parameter of stored or compared text (the text rule applies to it)."""
    return parameter(
        "query", name, description, {"type": "string", "pattern": TEXT_PATTERN, **schema}
    )


def new_spec() -> APISpec:
    """An empty document with what every part shares: info, the bearer JWT scheme (required
    unless an operation says otherwise) and the Error schema."""
    plugin = MarshmallowPlugin()
    api = APISpec(
        title="Kechuang 科创项目征集 API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={
            "description": "区县科协提交、市科协审核的科创项目征集接口。除健康检查和本文档外，"
            "每个请求都须带 `Authorization: Bearer <JWT>`；出错时一律答以 "
            '`{"error": {"code", "message", "fields"}}`。'
        },
        servers=[{"url": "/", "description": "前门（nginx）"}],
        components={
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "登录（POST /api/v1/session）所得的个人令牌，或 "
                    "`kechuang token --role office|staff|operator` 签发的令牌",
                }
            }
        },
        security=[{"bearer": []}],
    )
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(text_rule)
    api.components.schema("Error", schema=Error)
    return api


def build(parts: Iterable[AddPaths]) -> dict[str, Any]:
    """A document of the given parts, in their order (the order of the tags)."""
    api = new_spec()
    for add_paths in parts:
        add_paths(api)
    return api.to_dict()


def serialize(spec: dict[str, Any]) -> str:
    """The document as written and served."""
    return json.dumps(spec, ensure_ascii=False)


@functools.cache
def published(path: str) -> bytes:
    """The assembled document written at `path` (read once per process)."""
    return Path(path).read_bytes()
