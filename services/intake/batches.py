"""The district's batch (汇总报送): an office hands its district's submitted entries of a call to
the city. Intake owns it: it owns the entries and their versions and serves the calls; what it
does not hold, each material's SHA-256 as media verified it, it asks media for over RPC
(`material_digests`, as the 回执 does) before it writes anything.

A batch freezes the district's entries of the call whose status is `submitted` into a manifest
(`domain.manifest`), each with its screening state at the batch (asked of screening over RPC,
`states_of`); drafts, returned and withdrawn entries, and submitted entries screening judged
`ineligible` (with the clauses they fail), are listed in it as not included, with the reason.
Its SHA-256 is recorded in a `BatchSent` event on the batch's own stream (`batch-<id>`),
appended in the transaction that writes its `batches` row. A second batch of
the same call is allowed (a supplement: entries submitted later, or returned and submitted
again) and is numbered 第2批, 第3批…; each lists every entry submitted at its time, so the latest
batch alone is the district's whole list. Reporting follows the events and marks an entry
changed after the batch that included it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import validate
from sqlalchemy import Connection, func, select, text

from services.intake.adapters.tables import batches, submissions
from services.intake.domain import manifest as frozen
from shared.auth import Principal
from shared.calls import BEIJING, Call, beijing_time
from shared.catalog import batch as catalog
from shared.catalog.vocabulary import INELIGIBLE, SUBMITTED
from shared.errors import Refused, not_found, parse_id
from shared.events import Actor, new_event
from shared.eventstore import EventStore
from shared.fields import StrictSchema, Text

Clock = Callable[[], datetime]
# digests(material ids) -> {id: {size, sha256, status}}, or None when media did not answer.
Digests = Callable[[list[str]], dict[str, dict[str, Any]] | None]
# screened(entry ids) -> {id: {state, entry_version, failed}} (screening's `states_of`), or
# None when screening did not answer.
Screened = Callable[[list[str]], dict[str, dict[str, Any]] | None]
SHA256 = validate.Regexp("^[0-9a-fA-F]{64}$", error="须为 64 位十六进制的 SHA-256")


class BatchRequest(StrictSchema):
    call_id = Text(
        required=True, validate=validate.Length(min=1, max=100, error="长度须在 1 到 100 之间")
    )


class BatchFilter(StrictSchema):
    call_id = Text(validate=validate.Length(min=1, max=100, error="长度须在 1 到 100 之间"))


class VerifyQuery(StrictSchema):
    sha256 = Text(required=True, validate=SHA256)


def _lock_key(call_id: str, district: str) -> str:
    return f"kechuang.batch:{call_id}:{district}"


def batch_body(row: Mapping[str, Any], calls: Mapping[str, Call]) -> dict[str, Any]:
    """A batch as listed: whose, which call, which number, when, how many entries, the hash."""
    call = calls.get(row["call_id"])
    return {
        "id": row["id"],
        "call_id": row["call_id"],
        "call_title": call.title if call else None,
        "district": row["district"],
        "number": row["number"],
        "label": frozen.label(row["number"]),
        "entries": row["entries"],
        "sha256": row["sha256"],
        "sent_by": row["sent_by"],
        "sent_at": row["sent_at"].astimezone(BEIJING).isoformat(),
        "sent_at_text": beijing_time(row["sent_at"]),
    }


def _sorted_by_screening(
    submitted: list[dict[str, Any]], screened: Screened
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The submitted entries to forward, each with its screening state at the batch, and the
    ineligible ones that stay behind (四(二): the district forwards what may go), each with the
    findings that exclude it. Screening must have judged the version intake holds: a batch
    made on an older judgement could forward what the newer one excludes, so while screening
    is behind the batch waits (a few seconds at most when the stack is healthy)."""
    states = screened([e["id"] for e in submitted])
    if states is None:
        raise Refused("unavailable", "暂时无法取得筛查结果（筛查服务未应答），请稍后再试")
    behind = [
        e["id"]
        for e in submitted
        if e["id"] not in states
        or 0 < int(states[e["id"]].get("entry_version") or 0) < e["version"]
    ]
    if behind:
        raise Refused(
            "unavailable",
            f"有 {len(behind)} 个项目的筛查结果尚未更新，请稍后再汇总报送",
            entries=behind,
        )
    included, ineligible = [], []
    for entry in submitted:
        state = states[entry["id"]]
        if state["state"] == INELIGIBLE:
            ineligible.append(entry | {"failed": state.get("failed") or []})
        else:
            included.append(entry | {"screening_state": state["state"]})
    return included, ineligible


class Batches:
    def __init__(
        self, store: EventStore, calls: Mapping[str, Call], clock: Clock = lambda: datetime.now(UTC)
    ) -> None:
        self.store, self.calls, self.clock = store, calls, clock

    # -- sending -------------------------------------------------------------------------

    def send(
        self, principal: Principal, body: Any, digests: Digests, screened: Screened
    ) -> dict[str, Any]:
        if not principal.is_office or principal.district is None:
            raise Refused("forbidden", "只有区县科协可以汇总报送本区县的项目")
        call_id = BatchRequest().load(body)["call_id"]
        call = self.calls.get(call_id)
        if call is None or principal.district not in call.districts:
            raise not_found("征集")
        district = principal.district
        with self.store.engine.connect() as conn:
            seen = self._entries(conn, call.id, district)
        submitted = [e for e in seen if e["status"] == SUBMITTED]
        if not submitted:
            raise Refused("invalid_state", f"本区县在“{call.title}”中没有已提交的项目，无可报送")
        included, ineligible = _sorted_by_screening(submitted, screened)
        if not included:
            raise Refused(
                "invalid_state",
                f"本区县在“{call.title}”中已提交的项目均不符合征集条件，无可报送",
            )
        ids = [str(m["material_id"]) for e in included for m in e["materials"]]
        known = digests(ids) if ids else {}
        if known is None:
            raise Refused("unavailable", "暂时无法取得材料的校验值（媒体服务未应答），请稍后再试")
        batch_id, now = str(uuid.uuid4()), self.clock()
        with self.store.engine.begin() as conn:
            # One batch of a district's call at a time: its number is the count before it.
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                {"k": _lock_key(call.id, district)},
            )
            now_seen = self._entries(conn, call.id, district, lock=True)
            if [(e["id"], e["version"], e["status"]) for e in now_seen] != [
                (e["id"], e["version"], e["status"]) for e in seen
            ]:
                raise Refused("version_conflict", "报送期间有项目被修改，请重新汇总报送")
            number = (
                1
                + conn.execute(
                    select(func.count())
                    .select_from(batches)
                    .where(batches.c.call_id == call.id, batches.c.district == district)
                ).scalar_one()
            )
            codes = dict(zip(call.districts, call.district_codes, strict=True))
            manifest = frozen.build(
                batch_id=batch_id,
                number=number,
                call=call,
                district=district,
                district_code=codes.get(district),
                sent_at=now,
                sent_by=principal.subject,
                included=included,
                left_out=[e for e in seen if e["status"] != SUBMITTED] + ineligible,
                digests=known,
            )
            sha256 = frozen.digest(manifest)
            data = {
                "batch_id": batch_id,
                "number": number,
                "call_id": call.id,
                "district": district,
                "manifest": manifest,
                "sha256": sha256,
            }
            actor = Actor(principal.role, principal.subject, principal.district)
            stream = catalog.stream_id(batch_id)
            event = new_event(catalog.BatchSent, stream, data, actor=actor)
            self.store.append(conn, stream, [event], None)
            row = {
                "id": batch_id,
                "call_id": call.id,
                "district": district,
                "number": number,
                "entries": len(included),
                "sha256": sha256,
                "manifest": frozen.canonical(manifest).decode("utf-8"),
                "sent_by": principal.subject,
                "sent_at": event.occurred_at,
            }
            conn.execute(batches.insert().values(**row))
        return batch_body(row, self.calls) | {"manifest": manifest}

    @staticmethod
    def _entries(
        conn: Connection, call_id: str, district: str, lock: bool = False
    ) -> list[dict[str, Any]]:
        """The district's entries of the call, oldest first: what a batch would freeze.
        `lock` holds their rows (FOR SHARE) until the batch commits: a command changing one
        (it locks the row FOR UPDATE) waits, so its event comes after `BatchSent` in intake's
        log and reporting sees it as a change after the batch, as it is."""
        query = (
            select(
                submissions.c.id, submissions.c.category, submissions.c.status,
                submissions.c.version, submissions.c.body,
            )
            .where(submissions.c.call_id == call_id, submissions.c.district == district)
            .order_by(submissions.c.created_at, submissions.c.id)
        )  # fmt: skip
        rows = conn.execute(query.with_for_update(read=True) if lock else query)
        return [
            {
                "id": row.id,
                "title": row.body.get("title") or "",
                "category": row.category,
                "status": row.status,
                "version": row.version,
                "materials": [
                    m for m in row.body.get("materials", []) if isinstance(m, dict)
                    and m.get("material_id")
                ],
            }
            for row in rows
        ]  # fmt: skip

    # -- reading -------------------------------------------------------------------------

    @staticmethod
    def _reader(principal: Principal) -> None:
        if principal.role not in ("office", "staff"):
            raise Refused("forbidden", "无权查看报送批次")

    def list(self, principal: Principal, args: Mapping[str, str]) -> list[dict[str, Any]]:
        """Staff: every district's batches; an office: its own. Newest first."""
        self._reader(principal)
        wanted = BatchFilter().load({k: v for k, v in args.items() if k in ("call_id",)})
        query = select(batches).order_by(batches.c.sent_at.desc(), batches.c.id)
        if principal.is_office:
            query = query.where(batches.c.district == principal.district)
        if "call_id" in wanted:
            query = query.where(batches.c.call_id == wanted["call_id"])
        with self.store.engine.connect() as conn:
            return [batch_body(dict(row._mapping), self.calls) for row in conn.execute(query)]

    def _row(self, batch_id: str) -> Any:
        parse_id(batch_id, "报送批次")
        with self.store.engine.connect() as conn:
            return conn.execute(select(batches).where(batches.c.id == batch_id)).first()

    def get(self, principal: Principal, batch_id: str) -> dict[str, Any]:
        """The batch with its manifest; 404 for another district's (not leaked)."""
        self._reader(principal)
        row = self._row(batch_id)
        if row is None or (principal.is_office and row.district != principal.district):
            raise not_found("报送批次")
        manifest = json.loads(row.manifest)
        return batch_body(row._mapping, self.calls) | {"manifest": manifest}

    def verify(self, batch_id: str, args: Mapping[str, str]) -> dict[str, Any]:
        """Whether a manifest's SHA-256 is the one recorded for the batch.

        No token: the address is printed as a QR code on the 报送函, which the city's or the
        province's clerk scans with a phone that holds no Kechuang account. What it answers is
        what the printed letter already shows (district, time, count, the recorded digest); it
        never returns the manifest (titles, materials), and the batch id is a random UUID, so
        the answer reveals nothing to someone who does not hold the letter."""
        sha256 = VerifyQuery().load({k: v for k, v in args.items() if k == "sha256"})["sha256"]
        row = self._row(batch_id)
        if row is None:
            raise not_found("报送批次")
        return {
            "batch_id": row.id,
            "matches": sha256.lower() == row.sha256,
            "recorded_sha256": row.sha256,
            "sent_at": row.sent_at.astimezone(BEIJING).isoformat(),
            "district": row.district,
            "entries": row.entries,
        }
