"""Reporting's notices (通知): the inbox endpoints and the timers, mixed into the service class.

Kept apart from the reports: notices are consumed by their own subscription
(`adapters.notices.NoticeFeed`), derived by `domain.notices`, read by `inbox`, and e-mailed
from the outbox by `adapters.mailer` (the timer here, or a sender process of its own).
"""

from __future__ import annotations

from datetime import UTC, datetime

from nameko.timer import timer
from werkzeug import Request, Response

from services.reporting.adapters import mailer
from services.reporting.adapters.notices import NoticeFeed
from services.reporting.inbox import Inbox
from shared.entrypoints import http
from shared.http import endpoint, json_response, paging
from shared.routes import unrouted

NOTICES = "/api/v1/notices"


class NoticeEndpoints:
    """The notices' part of `ReportingService` (which supplies `authenticate`)."""

    notice_feed = NoticeFeed()

    @timer(interval=60, eager=True)
    def warn_of_deadlines(self) -> None:
        """The deadline warnings are decided by the clock: each minute (and at start)."""
        self.notice_feed.notices.warn_of_deadlines(self.notice_feed.engine, datetime.now(UTC))

    @timer(interval=5)
    def send_mail(self) -> None:
        """E-mail the queued notices (only when KECHUANG_SMTP_URL is set)."""
        if self.notice_feed.smtp is not None:
            mailer.send_pending(self.notice_feed.engine, self.notice_feed.smtp)

    @http("GET", NOTICES)
    @endpoint
    def notices(self, request: Request) -> Response:
        principal = self.authenticate(request)  # type: ignore[attr-defined]
        page, per_page = paging(request)
        inbox = Inbox(self.notice_feed.engine)
        return json_response(inbox.page(principal, request.args.to_dict(), page, per_page))

    @http("POST", f"{NOTICES}/<notice_id>/read")
    @endpoint
    def read_notice(self, request: Request, notice_id: str) -> Response:
        principal = self.authenticate(request)  # type: ignore[attr-defined]
        return json_response(Inbox(self.notice_feed.engine).mark_read(principal, notice_id))

    @http("GET", f"{NOTICES}/outbox")
    @endpoint
    def notice_outbox(self, request: Request) -> Response:
        principal = self.authenticate(request)  # type: ignore[attr-defined]
        page, per_page = paging(request)
        return json_response(Inbox(self.notice_feed.engine).outbox(principal, page, per_page))

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", f"{NOTICES}/<path:anything>")
    @endpoint
    def unknown_notice(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)
