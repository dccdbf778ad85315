"""Matching's part of the OpenAPI 3 document: an entry's matches, staff's decision on one, the
near-duplicate pairs and the matches table (xlsx). The request body is matching's own schema
(`queries.DecisionSchema`); the response schemas describe what `queries.Matching` answers with.
Assembled by `ops.openapi`."""

from __future__ import annotations

from apispec import APISpec
from marshmallow import Schema, fields

from services.matching.queries import (
    MAX_LIMIT,
    REPORTED,
    DecisionSchema,
    DuplicateDecisionSchema,
)
from shared.catalog.matching import DECISIONS, DUPLICATE_DECISIONS
from shared.catalog.vocabulary import CATEGORIES
from shared.openapi import (
    add_health,
    add_schemas,
    errors,
    file_response,
    int_param,
    json_body,
    json_response,
    operation,
    page_of,
    paging_params,
    path_param,
    ref,
)

TAG = "matching"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MatchEntry(Schema):
    submission_id = fields.UUID(required=True)
    category = fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    title = fields.String(required=True)
    district = fields.String(required=True)
    call_id = fields.String(required=True)
    applicant_name = fields.String(required=True, metadata={"description": "申报单位名称"})


class MatchReasons(Schema):
    terms = fields.List(
        fields.String(), required=True, metadata={"description": "共同词语，越少见的越靠前"}
    )
    industry_codes = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "共同的行业（GB/T 4754-2017）：同一大类，否则同一门类"},
    )
    cooperation_mode = fields.String(
        allow_none=True,
        metadata={"description": "难题方的合作方式，与成果、推广项目相容时给出"},
    )
    city = fields.String(allow_none=True, metadata={"description": "双方同在的市（州）"})
    semantic_link = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "语义相近的一对词（本项目的词，对方的词），找到时给出"},
    )


class Match(MatchEntry):
    score = fields.Float(
        required=True,
        metadata={
            "description": "0 到 1 的绝对相关度（不相对于本列表最相关者）：语义相似度与"
            "共同词语（BM25）的加权，按验证集校准，约等于同分数段中真正对接的比例"
        },
    )
    band = fields.String(
        required=True,
        metadata={
            "enum": ["强", "中", "弱"],
            "description": "匹配度：强 ≥ 0.5，中 ≥ 0.15，弱 ≥ 0.05",
        },
    )
    semantic = fields.Float(
        required=True, metadata={"description": "语义相似度（句向量余弦，0 为无向量）"}
    )
    explanation = fields.String(
        required=True,
        metadata={"example": "共同词语：秸秆、饲料；同属行业：农、林、牧、渔业；同在巴中市"},
    )
    reasons = fields.Nested(MatchReasons, required=True)
    decision = fields.String(
        allow_none=True,
        metadata={"enum": ["confirmed"], "description": "confirmed：已确认对接成功"},
    )


class Matches(MatchEntry):
    side = fields.String(
        required=True,
        metadata={
            "enum": ["need", "offer"],
            "description": "need：科技难题；offer：成果、推广、金融",
        },
    )
    verdict = fields.String(
        required=True,
        metadata={
            "enum": ["matched", "no_good_match"],
            "description": "no_good_match：没有匹配度为强或中的项目",
        },
    )
    message = fields.String(
        required=True, metadata={"example": "暂无较好的匹配：最接近的项目相关度低，未予列出"}
    )
    items = fields.List(fields.Nested(Match), required=True)


class Decision(Schema):
    challenge_id = fields.UUID(required=True)
    offer_id = fields.UUID(required=True)
    decision = fields.String(required=True, metadata={"enum": list(DECISIONS)})
    note = fields.String(required=True)
    decided_by = fields.String(required=True)
    decided_at = fields.DateTime(required=True)


class DuplicateMark(Schema):
    decision = fields.String(required=True, metadata={"enum": list(DUPLICATE_DECISIONS)})
    submission_id = fields.UUID(
        required=True, metadata={"description": "duplicate_of 时为重复（后交）的一方"}
    )
    other_id = fields.UUID(required=True)
    note = fields.String(required=True)


class DuplicateDecision(DuplicateMark):
    decided_by = fields.String(required=True)
    decided_at = fields.DateTime(required=True)


class DuplicatePair(Schema):
    a = fields.Nested(MatchEntry, required=True)
    b = fields.Nested(MatchEntry, required=True)
    similarity = fields.Float(
        required=True, metadata={"description": "全文（名称、简介、效益）三字片段的 Jaccard 相似度"}
    )
    title_similarity = fields.Float(required=True, metadata={"description": "名称的编辑相似度"})
    fields_ = fields.List(
        fields.String(metadata={"enum": ["title", "summary", "benefits"]}),
        required=True,
        data_key="fields",
        metadata={"description": "相似的字段"},
    )
    decision = fields.Nested(
        DuplicateMark,
        allow_none=True,
        required=True,
        metadata={"description": "市科协的认定；尚未认定时为 null"},
    )


def add_paths(api: APISpec) -> None:
    """Matching's tag, schemas and paths."""
    api.tag(
        {"name": TAG, "description": "供需对接：难题与成果、推广、金融产品的匹配；疑似重复申报"}
    )
    add_schemas(api, {
        "MatchEntry": MatchEntry, "MatchReasons": MatchReasons, "Match": Match,
        "Matches": Matches, "MatchDecisionBody": DecisionSchema, "MatchDecision": Decision,
        "DuplicateMark": DuplicateMark, "DuplicatePair": DuplicatePair,
        "DuplicateDecisionBody": DuplicateDecisionSchema, "DuplicateDecision": DuplicateDecision,
    })  # fmt: skip
    entry = path_param("submission_id", "项目 ID（科技难题，或成果、推广、金融产品）")
    api.path(
        path="/api/v1/matches/{submission_id}",
        operations={
            "get": operation(
                TAG,
                "get_matches",
                "项目的供需对接",
                "科技难题：可能解决它的成果、推广项目和金融产品；成果、推广、金融："
                "它可能解决的难题。跨区县、跨征集，只列已提交（未撤回）的项目，已排除的不列。"
                "区县科协只能查本区县的项目（否则 404），市科协可查全部。",
                {
                    "200": json_response("按相关度从高到低", "Matches"),
                    **errors(401, 403, 404, 422),
                },
                parameters=[
                    entry,
                    int_param("limit", "最多返回几条", maximum=MAX_LIMIT, default=10),
                    {
                        "name": "weak",
                        "in": "query",
                        "required": False,
                        "description": "true：也列出匹配度为弱的项目（默认只列强、中）",
                        "schema": {"type": "boolean", "default": False},
                    },
                ],
            )
        },
    )
    api.path(
        path="/api/v1/matches/{submission_id}/{other_id}",
        operations={
            "post": operation(
                TAG,
                "decide_match",
                "确认（对接成功）或排除一条对接（市科协）",
                "两个项目须一为科技难题、一为成果、推广项目或金融产品，顺序不限；"
                "再次决定覆盖前一次。记为 MatchDecided 事件。",
                {
                    "200": json_response("已记录", "MatchDecision"),
                    **errors(401, 403, 404, 413, 415, 422),
                },
                parameters=[entry, path_param("other_id", "另一方的项目 ID")],
                body=json_body(ref("MatchDecisionBody")),
            )
        },
    )
    api.path(
        path="/api/v1/duplicates",
        operations={
            "get": operation(
                TAG,
                "list_duplicates",
                "疑似重复申报（市科协）",
                "已提交的项目中内容高度相似的两两配对（跨区县、跨征集），相似度从高到低。",
                {
                    "200": json_response("分页列表", page_of(ref("DuplicatePair"))),
                    **errors(401, 403, 422),
                },
                parameters=paging_params(),
            )
        },
    )
    api.path(
        path="/api/v1/duplicates/{submission_id}/{other_id}",
        operations={
            "post": operation(
                TAG,
                "mark_duplicate",
                "认定一对疑似重复申报（市科协）",
                "duplicate_of：前一个项目是后一个的重复申报；not_duplicate：不是重复。"
                "再次认定覆盖前一次。记为 DuplicateMarked 事件。",
                {
                    "200": json_response("已记录", "DuplicateDecision"),
                    **errors(401, 403, 404, 413, 415, 422),
                },
                parameters=[
                    path_param("submission_id", "项目 ID（duplicate_of 时为重复的一方）"),
                    path_param("other_id", "另一个项目的 ID"),
                ],
                body=json_body(ref("DuplicateDecisionBody")),
            )
        },
    )
    api.path(
        path="/api/v1/reports/matches.xlsx",
        operations={
            "get": operation(
                TAG,
                "report_matches_xlsx",
                "导出供需对接表（Excel，市科协）",
                f"每个已提交的科技难题一组行：得分最高的 {REPORTED} 个成果、"
                "推广项目或金融产品（已排除的不列），以及其余已确认对接的项目；"
                "每行有得分、匹配理由和对接状态。没有匹配的难题也占一行。",
                {
                    "200": file_response(
                        "供需对接表（中文表头）",
                        XLSX,
                        "attachment; filename*=UTF-8''供需对接表.xlsx",
                    ),
                    **errors(401, 403),
                },
            )
        },
    )
    add_health(api, TAG)
