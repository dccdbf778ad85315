"""Reporting's part of the OpenAPI 3 document: the summary, the entries (JSON, xlsx, csv, pdf) and
the lag. The filters are reporting's own query schemas (`queries.FilterSchema`, `ListSchema`);
the response schemas below describe what `queries.Reports` answers with. Assembled by
`ops.openapi`."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.reporting.notices_openapi import add_notice_paths
from services.reporting.queries import FilterSchema, ListSchema
from shared.catalog.access import DOCUMENTS
from shared.catalog.vocabulary import (
    CATEGORIES,
    CATEGORY_LABELS,
    MATERIAL_KINDS,
    MATERIAL_STATUSES,
    SELECTIONS,
    STATE_LABELS,
    STATES,
)
from shared.openapi import (
    add_health,
    add_schemas,
    errors,
    file_response,
    json_response,
    operation,
    page_of,
    paging_params,
    parameter,
    ref,
)

TAG = "reporting"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATE_NAMES = "；".join(f"{k} {v}" for k, v in STATE_LABELS.items())

StateCounts = Schema.from_dict(
    {state: fields.Integer(required=True) for state in STATES}, name="StateCounts"
)


class OfficerCoverage(Schema):
    entries = fields.Integer(
        required=True, metadata={"description": "已报项目数（已提交或退回修改）"}
    )
    assigned = fields.Integer(required=True, metadata={"description": "其中已有保姆的项目数"})


class DistrictSummary(Schema):
    district = fields.String(required=True)
    totals = fields.Nested(StateCounts, required=True, metadata={"description": "本区县各状态合计"})
    categories = fields.Dict(
        keys=fields.String(metadata={"enum": list(CATEGORIES)}),
        values=fields.Nested(StateCounts),
        required=True,
        metadata={"description": "类别 → 各状态的项目数"},
    )
    officers = fields.Nested(OfficerCoverage, metadata={"description": "本区县的保姆覆盖"})


class Summary(Schema):
    as_of = fields.DateTime(required=True)
    total = fields.Integer(required=True)
    totals = fields.Nested(StateCounts, required=True, metadata={"description": "各状态合计"})
    districts = fields.List(fields.Nested(DistrictSummary), required=True)
    officers = fields.Nested(OfficerCoverage, metadata={"description": "全市的保姆覆盖"})


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
    recommendation_rank = fields.Integer(
        allow_none=True, metadata={"description": "推荐省级的排序；未推荐为 null"}
    )
    recommendation_reason = fields.String(metadata={"description": "推荐理由；未推荐为空"})
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    # The district's batch (汇总报送).
    batch = fields.Integer(
        allow_none=True,
        metadata={"description": "最近一次报送本项目的批次号（第N批）；未报送为 null"},
    )
    changed_after_batch = fields.Boolean(
        metadata={"description": "报送后已修改：报送后项目被修改、撤回，或已存储的材料有增删"}
    )
    extended_until = fields.DateTime(
        allow_none=True,
        metadata={"description": "延期至：适用于该项目的最晚逾期补交期限（本区县的或本项目的）"},
    )
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
    return file_response(
        f"汇总表（{what}，中文表头）", content_type, "attachment; filename*=UTF-8''汇总表.…"
    )


FILTERS = {
    "district": "区县（市科协用；区县科协只能看本区县）",
    "category": "类别：" + "；".join(f"{k} {v}" for k, v in CATEGORY_LABELS.items()),
    "state": "总体状态",
    "q": "在项目名称和申报单位中查找",
    "sort": "排序：created_at 按创建时间（默认，先旧后新），updated_at 按最后更新时间；"
    "前加 - 为先新后旧；recommendation_rank 按推荐排序（未推荐的在后）；"
    "-priority 二(二)3 优先支持的在前（其余其次，未筛查的在后，各自先旧后新）",
    "recommended": "true 只列推荐省级的项目，false 只列未推荐的",
}


def _filters(api: APISpec, schema: type[FilterSchema]) -> list[dict[str, Any]]:
    """The query parameters of one of reporting's own schemas, with Chinese descriptions."""
    plugin = next(p for p in api.plugins if isinstance(p, MarshmallowPlugin))
    assert plugin.converter is not None
    params = plugin.converter.schema2parameters(schema, location="query")
    return [{**p, "description": FILTERS[p["name"]]} for p in params]


class Reader(Schema):
    role = fields.String(required=True)
    subject = fields.String(required=True)
    district = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    name = fields.String(
        required=True, metadata={"description": "张三（市科协）；服务令牌为其主体"}
    )


class PersonalDataRead(Schema):
    at = fields.DateTime(required=True)
    document = fields.String(required=True, metadata={"enum": sorted(DOCUMENTS)})
    document_label = fields.String(required=True)
    scope = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    address = fields.String(allow_none=True, metadata={"description": "下载者的地址"})
    who = fields.Nested(Reader, required=True)


def add_paths(api: APISpec) -> None:
    """Reporting's tag, schemas and paths."""
    api.tag(
        {"name": TAG, "description": "报表：按区县、类别、状态的汇总，项目清单及其导出，同步进度"}
    )
    add_schemas(api, {
        "StateCounts": StateCounts, "DistrictSummary": DistrictSummary, "Summary": Summary,
        "ReportEntry": ReportEntry, "SourceLag": SourceLag, "Lag": Lag,
        "PersonalDataRead": PersonalDataRead,
    })  # fmt: skip
    filters = _filters(api, ListSchema)  # the summary takes the district of these
    who = "市科协看全部（可用 district 筛选）；区县科协只看本区县。"
    base = "/api/v1/reports"
    api.path(
        path=f"{base}/summary",
        operations={
            "get": operation(
                TAG,
                "report_summary",
                "汇总：区县 × 类别 × 状态的项目数",
                who,
                {"200": json_response("汇总", "Summary"), **errors(401, 403, 422)},
                parameters=[p for p in filters if p["name"] == "district"],
            )
        },
    )
    api.path(
        path=f"{base}/entries",
        operations={
            "get": operation(
                TAG,
                "report_entries",
                "项目清单（每个项目一行，含最新状态）",
                who + "q 在项目名称和申报单位中查找。",
                {
                    "200": json_response("分页列表", page_of(ref("ReportEntry"))),
                    **errors(401, 403, 422),
                },
                parameters=filters + paging_params(),
            )
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
                "get": operation(
                    TAG,
                    f"report_entries_{suffix}",
                    f"导出汇总表（{what.partition('，')[0]}）",
                    who + "筛选条件同项目清单。",
                    {
                        "200": _download(content_type, what),
                        **errors(401, 403, 422, *([503] if suffix == "pdf" else [])),
                    },
                    parameters=filters,
                )
            },
        )
    api.path(
        path=f"{base}/lag",
        operations={
            "get": operation(
                TAG,
                "report_lag",
                "同步进度（运维人员、市科协）",
                "各事件来源的最新位置和报表已处理到的位置。",
                {"200": json_response("同步进度", "Lag"), **errors(401, 403)},
            )
        },
    )
    api.path(
        path=f"{base}/access",
        operations={
            "get": operation(
                TAG,
                "personal_data_reads",
                "个人信息下载记录（管理员）",
                "含联系人电话、邮箱的文件（汇总表、推荐省级材料包、推荐函、回执）每次下载的记录："
                "何时、何人、哪份文件、范围，最新在前。仅市科协管理员与运维人员可看。",
                {"200": {"description": "下载记录", "content": {"application/json": {
                    "schema": page_of(ref("PersonalDataRead"))}}}, **errors(401, 403, 422)},
                parameters=paging_params(),
            )
        },
    )  # fmt: skip
    add_notice_paths(api)  # notices (通知): services/reporting/notices_openapi.py
    _add_recommendations(api, base)
    add_health(api, TAG)


def _add_recommendations(api: APISpec, base: str) -> None:
    """推荐省级: the province package and the recommendation letter (staff)."""
    call_id = parameter(
        "query",
        "call_id",
        "征集 id；推荐项目分属多个征集时必填（推荐排序在征集内唯一）",
        {"type": "string", "maxLength": 100},
        required=False,
    )
    for path, operation_id, summary, description, content_type in (
        ("recommendations.zip", "report_recommendations_zip", "省级材料包（市科协）",
         "推荐省级项目的材料包，边读边发（不整体载入内存），带 Content-Length："
         "manifest.json（每个文件的路径、大小、SHA-256；材料的 SHA-256 即媒体服务校验所得，"
         "以及推荐函所引的清单摘要 table_sha256）、汇总表.xlsx（只含推荐项目，按推荐排序）、"
         "推荐函.pdf、materials/<推荐排序>-<项目名称>/<文件名>。"
         "已校验但存储中已找不到（或不完整）的材料不打包，列在 manifest.json 的 missing 中。"
         "某材料读出的 SHA-256 与校验值不符时下载中止（连接在 Content-Length 之前关闭，"
         "zip 不完整），并记录错误日志。尚无推荐项目时 409 invalid_state。",
         "application/zip"),
        ("recommendations/letter.pdf", "report_recommendations_letter", "推荐函（市科协）",
         "《关于推荐“科创会”优秀科创项目的函》：巴中市科协致四川省科协，推荐项目表（推荐排序、"
         "项目名称、类别、所属区县、推荐理由），推荐清单摘要（SHA-256，算法见材料包 "
         "manifest.json），签章栏；A4，中文字体内嵌，页码。",
         "application/pdf"),
    ):  # fmt: skip
        api.path(
            path=f"{base}/{path}",
            operations={
                "get": operation(
                    TAG,
                    operation_id,
                    summary,
                    description,
                    {
                        "200": file_response(summary, content_type),
                        **errors(401, 403, 409, 422, 503),
                    },
                    parameters=[call_id],
                )
            },
        )
