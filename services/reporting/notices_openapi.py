"""The notices' part of reporting's OpenAPI paths (`GET /api/v1/notices`, `POST …/{id}/read`,
`GET …/outbox`); called by `openapi.add_paths`. The shapes are what `inbox.Inbox` answers."""

from __future__ import annotations

from apispec import APISpec
from marshmallow import Schema, fields

from services.reporting.domain.notices import KINDS
from services.reporting.inbox import OUTBOX_LABELS
from shared.openapi import (
    add_schemas,
    errors,
    json_response,
    operation,
    page_of,
    paging_params,
    parameter,
    path_param,
    ref,
)

TAG = "reporting"
BASE = "/api/v1/notices"


class Notice(Schema):
    notice_id = fields.UUID(required=True)
    kind = fields.String(
        required=True,
        metadata={
            "enum": list(KINDS),
            "description": "returned 退回修改；extension 逾期补交；screening 审查状态变更；"
            "material_rejected 材料未通过校验；selected 入选；recommended 推荐省级；"
            "deadline 截止提醒；batch_sent 区县汇总报送；resubmitted 退回后重新提交；"
            "lapsed 审核、遴选或推荐因项目此后的修改或撤回而失效；"
            "officer_proposed 区县提议保姆",
        },
    )
    title = fields.String(required=True)
    body = fields.String(required=True)
    submission_id = fields.UUID(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)


class OutboxMail(Schema):
    notice_id = fields.UUID(required=True)
    recipient = fields.String(required=True, metadata={"description": "office:<区县> 或 staff"})
    address = fields.String(required=True)
    subject = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(OUTBOX_LABELS)})
    status_label = fields.String(
        required=True,
        metadata={"description": "待发送、已发送、发送失败；状态不明：发送中断，是否送达未知"},
    )
    attempts = fields.Integer(required=True)
    error = fields.String(allow_none=True, required=True)
    sent_at = fields.DateTime(allow_none=True, required=True)


def add_notice_paths(api: APISpec) -> None:
    add_schemas(api, {"Notice": Notice, "OutboxMail": OutboxMail})
    inbox = page_of(ref("Notice"))
    inbox["required"] = [*inbox["required"], "unread_count"]
    inbox["properties"]["unread_count"] = {"type": "integer", "description": "未读通知数"}
    unread = parameter("query", "unread", "true：只列未读", {"type": "boolean"})
    api.path(
        path=BASE,
        operations={
            "get": operation(
                TAG,
                "notices",
                "通知（本人的收件箱：未读在前，新的在前）",
                "区县科协看本区县的通知，市科协看市科协的通知。",
                {"200": json_response("分页列表及未读数", inbox), **errors(401, 403, 422)},
                parameters=[unread, *paging_params()],
            )
        },
    )
    api.path(
        path=f"{BASE}/{{notice_id}}/read",
        operations={
            "post": operation(
                TAG,
                "notice_read",
                "标为已读",
                "别人的通知答 404。再次标记保留第一次的时间。",
                {"200": json_response("该通知", "Notice"), **errors(401, 403, 404)},
                parameters=[path_param("notice_id", "通知编号")],
            )
        },
    )
    api.path(
        path=f"{BASE}/outbox",
        operations={
            "get": operation(
                TAG,
                "notice_outbox",
                "通知邮件的发送情况（市科协）",
                "设置了 KECHUANG_SMTP_URL 时通知也发邮件，每封至多发送一次；"
                "发送中断的为“状态不明”，不再重发，请向收件人核实。",
                {
                    "200": json_response("分页列表", page_of(ref("OutboxMail"))),
                    **errors(401, 403, 422),
                },
                parameters=paging_params(),
            )
        },
    )
