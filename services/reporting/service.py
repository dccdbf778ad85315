"""Reporting: projections of every event, the roll-up (汇总) and its exports. Owns no stream.

The nameko class is thin: events go through the idempotent subscription into
`adapters.live.apply_many` (catch-up on a timer and at start); each endpoint authenticates, calls
`queries.Reports` and answers in the documented shape (`shared.http.endpoint`). Rebuilding the
projection is the operator's `kechuang rebuild reporting` (`adapters.rebuild`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import quote

from nameko.timer import timer
from sqlalchemy import Engine
from werkzeug import Request, Response

import shared.catalog  # noqa: F401  (registers the event types)
from services.reporting.access import AccessEndpoints
from services.reporting.adapters import export, live
from services.reporting.adapters.media import MediaMaterials
from services.reporting.adapters.owners import OwnerLogs
from services.reporting.notices import NoticeEndpoints
from services.reporting.queries import Reports, district_order
from services.reporting.recommendations import Recommendations
from shared.calls import BEIJING
from shared.consumer import Many, Outcome
from shared.dependencies import Authenticator, Calls, Database, Subscriber
from shared.entrypoints import ServesHealth, consume_events, http
from shared.errors import Refused
from shared.events import Event
from shared.http import endpoint, json_response, page_body, paging
from shared.routes import unrouted

log = logging.getLogger("kechuang.reporting")
BASE = "/api/v1/reports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
APPLY = Many(live.apply_many)  # a batch of events into the projection at once


def _download(body: bytes, content_type: str, suffix: str) -> Response:
    name = quote(f"汇总表.{suffix}")
    return Response(
        body,
        content_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="entries.{suffix}"; '
            f"filename*=UTF-8''{name}"
        },
    )


def _stream_failed(exc: BaseException) -> None:
    log.error("province package stopped: %s: %s", type(exc).__name__, exc)


class ReportingService(AccessEndpoints, NoticeEndpoints, ServesHealth):
    name = "reporting"
    db = Database("reporting")
    authenticate = Authenticator()
    subscription = Subscriber("reporting", "reporting")
    owners = OwnerLogs()
    calls = Calls()
    materials = MediaMaterials()

    def health_engine(self) -> Engine:
        return self.db  # type: ignore[no-any-return]

    def reports(self) -> Reports:
        return Reports(self.db, district_order(self.calls.values()))

    @consume_events("reporting")
    def on_event(self, event: Event) -> None:
        if self.subscription.handle(event, APPLY) is Outcome.GAP:
            # The owner is at least this far: what the lag shows if it stops answering.
            self.reports().saw(self.subscription.source_of(event), event.position or 0)
        self.notice_feed.handle(event)  # their own checkpoints (services.reporting.notices)

    @timer(interval=10, eager=True)
    def catch_up(self) -> None:
        """At start and every 10 s: read what the broker did not bring (see shared.consumer)."""
        self.subscription.catch_up_all(APPLY)
        self.notice_feed.catch_up_all()

    @http("GET", f"{BASE}/summary")
    @endpoint
    def summary(self, request: Request) -> Response:
        principal = self.authenticate(request)
        return json_response(self.reports().summary(principal, request.args.to_dict()))

    @http("GET", f"{BASE}/entries")
    @endpoint
    def entries(self, request: Request) -> Response:
        principal = self.authenticate(request)
        page, per_page = paging(request)
        items, total = self.reports().entries(principal, request.args.to_dict(), page, per_page)
        return json_response(page_body(items, total, page, per_page))

    @http("GET", f"{BASE}/entries.xlsx")
    @endpoint
    def entries_xlsx(self, request: Request) -> Response:
        principal = self.authenticate(request)
        args = request.args.to_dict()
        reports = self.reports()
        rows = reports.export_rows(principal, args)
        heading = export.Heading(reports.whose(principal, args), datetime.now(UTC))
        body = export.xlsx(rows, reports.summary(principal, args), heading)
        self.record_access(request, principal, "summary_xlsx", args)
        return _download(body, XLSX, "xlsx")

    @http("GET", f"{BASE}/entries.pdf")
    @endpoint
    def entries_pdf(self, request: Request) -> Response:
        """The 汇总表 as a PDF: the same rows and filters as the xlsx."""
        principal = self.authenticate(request)
        args = request.args.to_dict()
        reports = self.reports()
        rows = reports.export_rows(principal, args, limit=export.MAX_PDF_ROWS + 1)
        if len(rows) > export.MAX_PDF_ROWS:
            raise Refused(
                "validation_failed",
                f"PDF 汇总表最多 {export.MAX_PDF_ROWS} 个项目，请按区县、类别或状态筛选，"
                "或导出 Excel",
                {"district": ["请缩小范围"]},
            )
        heading = export.Heading(reports.whose(principal, args), datetime.now(UTC))
        body = export.pdf(rows, heading)
        self.record_access(request, principal, "summary_pdf", args)
        return _download(body, PDF, "pdf")

    @http("GET", f"{BASE}/entries.csv")
    @endpoint
    def entries_csv(self, request: Request) -> Response:
        principal = self.authenticate(request)
        rows = self.reports().export_rows(principal, request.args.to_dict())
        self.record_access(request, principal, "summary_csv", request.args.to_dict())
        return _download(export.csv_bytes(rows), "text/csv; charset=utf-8", "csv")

    @http("GET", f"{BASE}/lag")
    @endpoint
    def lag(self, request: Request) -> Response:
        principal = self.authenticate(request)
        sources = sorted(set(self.subscription.stream_owners.values()))
        return json_response(self.reports().lag(principal, sources, self.owners))

    # -- the city's recommendation to the province (推荐省级) --------------------------------

    def recommendations(self) -> Recommendations:
        return Recommendations(self.reports(), self.materials)

    @http("GET", f"{BASE}/recommendations.zip")
    @endpoint
    def recommendations_zip(self, request: Request) -> Response:
        """The province package, streamed (see `adapters.package`): the answer starts once its
        small documents are made, and the materials pass through in chunks."""
        principal = self.authenticate(request)
        call_id = request.args.get("call_id") or None
        made = self.recommendations().package(principal, _stream_failed, call_id)
        self.record_access(request, principal, "province_package", {"call_id": call_id or ""})
        stamp = made.made_at.astimezone(BEIJING).strftime("%Y%m%d-%H%M")
        return Response(
            made.chunks,
            content_type="application/zip",
            direct_passthrough=True,
            headers={
                "Content-Length": str(made.size),
                "Content-Disposition": f'attachment; filename="recommendations-{stamp}.zip"; '
                f"filename*=UTF-8''{quote(f'推荐省级材料包-{stamp}.zip')}",
                "X-Accel-Buffering": "no",  # nginx: pass it on as it comes
            },
        )

    @http("GET", f"{BASE}/recommendations/letter.pdf")
    @endpoint
    def recommendations_letter(self, request: Request) -> Response:
        principal = self.authenticate(request)
        call_id = request.args.get("call_id") or None
        body = self.recommendations().letter(principal, call_id)
        self.record_access(request, principal, "recommendation_letter", {"call_id": call_id or ""})
        name = quote("推荐函.pdf")
        return Response(
            body,
            content_type=PDF,
            headers={
                "Content-Disposition": 'attachment; filename="recommendation-letter.pdf"; '
                f"filename*=UTF-8''{name}"
            },
        )

    @http("GET,POST,PUT,PATCH,DELETE,OPTIONS", f"{BASE}/<path:anything>")
    @endpoint
    def unknown(self, request: Request, anything: str) -> Response:
        return unrouted(self, request)
