"""What the notice endpoints answer: one's own inbox, and marking a notice read.

Whose: an office reads `office:<its district>`, staff read `staff`; anyone else has no inbox.
A notice of someone else's is answered like one that does not exist (404), so an office cannot
learn whether another district has notices.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields
from sqlalchemy import Engine, func, select

from services.reporting.adapters import notice_tables as t
from services.reporting.domain.notices import STAFF, office
from shared.auth import Principal
from shared.errors import Refused, not_found, parse_id


class InboxFilter(Schema):
    unread = fields.Boolean(truthy={"true"}, falsy={"false"}, error_messages={
        "invalid": "须为 true 或 false"})  # fmt: skip


def recipient(principal: Principal) -> str:
    if principal.is_staff:
        return STAFF
    if principal.is_office and principal.district:
        return office(principal.district)
    raise Refused("forbidden", "无权查看通知")


def _body(row: Any) -> dict[str, Any]:
    return {
        "notice_id": row.notice_id,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "submission_id": row.submission_id,
        "created_at": row.created_at.isoformat(),
        "read": row.read_at is not None,
        "read_at": row.read_at.isoformat() if row.read_at is not None else None,
    }


class Inbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def page(
        self, principal: Principal, args: dict[str, str], page: int, per_page: int
    ) -> dict[str, Any]:
        whose = recipient(principal)
        try:
            unread_only = InboxFilter().load({k: v for k, v in args.items() if k == "unread"})
        except ValidationError as error:
            raise Refused("validation_failed", "筛选条件无效", error.messages) from None  # type: ignore[arg-type]
        c = t.notices.c
        mine = c.recipient == whose
        listed = select(t.notices).where(mine)
        if unread_only.get("unread"):
            listed = listed.where(c.read_at.is_(None))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(listed.subquery())).scalar_one()
            unread = conn.execute(
                select(func.count()).select_from(t.notices).where(mine, c.read_at.is_(None))
            ).scalar_one()
            rows = conn.execute(
                listed.order_by(
                    c.read_at.is_not(None),  # unread (false) first
                    c.created_at.desc(),
                    c.notice_id.desc(),  # ties: a stable order, so pages never overlap
                )
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        return {
            "items": [_body(row) for row in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
            "unread_count": unread,
        }

    def mark_read(self, principal: Principal, notice_id: str) -> dict[str, Any]:
        whose = recipient(principal)
        notice_id = parse_id(notice_id, "通知")
        c = t.notices.c
        with self.engine.begin() as conn:
            # The first read counts: reading it again keeps the first time.
            conn.execute(
                t.notices.update()
                .where(c.notice_id == notice_id, c.recipient == whose, c.read_at.is_(None))
                .values(read_at=func.now())
            )
            row = conn.execute(
                select(t.notices).where(c.notice_id == notice_id, c.recipient == whose)
            ).first()
        if row is None:
            raise not_found("通知")
        return _body(row)

    def outbox(self, principal: Principal, page: int, per_page: int) -> dict[str, Any]:
        """The e-mails (staff only), newest first, each with its state in Chinese; a claim
        never settled (the sender died mid-send) is 状态不明 (see `adapters.mailer`)."""
        if not principal.is_staff:
            raise Refused("forbidden", "仅市科协工作人员可查看邮件发送情况")
        o = t.outbox.c
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(t.outbox)).scalar_one()
            rows = conn.execute(
                select(t.outbox, t.notices.c.recipient)
                .join(t.notices, t.notices.c.notice_id == o.notice_id)
                .order_by(o.created_at.desc(), o.notice_id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        items = [
            {
                "notice_id": row.notice_id,
                "recipient": row.recipient,
                "address": row.address,
                "subject": row.subject,
                "status": row.status,
                "status_label": OUTBOX_LABELS.get(row.status, row.status),
                "attempts": row.attempts,
                "error": row.error,
                "sent_at": row.sent_at.isoformat() if row.sent_at is not None else None,
            }
            for row in rows
        ]
        return {"items": items, "total": total, "page": page, "per_page": per_page}


# `sending` in the table is a claim not settled: while a sender works it lasts one SMTP
# exchange; one found later is a sender that died mid-send, and nobody knows whether it went.
OUTBOX_LABELS = {"pending": "待发送", "sending": "状态不明", "sent": "已发送", "failed": "发送失败"}
