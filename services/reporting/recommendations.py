"""The city's recommendation to the province as reporting delivers it: the province package
(`recommendations.zip`) and the recommendation letter (`recommendations/letter.pdf`), both
staff's only. The recommended entries are the projection's (screening's `EntryRecommended`,
folded like every other event), in rank order; their materials' sizes and verified digests
are media's, asked at the moment of the download.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.reporting.adapters import export, letter, package
from services.reporting.adapters.media import Materials
from services.reporting.domain import package as plan_of
from services.reporting.domain.projection import Entry
from services.reporting.queries import Reports
from shared.auth import Principal
from shared.catalog.vocabulary import CATEGORIES, STATES
from shared.errors import Refused

RECOMMENDED = {"recommended": "true", "sort": "recommendation_rank"}


def summary_of(entries: Sequence[Entry]) -> dict[str, Any]:
    """The 统计 sheet of the package's 汇总表: the recommended entries' own counts."""
    totals = dict.fromkeys(STATES, 0)
    districts: dict[str, dict[str, dict[str, int]]] = {}
    for e in entries:
        categories = districts.setdefault(
            e.district or "", {c: dict.fromkeys(STATES, 0) for c in CATEGORIES}
        )
        categories.setdefault(e.category or "", dict.fromkeys(STATES, 0))[e.state] += 1
        totals[e.state] += 1
    return {
        "districts": [{"district": d, "categories": c} for d, c in districts.items()],
        "totals": totals,
        "total": len(entries),
    }


@dataclass(frozen=True)
class Package:
    """What a download sends: the zip's length and its bytes, read as they are sent."""

    size: int
    chunks: Iterator[bytes]
    made_at: datetime


class Recommendations:
    def __init__(self, reports: Reports, materials: Materials) -> None:
        self.reports, self.materials = reports, materials

    def _plan(self, principal: Principal, call_id: str | None) -> plan_of.Plan:
        """The recommended entries of one call (ranks are unique within a call: two calls'
        lists would both have a first): `call_id`, or the only call with recommendations."""
        if not principal.is_staff:
            raise Refused("forbidden", "只有市科协工作人员可以导出推荐省级材料")
        entries = self.reports.export_rows(principal, RECOMMENDED)
        calls = sorted({str(e.call_id) for e in entries})
        if call_id is None and len(calls) > 1:
            raise Refused("validation_failed", "推荐项目分属多个征集，请用 call_id 指定其一",
                          {"call_id": [f"须为 {'、'.join(calls)} 之一"]})  # fmt: skip
        entries = [e for e in entries if call_id is None or e.call_id == call_id]
        if not entries:
            raise Refused("invalid_state", "尚无推荐省级的项目")
        ids = [str(m["material_id"]) for e in entries for m in e.materials if "material_id" in m]
        return plan_of.plan(entries, self.materials.digests(ids))

    def letter(self, principal: Principal, call_id: str | None = None) -> bytes:
        return letter.letter_pdf(self._plan(principal, call_id), datetime.now(UTC))

    def package(self, principal: Principal, on_error: Any, call_id: str | None = None) -> Package:
        """The package, ready to stream: its small documents are made now (an error here is
        still an ordinary error answer), the materials only as the stream reaches them."""
        plan = self._plan(principal, call_id)
        made_at = datetime.now(UTC)
        entries = list(plan.entries)
        table = export.xlsx(entries, summary_of(entries), export.Heading(None, made_at))
        documents = {plan_of.TABLE: table, plan_of.LETTER: letter.letter_pdf(plan, made_at)}
        manifest = plan_of.manifest(plan, documents, made_at.isoformat())
        sources = self.materials.sources()
        zipped = package.zip_stream(plan, manifest, documents, sources)

        def chunks() -> Iterator[bytes]:
            try:
                yield from package.chunks(zipped, on_error)
            finally:
                sources.close()

        return Package(len(zipped), chunks(), made_at)
