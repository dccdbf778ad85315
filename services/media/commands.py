"""Media's use cases. Each change loads the material from its events, asks the domain,
appends the event at the expected version (the store is the outbox; `shared.repository`) and
updates the `materials` row, in one transaction. Slow work (inspection, most MinIO calls)
stays outside it; completing a multipart upload is inside, so a refused one records nothing."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from services.media.adapters.storage import NotRemoved, PartsRejected, Storage, UploadGone
from services.media.adapters.tables import materials
from services.media.domain import material as domain
from shared.auth import Principal
from shared.calls import Call, ClosesAt, beijing_time, call_closes, past
from shared.catalog import media as catalog
from shared.errors import Refused, not_found, parse_id
from shared.events import Actor, EventType, new_event
from shared.eventstore import EventStore, VersionConflict
from shared.repository import Streams

log = logging.getLogger("kechuang.media")

# submission id -> {"district", "call_id"} of the entry (None: no such entry); intake's RPC.
OwnerOf = Callable[[str], Mapping[str, str] | None]
Inspect = Callable[[str, str], dict[str, Any]]  # (object key, kind) -> what the bytes are
SYSTEM = Actor("system", "media-worker")
EVENT_TYPES = {
    domain.STORED: catalog.MediaStored,
    domain.REJECTED: catalog.MediaRejected,
}


class Media:
    def __init__(
        self,
        store: EventStore,
        storage: Storage,
        limits: domain.Limits,
        owner_of: OwnerOf,
        calls: Mapping[str, Call] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        closes_at: ClosesAt = call_closes,
    ) -> None:
        self.store, self.storage, self.limits = store, storage, limits
        self.owner_of, self.clock = owner_of, clock
        # Screening judges completeness at the close by the same moment (shared.calls).
        self.calls, self.closes_at = calls or {}, closes_at
        self.streams = Streams(store, domain.apply)

    # -- the material as shown -------------------------------------------------------------

    def body(self, m: domain.Material, with_urls: bool = True) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "material_id": m.id, "submission_id": m.submission_id, "kind": m.kind,
            "filename": m.filename, "content_type": m.content_type, "size": m.size,
            "sha256": m.sha256, "status": m.status, "version": m.version,
            "expires_at": m.expires_at.isoformat(),
        }  # fmt: skip
        if m.reason:
            shown["reason"] = m.reason
        if m.facts:
            shown |= m.facts
        if with_urls and m.status == domain.STORED:
            ttl = timedelta(seconds=self.limits.url_seconds)
            shown["download_url"] = self.storage.get_url(m.object_key, ttl, m.filename)
            shown["download_expires_at"] = (self.clock() + ttl).isoformat()
        return shown

    def digests(
        self, material_ids: list[str], check_objects: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Size, SHA-256 and status of each known material, by id, for intake's printed 回执
        (intake has already checked who may read the entry they belong to). With
        `check_objects`, each stored material also says whether its object is in the bucket
        at its verified size (`in_bucket`): the province package packs only those, so an
        object lost or cut short in the bucket is listed as missing rather than breaking the
        download midway."""
        wanted = []
        for material_id in material_ids:
            try:
                wanted.append(str(uuid.UUID(material_id)))
            except (TypeError, ValueError, AttributeError):
                continue
        if not wanted:
            return {}
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(materials.c.id, materials.c.body).where(materials.c.id.in_(wanted))
            )
            digests = {
                row.id: {key: row.body.get(key) for key in ("size", "sha256", "status")}
                for row in found
            }
            for material_id, digest in digests.items():
                if check_objects and digest["status"] == domain.STORED:
                    m = self.streams.load(conn, catalog.stream_id(material_id))
                    assert m is not None
                    digest["in_bucket"] = self.storage.size(m.object_key) == digest["size"]
        return digests

    def sources(self, material_ids: list[str], ttl: timedelta) -> dict[str, dict[str, Any]]:
        """For each stored material of `material_ids`: its name, size, verified SHA-256 and a
        presigned GET of its object valid for `ttl`, signed for the internal endpoint (the
        caller is a service on this network, reading the bytes to package them). Media owns
        the bucket: a reader gets one object for a short while, never the bucket's keys."""
        found: dict[str, dict[str, Any]] = {}
        with self.store.engine.connect() as conn:
            for material_id, digest in self.digests(material_ids).items():
                if digest["status"] != domain.STORED:
                    continue
                m = self.streams.load(conn, catalog.stream_id(material_id))
                assert m is not None
                found[material_id] = digest | {
                    "filename": m.filename,
                    "content_type": m.content_type,
                    "url": self.storage.internal_get_url(m.object_key, ttl),
                }
        return found

    # -- loading and recording ---------------------------------------------------------------

    def _load(self, conn: Connection, material_id: str, lock: bool = False) -> domain.Material:
        parse_id(material_id, "材料")
        query = select(materials.c.id).where(materials.c.id == material_id)
        if conn.execute(query.with_for_update() if lock else query).first() is None:
            raise not_found("材料")
        found = self.streams.load(conn, catalog.stream_id(material_id))
        assert found is not None  # its row is written with its first event
        return found

    def _visible(self, principal: Principal, m: domain.Material) -> None:
        if principal.is_staff:
            return
        if not principal.is_office or m.district != principal.district:
            raise not_found("材料")

    def _record(
        self, conn: Connection, m: domain.Material | None, event_type: EventType,
        data: dict[str, Any], actor: Actor, at: datetime | None = None,
    ) -> domain.Material:  # fmt: skip
        """Append the event after `m` (None: a new material) and upsert the row; raises
        `VersionConflict` if the material moved on since `m` was loaded. `at` is the moment
        the command was judged by (the close, the slot's end), recorded as the event's time:
        screening counts a material by these times."""
        event = new_event(event_type, catalog.stream_id(data["material_id"]), data, actor,
                          occurred_at=at)  # fmt: skip
        after = self.streams.append(conn, event.stream_id, m, [event])
        row = {
            "id": after.id, "submission_id": after.submission_id, "district": after.district,
            "kind": after.kind, "status": after.status, "version": after.version,
            "expires_at": after.expires_at, "updated_at": after.updated_at,
            "body": self.body(after, with_urls=False),
        }  # fmt: skip
        upsert = insert(materials).values(**row)
        conn.execute(upsert.on_conflict_do_update(index_elements=["id"], set_=row))
        return after

    # -- commands ------------------------------------------------------------------------

    def request(self, principal: Principal, submission_id: str, slot: dict[str, Any]) -> dict:
        """An upload slot: presigned PUT, or presigned parts of a multipart upload."""
        if not principal.is_office:
            raise Refused("forbidden", "只有区县科协可以上传材料")
        parse_id(submission_id, "申报项目")
        owner = self.owner_of(submission_id)
        if owner is None or owner.get("district") != principal.district:
            raise not_found("申报项目")
        now = self.clock()
        self._check_open(owner, submission_id, now)
        domain.check_request(slot["kind"], slot["content_type"], slot["size"], slot["sha256"],
                             self.limits)  # fmt: skip
        material_id = str(uuid.uuid4())
        key = f"{submission_id}/{material_id}"  # generated: no filename reaches a path
        part = domain.part_size(slot["size"], self.limits)
        upload_id = self.storage.start_multipart(key, slot["content_type"]) if part else None
        expires = now + timedelta(seconds=self.limits.slot_seconds)
        data = slot | {
            "material_id": material_id, "submission_id": submission_id,
            "district": principal.district, "object_key": key, "upload_id": upload_id,
            "part_size": part, "expires_at": expires.isoformat(),
        }  # fmt: skip
        actor = Actor.of(principal)
        with self.store.engine.begin() as conn:
            m = self._record(conn, None, catalog.MaterialRequested, data, actor, at=now)
        return self._slot(m)

    def _check_open(self, owner: Mapping[str, str], submission_id: str, now: datetime) -> None:
        """No new upload slot once the entry's call has closed for it: a material requested
        after the close would never count (domain.md: the deadline is judged on evidence). A
        slot opened before the close may still be uploaded to and completed while it lives.
        The close is intake's answer (`closes`: later than the call's under a late exception
        or a return for revision, which intake owns); an older intake answers without it, and
        the call's own close (`closes_at`) is judged then. An entry of a call the calls file
        no longer names has no deadline to judge by."""
        call = self.calls.get(owner.get("call_id") or "")
        if call is None:
            return
        given = owner.get("closes")
        closes = (
            datetime.fromisoformat(given)
            if isinstance(given, str)
            else self.closes_at(call, owner["district"], submission_id)
        )
        if past(closes, now):
            raise Refused("call_closed", f"征集已于{beijing_time(closes)}截止，不能再上传材料")

    def _slot(self, m: domain.Material) -> dict[str, Any]:
        """The slot as the office uploads to it: presigned URL(s), valid `url_seconds`."""
        ttl = timedelta(seconds=self.limits.url_seconds)
        if m.upload_id and m.part_size:
            upload: dict[str, Any] = {
                "method": "PUT", "upload_id": m.upload_id, "part_size": m.part_size,
                "parts": [
                    {"part_number": n,
                     "url": self.storage.part_url(m.object_key, m.upload_id, n, ttl)}
                    for n in range(1, domain.part_count(m.size, m.part_size) + 1)
                ],
            }  # fmt: skip
        else:
            upload = {"method": "PUT", "url": self.storage.put_url(m.object_key, ttl),
                      "headers": {"Content-Type": m.content_type}}  # fmt: skip
        return {"material_id": m.id, "upload": upload, "expires_at": m.expires_at.isoformat(),
                "urls_expire_at": (self.clock() + ttl).isoformat()}  # fmt: skip

    def resume(self, principal: Principal, material_id: str) -> dict[str, Any]:
        """Fresh URLs for a slot still open (the first ones live `url_seconds`; a slot lives
        `slot_seconds`), and for a multipart upload the parts MinIO already holds, so an
        interrupted upload goes on where it stopped instead of starting again."""
        if not principal.is_office:
            raise Refused("forbidden", "只有区县科协可以上传材料")
        with self.store.engine.connect() as conn:
            m = self._load(conn, material_id)
        self._visible(principal, m)
        domain.can_complete(m, self.clock())
        slot = self._slot(m)
        if m.upload_id:
            try:
                slot["uploaded_parts"] = self.storage.uploaded_parts(m.object_key, m.upload_id)
            except UploadGone:
                # The sweeper aborted it at the slot's end, a moment before this request.
                raise Refused("invalid_state", "上传时限已过，请重新申请上传") from None
        return slot

    def complete(self, principal: Principal, material_id: str, done: dict[str, Any]) -> dict:
        """The office finished uploading: close a multipart upload, start verification."""
        with self.store.engine.begin() as conn:
            m = self._load(conn, material_id, lock=True)
            if not principal.is_office:
                raise Refused("forbidden", "只有区县科协可以上传材料")
            self._visible(principal, m)
            now = self.clock()
            domain.can_complete(m, now)
            if m.upload_id:
                parts = done.get("parts") or []
                if not parts:
                    raise Refused("validation_failed", "分片上传须列出已上传的分片",
                                  {"parts": ["须列出每个分片的 part_number 和 etag"]})  # fmt: skip
                try:
                    self.storage.complete_multipart(m.object_key, m.upload_id, parts)
                except PartsRejected as error:
                    raise Refused("validation_failed", "分片不完整或与上传的不符，请检查后重试",
                                  {"parts": [error.code or "InvalidPart"]}) from None  # fmt: skip
            data = {"material_id": m.id, "submission_id": m.submission_id, "kind": m.kind}
            actor = Actor.of(principal)
            after = self._record(conn, m, catalog.MaterialUploaded, data, actor, at=now)
        return self.body(after)

    def get(self, principal: Principal, material_id: str) -> dict[str, Any]:
        if principal.role not in ("office", "staff"):
            raise Refused("forbidden", "无权查看材料")
        with self.store.engine.connect() as conn:
            m = self._load(conn, material_id)
        self._visible(principal, m)
        return self.body(m)

    # -- the worker's side -------------------------------------------------------------------

    def verify(self, material_id: str, inspect: Inspect) -> str | None:
        """Inspect an uploaded object and record the verdict, once. Safe to run twice at the
        same time (a redelivery after a worker died): the second append finds the version
        taken and gives way. Returns the new status, or None if there was nothing to do."""
        with self.store.engine.connect() as conn:
            m = self._load(conn, material_id)
        if m.status != domain.VERIFYING:
            return None
        # The upload URL may still be live (it lasts minutes): the bytes are first copied to
        # a key no slot can write, and that copy is what is checked, recorded and served.
        sealed = domain.sealed_key(m, uuid.uuid4().hex)
        copied = self.storage.copy(m.object_key, sealed)
        status, data = domain.verdict(m, inspect(sealed, m.kind) if copied else {"missing": True})
        if status == domain.STORED:
            data["object_key"] = sealed
        try:
            with self.store.engine.begin() as conn:
                self._record(conn, m, EVENT_TYPES[status], data, SYSTEM)
        except VersionConflict:
            log.info("material %s was verified by another worker", material_id)
            self._discard(sealed)
            return None
        self._discard(m.object_key)  # the upload's own key: nothing reads it any more
        if status == domain.REJECTED and copied:
            self._discard(sealed)
        log.info("material %s %s", material_id, status)
        return status

    def _discard(self, key: str) -> None:
        try:
            self.storage.remove(key)
        except NotRemoved:
            log.warning("could not remove object %s", key)

    def due(self, status: str, before: datetime, column: Any) -> list[str]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(materials.c.id).where(materials.c.status == status, column < before)
                .order_by(column).limit(100)
            )  # fmt: skip
            return [r.id for r in rows]

    def expire_slots(self) -> int:
        """Slots never completed in time: abort their multipart uploads, remove what was put."""
        expired = 0
        for material_id in self.due(domain.AWAITING_UPLOAD, self.clock(), materials.c.expires_at):
            with self.store.engine.begin() as conn:
                m = self._load(conn, material_id, lock=True)
                if m.status != domain.AWAITING_UPLOAD:
                    continue
                data = {"material_id": m.id, "submission_id": m.submission_id, "kind": m.kind}
                self._record(conn, m, catalog.MaterialExpired, data, SYSTEM)
            if m.upload_id:
                self.storage.abort_multipart(m.object_key, m.upload_id)
            self._discard(m.object_key)
            expired += 1
        return expired

    def stuck(self, older_than: timedelta) -> list[str]:
        """Materials verifying for longer than any verification takes: their message was
        lost (or dead-lettered twice); the sweeper verifies them again."""
        return self.due(domain.VERIFYING, self.clock() - older_than, materials.c.updated_at)
