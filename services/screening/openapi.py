"""Screening's part of the OpenAPI 3 document: an entry's screening, staff's review and the
city's selection. Request bodies are screening's own schemas (`services.screening.schemas`);
the response schemas below describe `commands.screening_body`; the city's recommendation to
the province (推荐省级) is in `_add_recommendation`. Assembled by `ops.openapi`."""

from __future__ import annotations

from typing import Any, get_args

from apispec import APISpec
from marshmallow import Schema, fields

from services.screening.domain.rules import Outcome
from services.screening.schemas import (
    RecommendationBody,
    ReviewBody,
    SelectionBody,
    WithdrawalBody,
)
from shared.catalog.vocabulary import SCREENING_STATES
from shared.openapi import (
    add_health,
    add_schemas,
    errors,
    json_body,
    json_response,
    operation,
    parameter,
    path_param,
)

TAG = "screening"
STATES = list(SCREENING_STATES)


class Finding(Schema):
    rule = fields.String(required=True, metadata={"description": "规则名"})
    clause = fields.String(
        required=True, metadata={"description": "征集通知的条款", "example": "二(一)6⑦"}
    )
    outcome = fields.String(required=True, metadata={"enum": list(get_args(Outcome))})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    message_en = fields.String(allow_none=True, metadata={"description": "英文说明（可无）"})


class Decision(Schema):
    decision = fields.String(required=True)
    note = fields.String()
    by = fields.String(metadata={"description": "作出决定的人"})
    at = fields.DateTime()
    lapsed = fields.Boolean(
        metadata={"description": "遴选因项目提交后被修改或被区县撤回而失效（仅 selection）"}
    )


class Recommendation(Schema):
    rank = fields.Integer(required=True, metadata={"description": "推荐排序（同一征集内唯一）"})
    reason = fields.String(required=True, metadata={"description": "推荐理由"})
    by = fields.String(metadata={"description": "推荐人"})
    at = fields.DateTime()


class ScreeningView(Schema):
    submission_id = fields.UUID(required=True)
    state = fields.String(
        required=True,
        metadata={
            "enum": STATES,
            "description": "pending 待筛查，incomplete 待补充，in_review 待审核，"
            "eligible 符合条件，ineligible 不符合条件",
        },
    )
    ruleset = fields.String(allow_none=True, metadata={"description": "所用的规则集"})
    findings = fields.List(fields.Nested(Finding), required=True)
    priority = fields.Boolean(required=True, metadata={"description": "是否优先（只影响排序）"})
    window_closed = fields.Boolean(metadata={"description": "征集是否已截止"})
    entry_status = fields.String(allow_none=True, metadata={"description": "申报方的状态"})
    review = fields.Nested(Decision, allow_none=True, metadata={"description": "审核结论"})
    selection = fields.Nested(Decision, allow_none=True, metadata={"description": "遴选结论"})
    recommendation = fields.Nested(
        Recommendation, allow_none=True, metadata={"description": "推荐省级（无则为 null）"}
    )
    version = fields.Integer(required=True)
    forwarded = fields.Dict(
        allow_none=True,
        metadata={
            "description": "报送该项目的区县批次：batch_id、number（第几批）、version（报送时的"
            "版本）、materials、changed（报送后已修改）；未报送为 null"
        },
    )
    entry_version = fields.Integer(
        metadata={
            "description": "筛查已处理到的申报项目版本（即项目的 version）；"
            "审核、遴选、推荐时放入 If-Match"
        }
    )


def add_paths(api: APISpec) -> None:
    """Screening's tag, schemas and paths."""
    api.tag({"name": TAG, "description": "资格审查：按征集通知筛查、市科协审核与遴选"})
    add_schemas(api, {
        "Finding": Finding, "Decision": Decision, "Recommendation": Recommendation,
        "ScreeningView": ScreeningView,
        "ReviewBody": ReviewBody, "SelectionBody": SelectionBody,
        "RecommendationBody": RecommendationBody,
        "RecommendationWithdrawal": WithdrawalBody,
    })  # fmt: skip
    view = json_response("筛查结果", "ScreeningView")
    sid = path_param("submission_id", "申报项目的 id")
    seen = parameter(
        "header",
        "If-Match",
        "所见的申报项目版本（项目的 version）。筛查尚未处理该版本，或项目已修改到更新的版本时，"
        "409 version_conflict（请刷新后重试），错误体的 current_version 为筛查已处理的版本；"
        "省略时按筛查已处理的版本决定",
        {"type": "string", "pattern": r'^[ \t]*(W/)?"?[0-9]+"?[ \t]*$'},
    )
    base = "/api/v1/screenings/{submission_id}"
    api.path(
        path=base,
        parameters=[sid],
        operations={
            "get": operation(
                TAG,
                "get_screening",
                "查看筛查结果",
                "区县科协只看本区县的项目，市科协看全部。",
                {"200": view, **errors(401, 403, 404)},
            )
        },
    )
    decide: dict[str, Any] = {"200": view, **errors(401, 403, 404, 409, 413, 415, 422)}
    for action, operation_id, summary, description, body in (
        ("review", "review_screening", "审核（市科协）",
         "对待审核（in_review）的项目给出结论：eligible 或 ineligible。", "ReviewBody"),
        ("selection", "select_screening", "遴选（市科协）",
         "selected 只能给符合条件（eligible）、且由区县汇总报送（报送时的版本）的项目："
         "未报送或报送后已修改的项目 409 invalid_state（请区县报送补充批次）；"
         "not_selected 可给任何已筛查的项目。"
         "已撤回的项目不能遴选（409 invalid_state），撤回前的遴选随撤回失效。",
         "SelectionBody"),
    ):  # fmt: skip
        api.path(
            path=f"{base}/{action}",
            parameters=[sid, seen],
            operations={
                "post": operation(
                    TAG, operation_id, summary, description, decide, body=json_body(body)
                )
            },
        )
    _add_recommendation(api, base, sid, decide, seen)
    add_health(api, TAG)


def _add_recommendation(
    api: APISpec, base: str, sid: dict[str, Any], decide: dict[str, Any], seen: dict[str, Any]
) -> None:
    """推荐省级: the city recommends a selected entry to the province, or withdraws it."""
    api.path(
        path=f"{base}/recommendation",
        parameters=[sid],
        operations={
            "post": operation(
                TAG,
                "recommend_screening",
                "推荐省级（市科协）",
                "只能推荐已入选（selected）、且按报送时的版本报送的项目（否则 409 invalid_state，"
                "报送后已修改的请区县报送补充批次）；"
                "推荐排序在同一征集内唯一，已被其他项目占用时 409 invalid_state，"
                "错误体的 holder 为占用该排序的项目 id。再次提交即修改排序或理由。"
                "遴选失效或改为未入选时，推荐随之撤销（RecommendationWithdrawn，lapsed）。",
                decide,
                body=json_body("RecommendationBody"),
                parameters=[seen],
            ),
            "delete": operation(
                TAG,
                "withdraw_recommendation",
                "撤销推荐省级（市科协）",
                "请求体可省略；未被推荐的项目 409 invalid_state。",
                decide,
                body=json_body("RecommendationWithdrawal", required=False),
            ),
        },
    )
