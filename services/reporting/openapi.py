"""Reporting's part of the OpenAPI 3 document: the summary, the entries (JSON, xlsx, csv, pdf) and
the lag. The filters are reporting's own query schemas (`queries.FilterSchema`, `ListSchema`);
the response schemas below describe what `queries.Reports` answers with. Assembled by
`ops.openapi`."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.reporting.queries import FilterSchema, ListSchema
from shared.catalog.vocabulary import (
    CATEGORIES,
    CATEGORY_LABELS,
    MATERIAL_KINDS,
    MATERIAL_STATUSES,
    SELECTIONS,
    STATE_LABELS,
    STATES,
)
from shared.openapi import add_health, errors, json_content, page_of, paging_params, ref

TAG = "reporting"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATE_NAMES = "；".join(f"{k} {v}" for k, v in STATE_LABELS.items())

StateCounts = Schema.from_dict(
    {state: fields.Integer(required=True) for state in STATES}, name="StateCounts"
)


class DistrictSummary(Schema):
    district = fields.String(required=True)
    totals = fields.Nested(StateCounts, required=True, metadata={"description": "本区县各状态合计"})
    categories = fields.Dict(
        keys=fields.String(metadata={"enum": list(CATEGORIES)}),
        values=fields.Nested(StateCounts),
        required=True,
        metadata={"description": "类别 → 各状态的项目数"},
    )


class Summary(Schema):
    as_of = fields.DateTime(required=True)
    total = fields.Integer(required=True)
    totals = fields.Nested(StateCounts, required=True, metadata={"description": "各状态合计"})
    districts = fields.List(fields.Nested(DistrictSummary), required=True)


class ReportApplicant(Schema):
    name = fields.String(allow_none=True)
    type = fields.String(allow_none=True, metadata={"description": "申报单位类型（回执的代码）"})
    region_code = fields.String(
        allow_none=True,
        metadata={"description": "所在地的行政区划代码（GB/T 2260）", "example": "511902"},
    )
    location = fields.String(
        metadata={
            "description": "所在地全称（由代码得出；没有代码的旧项目为当时填写的地名）",
            "example": "四川省巴中市巴州区",
        }
    )


class ReportLead(Schema):
    name = fields.String(metadata={"description": "项目负责人姓名"})
    affiliation = fields.String(metadata={"description": "项目负责人所在单位"})


class NameAndPhone(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class EntryMaterial(Schema):
    material_id = fields.UUID(required=True)
    kind = fields.String(required=True, metadata={"enum": list(MATERIAL_KINDS)})
    filename = fields.String()
    status = fields.String(required=True, metadata={"enum": list(MATERIAL_STATUSES)})


class ReportEntry(Schema):
    submission_id = fields.UUID(required=True)
    district = fields.String(allow_none=True)
    category = fields.String(allow_none=True, metadata={"enum": list(CATEGORIES)})
    title = fields.String(allow_none=True)
    platform_listing_id = fields.String(metadata={"description": "天府科技云平台发布编号"})
    applicant = fields.Nested(ReportApplicant)
    lead = fields.Nested(
        ReportLead,
        allow_none=True,
        metadata={"description": "项目负责人（科技成果转化、高新技术推广项目）；未填为 null"},
    )
    tech_level = fields.String(
        allow_none=True,
        metadata={"description": "技术水平（回执的代码，如 international_leading）"},
    )
    contact = fields.Nested(NameAndPhone)
    state = fields.String(
        required=True, metadata={"enum": list(STATES), "description": f"总体状态：{STATE_NAMES}"}
    )
    status = fields.String(metadata={"description": "申报方的状态（draft、submitted、withdrawn）"})
    screening_state = fields.String(allow_none=True, metadata={"description": "筛查状态"})
    findings_count = fields.Integer(
        metadata={"description": "筛查发现的问题数：不符合（fail）和缺材料（missing）的条目"}
    )
    review_count = fields.Integer(
        metadata={
            "description": "待人工审核的条目数（review）；"
            "项目已符合或不符合条件时为 0（已审核或无须审核）"
        }
    )
    priority = fields.Boolean(
        allow_none=True, metadata={"description": "优先支持（二(二)3）；尚未筛查为 null"}
    )
    materials = fields.List(fields.Nested(EntryMaterial))
    officer = fields.Nested(NameAndPhone, allow_none=True, metadata={"description": "保姆"})
    selection = fields.String(allow_none=True, metadata={"enum": list(SELECTIONS)})
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    submitted_by = fields.String(
        allow_none=True,
        metadata={
            "description": "填报人：提交项目的人，如 张三（巴州区科协）；以服务令牌提交的为 null"
        },
    )


class SourceLag(Schema):
    source = fields.String(required=True, metadata={"description": "事件来源（服务名）"})
    position = fields.Integer(required=True, metadata={"description": "报表已处理到的位置"})
    head = fields.Integer(required=True, metadata={"description": "来源的最新位置"})
    head_from = fields.String(
        required=True,
        metadata={"enum": ["owner", "last_seen"], "description": "last_seen：来源未应答"},
    )
    head_exact = fields.Boolean(required=True)
    behind = fields.Integer(required=True, metadata={"description": "落后的事件数"})


class Lag(Schema):
    as_of = fields.DateTime(required=True)
    generation = fields.Integer(required=True, metadata={"description": "报表投影的代数"})
    sources = fields.List(fields.Nested(SourceLag), required=True)


def _download(content_type: str, what: str) -> dict[str, Any]:
    return {
        "description": f"汇总表（{what}，中文表头）",
        "headers": {
            "Content-Disposition": {
                "description": "attachment; filename*=UTF-8''汇总表.…",
                "schema": {"type": "string"},
            }
        },
        "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
    }


FILTERS = {
    "district": "区县（市科协用；区县科协只能看本区县）",
    "category": "类别：" + "；".join(f"{k} {v}" for k, v in CATEGORY_LABELS.items()),
    "state": "总体状态",
    "q": "在项目名称和申报单位中查找",
    "sort": "排序：created_at 按创建时间（默认，先旧后新），updated_at 按最后更新时间；"
    "前加 - 为先新后旧",
}


def _filters(api: APISpec, schema: type[FilterSchema]) -> list[dict[str, Any]]:
    """The query parameters of one of reporting's own schemas, with Chinese descriptions."""
    plugin = next(p for p in api.plugins if isinstance(p, MarshmallowPlugin))
    assert plugin.converter is not None
    params = plugin.converter.schema2parameters(schema, location="query")
    return [{**p, "description": FILTERS[p["name"]]} for p in params]


def add_paths(api: APISpec) -> None:
    """Reporting's tag, schemas and paths."""
    api.tag(
        {"name": TAG, "description": "报表：按区县、类别、状态的汇总，项目清单及其导出，同步进度"}
    )
    for name, schema in {
        "StateCounts": StateCounts, "DistrictSummary": DistrictSummary, "Summary": Summary,
        "ReportEntry": ReportEntry, "SourceLag": SourceLag, "Lag": Lag,
    }.items():  # fmt: skip
        api.components.schema(name, schema=schema)
    filters = _filters(api, ListSchema)  # the summary takes the district of these
    who = "市科协看全部（可用 district 筛选）；区县科协只看本区县。"
    base = "/api/v1/reports"
    api.path(
        path=f"{base}/summary",
        operations={
            "get": {
                "tags": [TAG],
                "operationId": "report_summary",
                "summary": "汇总：区县 × 类别 × 状态的项目数",
                "description": who,
                "parameters": [p for p in filters if p["name"] == "district"],
                "responses": {
                    "200": {"description": "汇总", **json_content("Summary")},
                    **errors(401, 403, 422),
                },
            }
        },
    )
    api.path(
        path=f"{base}/entries",
        operations={
            "get": {
                "tags": [TAG],
                "operationId": "report_entries",
                "summary": "项目清单（每个项目一行，含最新状态）",
                "description": who + "q 在项目名称和申报单位中查找。",
                "parameters": filters + paging_params(),
                "responses": {
                    "200": {"description": "分页列表", **json_content(page_of(ref("ReportEntry")))},
                    **errors(401, 403, 422),
                },
            }
        },
    )
    exports = (
        ("xlsx", XLSX, "Excel，可直接打印：标题、填报单位、填报日期、横向 A4、每页表头、页码"),
        ("csv", "text/csv", "CSV"),
        ("pdf", "application/pdf", "PDF，与 Excel 的汇总表相同，可直接打印盖章"),
    )
    for suffix, content_type, what in exports:
        api.path(
            path=f"{base}/entries.{suffix}",
            operations={
                "get": {
                    "tags": [TAG],
                    "operationId": f"report_entries_{suffix}",
                    "summary": f"导出汇总表（{what.partition('，')[0]}）",
                    "description": who + "筛选条件同项目清单。",
                    "parameters": filters,
                    "responses": {"200": _download(content_type, what), **errors(401, 403, 422)},
                }
            },
        )
    api.path(
        path=f"{base}/lag",
        operations={
            "get": {
                "tags": [TAG],
                "operationId": "report_lag",
                "summary": "同步进度（运维人员、市科协）",
                "description": "各事件来源的最新位置和报表已处理到的位置。",
                "responses": {
                    "200": {"description": "同步进度", **json_content("Lag")},
                    **errors(401, 403),
                },
            }
        },
    )
    add_health(api, TAG)
