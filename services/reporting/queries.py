"""What the report endpoints answer: the summary, the entries, the export rows and the lag.

Who sees what: staff see every district (`?district=` narrows it); an office sees its own
district only, and asking for another one gives an empty answer (nothing of it, not even
whether it has entries); the lag is for operators and staff. Every read looks the current
generation up first (see `adapters.tables`); if a rebuild drops that generation between the
look-up and the query, the read is simply done again on the new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Connection, Engine, Select, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import ProgrammingError

from services.reporting.adapters import tables
from services.reporting.adapters.live import from_row
from services.reporting.adapters.notice_tables import granted
from services.reporting.domain.projection import Entry
from shared.auth import Principal
from shared.calls import Call
from shared.catalog.vocabulary import CATEGORIES, RETURNED, STATES, SUBMITTED
from shared.errors import Refused
from shared.eventstore import consumer_checkpoint
from shared.fields import Text

log = logging.getLogger("kechuang.reporting")
# Entries handed in to the city (the 保姆 coverage counts these): submitted, or returned for
# revision (still the district's entry, to be handed in again).
HANDED_IN = (SUBMITTED, RETURNED)

CONSUMER = "reporting"
T = TypeVar("T")
# fetch(source, after, limit): the owner's `events_since`; raises when the owner is down.
Ask = Callable[[str, int, int], list[dict[str, Any]]]
MAX_EVENTS_PER_CALL = 1000


class FilterSchema(Schema):
    # Text, not String: it refuses control characters (PostgreSQL cannot compare a NUL).
    district = Text(validate=validate.Length(min=1, max=50))
    category = fields.String(validate=validate.OneOf(CATEGORIES, error="须为 {choices} 之一"))
    state = fields.String(validate=validate.OneOf(STATES, error="须为 {choices} 之一"))
    q = Text(validate=validate.Length(min=1, max=100, error="长度须在 1 到 100 之间"))
    # 推荐省级: true lists the recommended entries only, false the others.
    recommended = fields.Boolean(
        truthy={"true"}, falsy={"false"}, error_messages={"invalid": "须为 true 或 false"}
    )


_filters = FilterSchema()

# The entries' orders: by when they were created (the default, oldest first) or last changed;
# a leading "-" puts the newest first. Ties go by id, so paging never repeats or skips a row.
# `recommendation_rank` is the province's order (推荐排序; entries not recommended last).
# `-priority` puts 二(二)3's priority first (优先支持: awards, plan projects), then the rest,
# then the entries not screened yet, each group oldest first.
SORTS = (
    "created_at", "-created_at", "updated_at", "-updated_at", "recommendation_rank",
    "-priority",
)  # fmt: skip


class ListSchema(FilterSchema):
    """The entries list and its exports: the filters plus their order."""

    sort = fields.String(validate=validate.OneOf(SORTS, error="须为 {choices} 之一"))


_list = ListSchema()


@dataclass(frozen=True)
class Scope:
    """The rows a request may see: `district` None means every district; `empty` means none."""

    district: str | None
    empty: bool = False


def parse_filters(args: dict[str, str], schema: Schema = _filters) -> dict[str, Any]:
    """The filters of the query string, checked as the document publishes them: an empty
    value is refused like any other too short one (the console leaves unset filters out)."""
    present = {k: v for k, v in args.items() if k in schema.fields}
    try:
        return schema.load(present)  # type: ignore[no-any-return]
    except ValidationError as error:
        raise Refused("validation_failed", "筛选条件无效", error.messages) from None  # type: ignore[arg-type]


def _order(table: Any, sort: str) -> tuple[Any, ...]:
    if sort == "-priority":
        first = table.c.priority.desc().nulls_last()
        return first, table.c.created_at.asc(), table.c.submission_id.asc()
    column, newest_first = table.c[sort.lstrip("-")], sort.startswith("-")
    if newest_first:
        return column.desc().nulls_last(), table.c.submission_id.desc()
    return column.asc().nulls_last(), table.c.submission_id.asc()


def scope(principal: Principal, district: str | None) -> Scope:
    if principal.is_staff:
        return Scope(district)
    if principal.is_office:
        if district is not None and district != principal.district:
            return Scope(district, empty=True)
        return Scope(principal.district)
    raise Refused("forbidden", "无权查看报表")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def entry_body(entry: Entry) -> dict[str, Any]:
    officer = None
    if entry.officer_name is not None:
        officer = {"name": entry.officer_name, "phone": entry.officer_phone}
    lead = None
    if entry.lead_name or entry.lead_affiliation:
        lead = {"name": entry.lead_name, "affiliation": entry.lead_affiliation}
    return {
        "submission_id": entry.submission_id,
        "district": entry.district,
        "category": entry.category,
        "title": entry.title,
        "platform_listing_id": entry.platform_listing_id,
        "applicant": {
            "name": entry.applicant_name,
            "type": entry.applicant_type,
            "region_code": entry.region_code,
            "location": entry.location,
        },
        "lead": lead,
        "tech_level": entry.tech_level,
        "contact": {"name": entry.contact_name, "phone": entry.contact_phone},
        "state": entry.state,
        "status": entry.status,
        "screening_state": entry.screening_state,
        "findings_count": entry.findings_count,
        "review_count": entry.review_count,
        "priority": entry.priority,
        "materials": entry.materials,
        "officer": officer,
        "selection": entry.selection,
        "recommendation_rank": entry.recommendation_rank,
        "recommendation_reason": entry.recommendation_reason,
        "created_at": _iso(entry.created_at),
        "updated_at": _iso(entry.updated_at),
        # The district's batch (汇总报送) that last included it, and 报送后已修改.
        "batch": entry.batch_number,
        "changed_after_batch": entry.changed_after_batch,
        "submitted_by": entry.submitted_by or None,
        # 延期至: the latest late exception covering it (its district's or its own), or None.
        "extended_until": _iso(entry.extended_until),
    }


def with_extensions(conn: Connection, entries: list[Entry]) -> list[Entry]:
    """The entries with the latest extension that covers each (its district's, or its own),
    read from `report_extensions` (the notices' subscription writes it)."""
    keys = {(e.call_id, e.district) for e in entries if e.call_id and e.district}
    if not keys:
        return entries
    found = conn.execute(
        select(granted).where(tuple_(granted.c.call_id, granted.c.district).in_(sorted(keys)))
    ).all()
    if not found:
        return entries
    shown = []
    for entry in entries:
        covering = [
            row.until
            for row in found
            if (row.call_id, row.district) == (entry.call_id, entry.district)
            and row.submission_id in (None, entry.submission_id)
        ]
        shown.append(entry._replace(extended_until=max(covering)) if covering else entry)
    return shown


def _officers(conn: Connection, table: Any, where: Scope) -> dict[str, tuple[int, int]]:
    """Per district: (entries handed in, those of them with a 保姆)."""
    query = (
        select(
            table.c.district,
            func.count(),
            func.count().filter(table.c.officer_name.is_not(None)),
        )
        .where(table.c.known, table.c.status.in_(HANDED_IN))
        .group_by(table.c.district)
    )
    if where.district is not None:
        query = query.where(table.c.district == where.district)
    return {district: (int(n), int(k)) for district, n, k in conn.execute(query)}


def _zeros() -> dict[str, int]:
    return dict.fromkeys(STATES, 0)


def district_order(known: Iterable[Call]) -> list[str]:
    """The districts as the calls list them (the notice's own order, 巴州区 first), not by
    character code; a district no call names any more comes after them, by name."""
    return list(dict.fromkeys(d for call in known for d in call.districts))


class Reports:
    def __init__(self, engine: Engine, districts: Sequence[str] = ()) -> None:
        self.engine = engine
        self._rank = {district: n for n, district in enumerate(districts)}

    def _read(self, work: Callable[[Connection, int], T]) -> T:
        for attempt in (1, 2):
            with self.engine.connect() as conn:
                gen = tables.current(conn)
                try:
                    return work(conn, gen)
                except ProgrammingError as exc:
                    # Only "the generation was just dropped by a rebuild" is worth a retry.
                    if attempt == 2 or "does not exist" not in str(exc.orig):
                        raise
                    log.info("generation %s dropped during a read; reading again", gen)
        raise AssertionError("unreachable")

    # -- the summary -----------------------------------------------------------------------

    def summary(self, principal: Principal, args: dict[str, str]) -> dict[str, Any]:
        """Entries per district × category × state (api.md "Reports"). Also `total`, and per
        district its `totals` by state. Staff see every district the calls name, with zeros
        where none has been handed in yet: the district that sent nothing shows as such."""
        where = scope(principal, parse_filters(args).get("district"))

        def work(conn: Connection, gen: int) -> tuple[list[Any], dict[str, tuple[int, int]]]:
            if where.empty:
                return [], {}
            table = tables.counts(gen)
            query = select(table).where(table.c.n > 0)
            if where.district is not None:
                query = query.where(table.c.district == where.district)
            return list(conn.execute(query)), _officers(conn, tables.entries(gen), where)

        rows, officers = self._read(work)
        districts: dict[str, dict[str, dict[str, int]]] = {}
        if where.district is not None and not where.empty:
            districts[where.district] = {}
        elif not where.empty:  # every district of the calls, those with no entry yet too
            districts = {district: {} for district in self._rank}
        for row in rows:
            categories = districts.setdefault(row.district, {})
            categories.setdefault(row.category, _zeros())[row.state] = int(row.n)
        totals = _zeros()
        listed = []
        for district in sorted(districts, key=lambda d: (self._rank.get(d, len(self._rank)), d)):
            mine = _zeros()
            categories = {c: districts[district].get(c, _zeros()) for c in CATEGORIES}
            for other in sorted(set(districts[district]) - set(CATEGORIES)):
                categories[other] = districts[district][other]  # a category added later
            for counts in categories.values():
                for state, n in counts.items():
                    mine[state] += n
                    totals[state] += n
            handed, assigned = officers.get(district, (0, 0))
            listed.append({"district": district, "totals": mine, "categories": categories,
                           "officers": {"entries": handed, "assigned": assigned}})  # fmt: skip
        return {
            "as_of": datetime.now(UTC).isoformat(),
            "total": sum(totals.values()),
            "totals": totals,
            "districts": listed,
            # 保姆 coverage (the notice promises one for every project): of the entries handed
            # in (submitted or returned for revision), how many have one.
            "officers": {
                "entries": sum(n for n, _ in officers.values()),
                "assigned": sum(k for _, k in officers.values()),
            },
        }

    # -- the entries -----------------------------------------------------------------------

    def _query(self, gen: int, principal: Principal, filters: dict[str, str]) -> Select[Any]:
        table = tables.entries(gen)
        where = scope(principal, filters.get("district"))
        query = select(table).where(table.c.known)
        if where.empty:
            return query.where(False)  # type: ignore[arg-type]
        if where.district is not None:
            query = query.where(table.c.district == where.district)
        if "category" in filters:
            query = query.where(table.c.category == filters["category"])
        if "state" in filters:
            query = query.where(table.c.state == filters["state"])
        if "recommended" in filters:
            ranked = table.c.recommendation_rank
            query = query.where(ranked.is_not(None) if filters["recommended"] else ranked.is_(None))
        if "q" in filters:
            escaped = filters["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            query = query.where(
                or_(
                    table.c.title.ilike(pattern, escape="\\"),
                    table.c.applicant_name.ilike(pattern, escape="\\"),
                )
            )
        return query

    def entries(
        self, principal: Principal, args: dict[str, str], page: int, per_page: int
    ) -> tuple[list[dict[str, Any]], int]:
        filters = parse_filters(args, _list)
        scope(principal, None)  # refuse an operator before touching the database

        def work(conn: Connection, gen: int) -> tuple[list[dict[str, Any]], int]:
            query = self._query(gen, principal, filters)
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            table = tables.entries(gen)
            rows = conn.execute(
                query.order_by(*_order(table, filters.get("sort", SORTS[0])))
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
            found = with_extensions(conn, [from_row(r) for r in rows])
            return [entry_body(entry) for entry in found], int(total)

        return self._read(work)

    def export_rows(
        self, principal: Principal, args: dict[str, str], limit: int | None = None
    ) -> list[Entry]:
        """Every entry the filters select, in the order the list shows them."""
        filters = parse_filters(args, _list)
        scope(principal, None)

        def work(conn: Connection, gen: int) -> list[Entry]:
            table = tables.entries(gen)
            query = self._query(gen, principal, filters).order_by(
                *_order(table, filters.get("sort", SORTS[0]))
            )
            if limit is not None:
                query = query.limit(limit)
            return with_extensions(conn, [from_row(r) for r in conn.execute(query)])

        return self._read(work)

    def whose(self, principal: Principal, args: dict[str, str]) -> str | None:
        """Whose table an export is, for its title: an office's own district (whatever it
        asked for), the district staff narrowed to, or None for the whole city."""
        if principal.is_office:
            return principal.district
        return scope(principal, parse_filters(args).get("district")).district

    # -- the lag ---------------------------------------------------------------------------

    def lag(self, principal: Principal, sources: list[str], ask: Ask) -> dict[str, Any]:
        """Each source's head and the projection's checkpoint. The head comes from the owner
        (its log after the last position we know of); when it does not answer, from the
        highest position this service has seen of it (`head_from: "last_seen"`)."""
        if principal.role not in ("operator", "staff"):
            raise Refused("forbidden", "只有运维人员和市科协工作人员可以查看同步进度")
        with self.engine.connect() as conn:
            gen = tables.current(conn)
            checkpoints = dict(
                conn.execute(
                    select(consumer_checkpoint.c.source, consumer_checkpoint.c.position).where(
                        consumer_checkpoint.c.consumer == CONSUMER
                    )
                ).all()
            )
            seen = dict(
                conn.execute(
                    select(tables.source_heads.c.source, tables.source_heads.c.position)
                ).all()
            )
        listed = []
        for source in sources:
            position = int(checkpoints.get(source, 0))
            known = max(position, int(seen.get(source, 0)))
            item: dict[str, Any] = {"source": source, "position": position}
            try:
                raw = ask(source, known, MAX_EVENTS_PER_CALL)
            except Exception as exc:  # noqa: BLE001 - an owner being down is what we report
                log.warning("lag: %s did not answer (%s)", source, type(exc).__name__)
                item |= {"head": known, "head_from": "last_seen", "head_exact": False}
            else:
                head = raw[-1]["position"] if raw else known
                # The owner serves a bounded batch: a full one means its head is further on.
                exact = len(raw) < MAX_EVENTS_PER_CALL
                item |= {"head": head, "head_from": "owner", "head_exact": exact}
                self.saw(source, head)
            item["behind"] = item["head"] - position
            listed.append(item)
        return {"as_of": datetime.now(UTC).isoformat(), "generation": gen, "sources": listed}

    def saw(self, source: str, position: int) -> None:
        """Remember the highest position seen of `source` (for the lag when it is down)."""
        table = tables.source_heads
        statement = insert(table).values(source=source, position=position, seen_at=func.now())
        with self.engine.begin() as conn:
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[table.c.source],
                    set_={
                        "position": func.greatest(table.c.position, statement.excluded.position),
                        "seen_at": func.now(),
                    },
                )
            )
