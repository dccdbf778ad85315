"""Intake's part of the OpenAPI 3 document (the entries' paths), generated from the
marshmallow schemas; `ops.openapi` assembles the whole API from the four services' parts
and intake serves it at `GET /api/v1/openapi.json`."""

from __future__ import annotations

import copy
from typing import Any

from apispec import APISpec
from marshmallow import Schema, fields

from services.intake.domain.entry import (
    CATEGORIES,
    NESTED_OBJECTS,
    AchievementEntry,
    ChallengeEntry,
    FinanceEntry,
    PromotionEntry,
)
from services.intake.domain.officer import Officer
from services.intake.domain.revision import ExtensionRequest, ReturnRequest
from shared import calls, config
from shared.catalog.vocabulary import SUBMISSION_STATUSES
from shared.openapi import (
    HEADER_PATTERN,
    Error,
    ErrorDetail,
    add_health,
    add_schemas,
    errors,
    file_response,
    json_body,
    json_response,
    list_of,
    new_spec,
    operation,
    page_of,
    paging_params,
    parameter,
    path_param,
    ref,
    text_param,
)

__all__ = [
    "ENTRY_SCHEMAS", "CallItem", "Catalog", "EntryMeta", "Error", "ErrorDetail", "FormField",
    "HistoryItem", "Labelled", "add_paths", "spec",
]  # fmt: skip
TAG = "intake"
# The If-Match intake reads (service._version): a version number, quoted or not, maybe weak.
IF_MATCH = r'^[ \t]*(W/)?"?[0-9]+"?[ \t]*$'

ENTRY_SCHEMAS = {
    "AchievementEntry": AchievementEntry,
    "PromotionEntry": PromotionEntry,
    "ChallengeEntry": ChallengeEntry,
    "FinanceEntry": FinanceEntry,
}


class EntryMeta(Schema):
    """What intake adds to an entry's fields (`entries.entry_body`): always all of it."""

    id = fields.UUID(required=True)
    district = fields.String(required=True)
    call_id = fields.String(required=True)
    category = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(SUBMISSION_STATUSES)})
    version = fields.Integer(required=True)
    selected = fields.Boolean(required=True)
    officer = fields.Nested(Officer, required=True, allow_none=True)
    # Not required: rows written before proposals existed do not carry it.
    officer_proposal = fields.Dict(
        allow_none=True,
        metadata={"description": "区县提议、待市科协确认的保姆：name、phone、by、at；无则 null"},
    )
    materials = fields.List(fields.Dict(), required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    # Not required: entries listed from rows written before returns existed do not carry it.
    returned = fields.Nested(
        "ReturnRecord",
        allow_none=True,
        metadata={"description": "最近一次退回修改（无则为 null）：理由、涉及的字段或条款、期限"},
    )


class ReturnRecord(Schema):
    reasons = fields.String(required=True, metadata={"description": "退回理由"})
    fields_ = fields.List(
        fields.String(), required=True, data_key="fields",
        metadata={"description": "涉及的字段路径或通知条款"},
    )  # fmt: skip
    due = fields.DateTime(required=True, metadata={"description": "重新提交的期限"})
    at = fields.DateTime(required=True, metadata={"description": "退回时间"})
    by = fields.String(required=True, metadata={"description": "退回人"})


class ExtensionItem(Schema):
    id = fields.UUID(required=True)
    call_id = fields.String(required=True)
    district = fields.String(required=True, metadata={"description": "区县名称"})
    district_code = fields.String(required=True, allow_none=True)
    submission_id = fields.String(
        required=True, allow_none=True, metadata={"description": "null：整个区县"}
    )
    until = fields.DateTime(required=True)
    until_text = fields.String(required=True, metadata={"description": "补交期限（北京时间）"})
    reason = fields.String(required=True)
    granted_by = fields.String(required=True)
    granted_at = fields.DateTime(required=True)


class HistoryItem(Schema):
    event_id = fields.UUID()
    type = fields.String()
    version = fields.Integer()
    occurred_at = fields.DateTime()
    actor = fields.Dict()
    data = fields.Dict()
    correlation_id = fields.UUID()


class Labelled(Schema):
    code = fields.String(required=True, metadata={"example": "achievement"})
    label = fields.String(required=True, metadata={"example": "科技成果转化项目"})


class FormField(Schema):
    name = fields.String(
        required=True,
        metadata={
            "description": "字段名；嵌套对象的键带点，如 applicant.type",
            "example": "tech_level",
        },
    )
    label = fields.String(
        required=True, metadata={"description": "中文名称", "example": "技术水平"}
    )
    type = fields.String(
        required=True,
        metadata={
            "enum": [
                "text",
                "choice",
                "boolean",
                "integer",
                "phone",
                "email",
                "region",
                "industry",
                "list",
            ],
            "description": "region：六位行政区划代码（GB/T 2260），可从 regions 中选；"
            "industry：国民经济行业分类（GB/T 4754-2017）的门类字母或两位大类代码，"
            "可从 industries 中选",
        },
    )
    required = fields.Boolean(required=True, metadata={"description": "提交前是否必填"})
    choices = fields.List(fields.Nested(Labelled), metadata={"description": "choice 的取值"})
    max_length = fields.Integer(allow_none=True, metadata={"description": "text 的最大字数"})
    max_items = fields.Integer(metadata={"description": "list 的最多项数"})
    item = fields.Dict(
        metadata={
            "description": "list 的每一项：与字段相同的 type 等；type 为 object 时，"
            "fields 列出每项的字段（name 不带前缀）"
        }
    )


class CodeAndName(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class Industry(CodeAndName):
    section = fields.String(metadata={"description": "大类所属的门类字母（门类本身没有）"})


class Catalog(Schema):
    categories = fields.List(fields.Nested(Labelled), required=True)
    material_kinds = fields.List(fields.Nested(Labelled), required=True)
    states = fields.List(
        fields.Nested(Labelled), required=True, metadata={"description": "报表中项目的总体状态"}
    )
    forms = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FormField)),
        required=True,
        metadata={"description": "每个类别的回执字段，按回执的顺序"},
    )
    regions = fields.List(
        fields.Nested(CodeAndName),
        required=True,
        metadata={
            "description": "四川省的行政区划（省、市州、区县）：代码和全称，供 region 字段选择"
        },
    )
    industries = fields.List(
        fields.Nested(Industry),
        required=True,
        metadata={
            "description": "国民经济行业分类（GB/T 4754-2017）的 20 个门类（字母）和 97 个大类"
            "（两位数字），每个门类之后是它的大类：代码和名称，供 industry 字段选择"
        },
    )


# An entry schema's `required` means "required to submit"; what a request may carry and what
# an answer holds differ by category, so each category has three shapes, derived below from its
# entry schema: a draft (the create body: any field of the category, nested objects whole), a
# patch (the PATCH body: nested objects partial, null clears a field) and the entry as answered
# (its fields, nested objects possibly partial after a PATCH, and intake's EntryMeta). Each
# fixes `category` to its own, so exactly one of the `oneOf` matches.
CATEGORY_SCHEMAS = dict(zip(CATEGORIES, ENTRY_SCHEMAS, strict=True))


def choice_param(name: str, description: str, choices: tuple[str, ...]) -> dict[str, Any]:
    """A list filter with fixed choices; empty means no filter (queries.Entries.list)."""
    return parameter("query", name, description, {"type": "string", "enum": ["", *choices]})


def _shape(name: str) -> str:
    return name.removesuffix("Entry")


class CallContact(Schema):
    name = fields.String(required=True)
    phone = fields.String(required=True)
    address = fields.String(required=True)
    email = fields.String(required=True)


class CallItem(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    opens = fields.DateTime(
        required=True, metadata={"description": "开始时间（北京时间，ISO 8601）"}
    )
    closes = fields.DateTime(
        required=True, metadata={"description": "截止时间（北京时间，含该秒）"}
    )
    opens_text = fields.String(
        required=True, metadata={"description": "如 2021年9月27日 00:00:00（北京时间）"}
    )
    closes_text = fields.String(
        required=True, metadata={"description": "如 2021年11月2日 23:59:59（北京时间）"}
    )
    extended_until = fields.String(
        allow_none=True,
        metadata={
            "description": "区县科协：本区县获准逾期补交（延期）至何时（北京时间 ISO），无则 null"
        },
    )
    extended_until_text = fields.String(
        allow_none=True, metadata={"description": "延期截止时间（北京时间文字）"}
    )
    accepts_entries = fields.Boolean(
        metadata={"description": "现在能否提交项目：征集进行中，或本区县的延期尚未结束"}
    )
    is_open = fields.Boolean(required=True, metadata={"description": "此刻是否在征集时间内"})
    categories = fields.List(
        fields.Nested(CodeAndName),
        required=True,
        metadata={"description": "接受的类别：code 如 achievement，name 如 科技成果转化项目"},
    )
    districts = fields.List(
        fields.Nested(CodeAndName),
        required=True,
        metadata={"description": "参与的区县：code 为 GB/T 2260 代码（如 511902），name 如 巴州区"},
    )
    contact = fields.Nested(
        CallContact,
        allow_none=True,
        metadata={
            "description": "联系方式：区县科协看到本区县的联系人（公告四（三）为巴州区的），"
            "未配置时为市科协的；市科协看到市科协的联系人"
        },
    )


def _entry_body() -> dict[str, Any]:
    return {"oneOf": [ref(f"{_shape(name)}Draft") for name in ENTRY_SCHEMAS]}


def _partial(schemas: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """A nested object's schema with none of its keys required (inlined from its $ref)."""
    target = prop.get("$ref") or next(
        (p["$ref"] for p in prop.get("anyOf", []) + prop.get("allOf", []) if "$ref" in p), None
    )
    nested = copy.deepcopy(schemas[target.rsplit("/", 1)[1]]) if target else copy.deepcopy(prop)
    nested.pop("required", None)
    return nested


def _call_ids() -> list[str]:
    """The calls configured where the document is written (the stack's `KECHUANG_CALLS`)."""
    return sorted(calls.load(config.load().calls_file))


def _add_category_shapes(api: APISpec) -> None:
    schemas = api.components.schemas
    call_id = {
        "type": "string",
        "enum": _call_ids(),
        "description": "所属征集（已配置的征集之一，见 GET /api/v1/calls）；"
        "只有一个征集正在进行时可省略",
    }
    meta = schemas["EntryMeta"]
    for category, name in CATEGORY_SCHEMAS.items():
        entry = schemas[name]
        fixed = {"type": "string", "enum": [category]}
        draft = copy.deepcopy(entry)
        draft["properties"].update(category=fixed, call_id=call_id)
        draft["required"] = ["category"]
        draft["description"] = "新建的草稿：该类别的任何字段（提交前必填的见 " + name + "）"
        patch = copy.deepcopy(draft)
        patch.pop("required")
        patch["description"] = (
            "修改：只给要改的字段；嵌套对象可只给部分键（与原值合并），null 清除该字段"
        )
        for key, prop in patch["properties"].items():
            if key == "category":
                continue
            if key in NESTED_OBJECTS:
                prop = _partial(schemas, prop)
            patch["properties"][key] = {**prop, "nullable": True}
        shown = copy.deepcopy(entry)
        shown.pop("required", None)
        for key in NESTED_OBJECTS:
            if key in shown["properties"]:
                shown["properties"][key] = _partial(schemas, shown["properties"][key])
        shown["properties"].update(copy.deepcopy(meta["properties"]), category=fixed)
        shown["required"] = list(meta["required"])
        shown["description"] = "申报项目（草稿可缺少字段；嵌套对象可能只有部分键）"
        api.components.schema(f"{_shape(name)}Draft", component=draft)
        api.components.schema(f"{_shape(name)}Patch", component=patch)
        api.components.schema(f"{_shape(name)}View", component=shown)


def add_paths(api: APISpec) -> None:
    """Intake's tag, schemas and paths (the entries, and this document itself)."""
    api.tag(
        {"name": TAG, "description": "申报项目：区县科协填报、提交、撤回；市科协查看、指派保姆"}
    )
    add_schemas(api, ENTRY_SCHEMAS)
    add_schemas(api, {
        "Officer": Officer, "ReturnRecord": ReturnRecord, "EntryMeta": EntryMeta,
        "HistoryItem": HistoryItem,
        "Labelled": Labelled, "FormField": FormField, "CodeAndName": CodeAndName,
        "Industry": Industry,
        "Catalog": Catalog, "CallContact": CallContact, "CallItem": CallItem,
        "ReturnBody": ReturnRequest, "ExtensionBody": ExtensionRequest,
        "ExtensionItem": ExtensionItem,
    })  # fmt: skip
    _add_category_shapes(api)
    entry = {"oneOf": [ref(f"{_shape(name)}View") for name in ENTRY_SCHEMAS]}
    etag = {
        "ETag": {"description": "当前版本号（修改时放入 If-Match）", "schema": {"type": "string"}}
    }
    one = json_response("申报项目", entry, headers=etag)
    sid = path_param("submission_id", "申报项目的 id")
    base = "/api/v1/submissions"
    idempotency_key = parameter(
        "header",
        "Idempotency-Key",
        "幂等键（1 到 200 个字符，不含控制字符）",
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": HEADER_PATTERN},
    )
    api.path(
        path=base,
        operations={
            "post": operation(
                TAG,
                "create_submission",
                "新建草稿（区县科协）",
                "所属区县取自令牌，不取自请求体。带同一 Idempotency-Key 重试时返回"
                "首次的结果，不再新建。",
                {
                    "201": {**one, "description": "已新建的草稿"},
                    **errors(401, 403, 409, 413, 415, 422),
                },
                parameters=[idempotency_key],
                body=json_body(_entry_body()),
            ),
            "get": operation(
                TAG,
                "list_submissions",
                "项目列表",
                "区县科协只看本区县的；市科协看全部，可用 district 筛选。",
                {"200": json_response("分页列表", page_of(entry)), **errors(401, 403, 422)},
                parameters=[
                    choice_param("status", "状态（空值为不筛选）", SUBMISSION_STATUSES),
                    choice_param("category", "类别（空值为不筛选）", CATEGORIES),
                    text_param("district", "区县（市科协用；空值为不筛选）"),
                    *paging_params(),
                ],
            ),
        },
    )
    if_match = parameter(
        "header",
        "If-Match",
        '当前版本号，如 "3"（也可写作 W/"3" 或 3）',
        {"type": "string", "pattern": IF_MATCH},
        required=True,
    )
    patch = {"anyOf": [ref(f"{_shape(name)}Patch") for name in ENTRY_SCHEMAS]}
    api.path(
        path=f"{base}/{{submission_id}}",
        parameters=[sid],
        operations={
            "get": operation(
                TAG,
                "get_submission",
                "查看项目",
                "含 version、status、materials。别的区县的项目答 404。",
                {"200": one, **errors(401, 403, 404)},
            ),
            "patch": operation(
                TAG,
                "patch_submission",
                "修改项目（须带 If-Match）",
                "只改给出的字段；If-Match 缺少时 428，版本已过时 409。",
                {"200": one, **errors(401, 403, 404, 409, 413, 415, 422, 428)},
                parameters=[if_match],
                body=json_body(
                    patch,
                    description="要修改的字段：须为该项目类别可用的字段（见各类别的 Patch），"
                    "别的类别的字段答 422",
                ),
            ),
        },
    )
    for action, operation_id, summary, description, body in (
        ("submit", "submit_submission", "提交", "草稿或已退回修改 → 已提交；缺的必填项以 422 "
         "列出，截止后（草稿：征集截止或准予的补交期限；退回的项目：退回期限）答 call_closed"
         "（409）。", None),
        ("return", "return_submission", "退回修改（市科协）", "已提交 → 已退回修改：区县可在"
         "期限前修改并重新提交（征集截止后亦可）；逾期未重新提交的，筛查判为不符合条件。"
         "只能退回已提交的项目（否则 invalid_state 409），期限须为将来的时间。", "ReturnBody"),
        ("withdraw", "withdraw_submission", "撤回", "→ 已撤回（市里已遴选的不能撤回）。", None),
        ("service-officer", "assign_service_officer", "指派保姆（市科协）",
         "为项目指派服务专员（保姆）：姓名和电话；确认区县提议的保姆即以其姓名和电话指派。",
         "Officer"),
        ("service-officer/proposal", "propose_service_officer", "提议保姆（区县科协）",
         "区县科协为本区县的项目提议服务专员（保姆）：姓名和电话，待市科协确认（指派）；"
         "已撤回的项目不能提议（409）。", "Officer"),
    ):  # fmt: skip
        # A body can be too large (413) or not JSON (415); an action without one cannot.
        refusals = (401, 403, 404, 409, 413, 415, 422) if body else (401, 403, 404, 409, 422)
        api.path(
            path=f"{base}/{{submission_id}}/{action}",
            parameters=[sid],
            operations={
                "post": operation(
                    TAG,
                    operation_id,
                    summary,
                    description,
                    {"200": one, **errors(*refusals)},
                    body=json_body(body) if body else None,
                )
            },
        )
    api.path(
        path=f"{base}/{{submission_id}}/receipt.pdf",
        parameters=[sid],
        operations={
            "get": operation(
                TAG,
                "submission_receipt_pdf",
                "项目的回执（PDF，可打印盖章）",
                "《“科创会”科创项目征集回执》：按类别顺序列出所填内容、材料（大小、"
                "SHA-256 前 16 位、校验状态）、筛查状态和问题（含条款）、服务专员（保姆）、"
                "征集联系方式和签章栏；A4，嵌入中文字体，带页码。区县科协只能下载本区县的项目。",
                {
                    "200": file_response(
                        "回执 PDF", "application/pdf", "attachment; filename*=UTF-8''回执-….pdf"
                    ),
                    **errors(401, 403, 404, 503),
                },
            )
        },
    )
    api.path(
        path=f"{base}/{{submission_id}}/history",
        parameters=[sid],
        operations={
            "get": operation(
                TAG,
                "submission_history",
                "项目的全部事件（由早到晚）",
                None,
                {
                    "200": json_response("事件", list_of(ref("HistoryItem"), required=False)),
                    **errors(401, 403, 404),
                },
            )
        },
    )
    api.path(
        path="/api/v1/catalog",
        operations={
            "get": operation(
                TAG,
                "catalog",
                "词汇表与回执字段（任何已登录角色）",
                "类别、材料种类、报表状态的中文名称，以及每个类别回执的字段（顺序、"
                "中文名称、类型、是否必填、可选值、长度上限），均取自 intake 校验所用的声明。",
                {"200": json_response("词汇表", "Catalog"), **errors(401)},
            )
        },
    )
    api.path(
        path="/api/v1/calls",
        operations={
            "get": operation(
                TAG,
                "list_calls",
                "可用的征集",
                "区县科协：本区县参与的征集；市科协：全部征集。每项含征集时间"
                "（ISO 与北京时间文字）、是否进行中、类别、区县（代码和名称）和联系方式。",
                {
                    "200": json_response("征集", list_of(ref("CallItem"), required=False)),
                    **errors(401, 403),
                },
            )
        },
    )
    api.path(
        path="/api/v1/calls/{call_id}/extensions",
        parameters=[path_param("call_id", "征集的 id")],
        operations={
            "post": operation(
                TAG,
                "grant_extension",
                "准予逾期补交（市科协）",
                "给一个区县（district）或一个项目（submission_id）延长期限并说明理由："
                "期限前可提交、修改、上传材料，筛查按延长后的时间判断材料是否齐全。",
                {
                    "201": json_response("已准予", "ExtensionItem"),
                    **errors(401, 403, 404, 413, 415, 422),
                },
                body=json_body("ExtensionBody"),
            ),
            "get": operation(
                TAG,
                "list_extensions",
                "逾期补交列表",
                "市科协：全部；区县科协：本区县的（含本区县项目的）。",
                {
                    "200": json_response("逾期补交", list_of(ref("ExtensionItem"), required=False)),
                    **errors(401, 403, 404),
                },
            ),
        },
    )
    api.path(
        path="/api/v1/openapi.json",
        operations={
            "get": operation(
                TAG,
                "openapi_document",
                "本文档（OpenAPI 3）",
                "整个 API 的 OpenAPI 3 文档，由各服务的 marshmallow schema 生成。无需令牌。",
                {"200": json_response("OpenAPI 3 文档", {"type": "object"})},
                public=True,
            )
        },
    )
    add_health(api, TAG)
    add_batch_paths(api)


def spec() -> dict[str, Any]:
    """A document of intake's paths only (the whole API is `ops.openapi.spec()`)."""
    api = new_spec()
    add_paths(api)
    return api.to_dict()


# -- the district's batches (汇总报送) and their 报送函 (services/intake/batches.py) -----------

_MATERIAL = {
    "type": "object",
    "required": ["id", "kind", "filename", "size", "sha256"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "kind": {"type": "string"},
        "filename": {"type": "string"},
        "size": {"type": "integer", "nullable": True},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}
MANIFEST = {
    "type": "object",
    "description": "冻结的报送清单。其 SHA-256 按规范 JSON 计算：键排序、无空格、UTF-8"
    "（json.dumps(m, sort_keys=True, ensure_ascii=False, separators=(\",\", \":\"))）。",
    "required": ["format", "batch_id", "number", "call", "district", "sent_at", "sent_on",
                 "sent_by", "entries", "not_included"],
    "properties": {
        "format": {"type": "integer"},
        "batch_id": {"type": "string", "format": "uuid"},
        "number": {"type": "integer", "minimum": 1},
        "call": {"type": "object", "properties": {"id": {"type": "string"},
                                                  "title": {"type": "string"}}},
        "district": {"type": "object", "properties": {
            "name": {"type": "string"}, "code": {"type": "string", "nullable": True}}},
        "sent_at": {"type": "string", "format": "date-time", "description": "报送时间（UTC）"},
        "sent_on": {"type": "string", "format": "date", "description": "报送日期（北京时间）"},
        "sent_by": {"type": "string"},
        "entries": {"type": "array", "description": "报送的项目（已提交且筛查未判为不符合条件，"
                    "按创建先后）", "items": {
            "type": "object",
            "required": ["id", "title", "category", "version", "materials"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "title": {"type": "string"},
                "category": {"type": "string", "enum": list(CATEGORIES)},
                "version": {"type": "integer", "description": "报送时项目的版本号"},
                "screening_state": {"type": "string", "nullable": True,
                                    "description": "报送时的筛查状态（format 2 起）"},
                "materials": {"type": "array", "items": _MATERIAL,
                              "description": "已存储的材料（媒体服务校验的大小和 SHA-256）"},
            },
        }},
        "not_included": {"type": "array", "description": "未列入的项目（草稿、退回修改、已撤回，"
                         "以及经筛查不符合征集条件的已提交项目）",
                         "items": {"type": "object", "properties": {
                             "id": {"type": "string", "format": "uuid"},
                             "title": {"type": "string"},
                             "status": {"type": "string", "enum": list(SUBMISSION_STATUSES)},
                             "reason": {"type": "string", "description": "未列入的原因"
                                        "（format 2 起），如“不符合征集条件”"},
                             "screening_state": {"type": "string"},
                             "clauses": {"type": "array", "items": {"type": "string"},
                                         "description": "不符合的征集通知条款"},
                             "findings": {"type": "array", "items": {
                                 "type": "object", "properties": {
                                     "clause": {"type": "string"},
                                     "message": {"type": "string"}}}}}}},
    },
}  # fmt: skip
BATCH_ITEM = {
    "type": "object",
    "required": ["id", "call_id", "call_title", "district", "number", "label", "entries",
                 "sha256", "sent_by", "sent_at", "sent_at_text"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "call_id": {"type": "string"},
        "call_title": {"type": "string", "nullable": True},
        "district": {"type": "string"},
        "number": {"type": "integer", "minimum": 1, "description": "本区县该征集的第几批"},
        "label": {"type": "string", "example": "第1批"},
        "entries": {"type": "integer", "description": "报送的项目数"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                   "description": "报送清单（规范 JSON）的 SHA-256"},
        "sent_by": {"type": "string"},
        "sent_at": {"type": "string", "format": "date-time"},
        "sent_at_text": {"type": "string", "description": "报送时间（北京时间文字）"},
    },
}  # fmt: skip
VERIFICATION = {
    "type": "object",
    "required": ["batch_id", "matches", "recorded_sha256", "sent_at", "district", "entries"],
    "properties": {
        "batch_id": {"type": "string", "format": "uuid"},
        "matches": {"type": "boolean", "description": "所给 SHA-256 是否即记录的报送清单"},
        "recorded_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "sent_at": {"type": "string", "format": "date-time"},
        "district": {"type": "string"},
        "entries": {"type": "integer"},
    },
}


def add_batch_paths(api: APISpec) -> None:
    from services.intake.batches import BatchRequest

    add_schemas(api, {
        "BatchBody": BatchRequest,
        "BatchItem": BATCH_ITEM,
        "BatchView": {"allOf": [
            ref("BatchItem"),
            {"type": "object", "required": ["manifest"], "properties": {"manifest": MANIFEST}},
        ]},
        "BatchVerification": VERIFICATION,
    })  # fmt: skip
    bid = path_param("batch_id", "报送批次的 id")
    api.path(
        path="/api/v1/batches",
        operations={
            "post": operation(
                TAG, "send_batch", "汇总报送（区县科协）",
                "冻结本区县在该征集中已提交（submitted）的项目：每项的 id、名称、类别、"
                "版本号和每个已存储材料的文件名、大小、SHA-256，记入报送清单，"
                "清单的 SHA-256 记入事件 BatchSent。草稿、退回修改和已撤回的项目列为"
                "未列入。同一征集可再次报送（补报，第N批），每批列出当时全部已提交的"
                "项目。没有已提交的项目时为 409；市科协为 403。",
                {
                    "201": json_response("已报送", "BatchView"),
                    **errors(401, 403, 404, 409, 413, 415, 422),
                    "503": json_response("媒体服务暂时未应答（材料的校验值无法取得）", "Error"),
                },
                body=json_body("BatchBody"),
            ),
            "get": operation(
                TAG, "list_batches", "报送批次列表", "区县科协：本区县的；市科协：全部。由新到旧。",
                {"200": json_response("报送批次", list_of(ref("BatchItem"))),
                 **errors(401, 403, 422)},
                parameters=[text_param("call_id", "只列该征集的批次", minLength=1,
                                       maxLength=100)],
            ),
        },
    )  # fmt: skip
    api.path(
        path="/api/v1/batches/{batch_id}",
        parameters=[bid],
        operations={"get": operation(
            TAG, "get_batch", "报送批次及其清单",
            "区县科协只能查看本区县的批次（其他区县的为 404）。",
            {"200": json_response("报送批次", "BatchView"), **errors(401, 403, 404)},
        )},
    )  # fmt: skip
    api.path(
        path="/api/v1/batches/{batch_id}/letter.pdf",
        parameters=[bid],
        operations={"get": operation(
            TAG, "batch_letter_pdf", "报送函（PDF，可打印盖章）",
            "《关于报送“科创会”科创项目的函》：由区县科协报巴中市科协，列出项目"
            "（序号、项目名称、类别、材料数）、合计、报送清单的 SHA-256 和核验地址的二维码，"
            "带签章栏；A4，嵌入中文字体，带页码。",
            {"200": file_response("报送函 PDF", "application/pdf",
                                  "attachment; filename*=UTF-8''报送函-….pdf"),
             **errors(401, 403, 404, 503)},
        )},
    )  # fmt: skip
    sha256 = parameter(
        "query",
        "sha256",
        "要核验的报送清单 SHA-256（64 位十六进制）",
        {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
        required=True,
    )
    api.path(
        path="/api/v1/batches/{batch_id}/verify",
        parameters=[bid],
        operations={"get": operation(
            TAG, "verify_batch", "核验报送清单（报送函上的二维码，无需令牌）",
            "所给 SHA-256 是否即该批次记录的报送清单的 SHA-256。无需令牌：报送函"
            "上的二维码由收函方扫描；只答核验结果和函上已印的内容（区县、时间、项目数、记录的"
            "SHA-256），不答清单本身。",
            {"200": json_response("核验结果", "BatchVerification"), **errors(404, 422)},
            parameters=[sha256], public=True,
        )},
    )  # fmt: skip
