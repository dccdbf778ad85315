"""Identity's use cases on accounts: create, disable, enable, list; who may do which.

Each change runs in one transaction: lock the account's row, decide, append the account's
event (the store is the outbox: the relay publishes it, and every service's revocation view
applies it) and update the row. The operator (CLI or an operator token) manages every
account; city staff with the `admin` flag manage the offices' accounts only.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert

from services.identity.adapters.tables import accounts, revoked_tokens, sessions
from services.identity.domain import passwords
from shared import regions
from shared.auth import Principal
from shared.catalog import identity as catalog
from shared.errors import Refused, not_found, parse_id
from shared.events import Actor, EventType, new_event
from shared.eventstore import EventStore

Clock = Callable[[], float]
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
OPERATOR = Actor("operator", "cli")


def needs_totp(row: Any) -> bool:
    """Staff admins and operators must use TOTP: until they enrol, their token is good for
    enrolling only (`mtotp`)."""
    return bool((row.admin or row.role == "operator") and not row.totp_enabled)


def person_body(row: Any) -> dict[str, Any]:
    """An account as the API shows it: never its hash, secret or counters."""
    return {
        "person_id": row.person_id,
        "username": row.username,
        "name": row.name,
        "phone": row.phone,
        "role": row.role,
        "district": row.district,
        "admin": row.admin,
        "enabled": row.enabled,
        "must_change_password": row.must_change_password,
        "totp_enabled": row.totp_enabled,
        "must_enrol_totp": needs_totp(row),
        "created_at": row.created_at,
    }


def manages(principal: Principal, role: str) -> bool:
    """Whether `principal` may create, disable or enable an account of `role`."""
    if principal.role == "operator":
        return True
    return principal.is_staff and principal.admin and role == "office"


def _manager(principal: Principal) -> None:
    if not (principal.role == "operator" or (principal.is_staff and principal.admin)):
        raise Refused("forbidden", "只有管理员可以管理账号")


def _clean_new(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Refused("validation_failed", "输入有误", {"_body": ["须为 JSON 对象"]})
    problems: dict[str, list[str]] = {}
    username = body.get("username")
    if not (isinstance(username, str) and USERNAME.fullmatch(username)):
        problems["username"] = ["用户名须为 2 到 64 位小写字母、数字或 . _ -，以字母或数字开头"]
    name = body.get("name")
    if not (isinstance(name, str) and 1 <= len(name.strip()) <= 100):
        problems["name"] = ["请填写姓名（至多 100 字）"]
    phone = body.get("phone", "")
    if not (isinstance(phone, str) and len(phone) <= 40):
        problems["phone"] = ["电话至多 40 位"]
    role = body.get("role")
    if role not in catalog.ROLES:
        problems["role"] = ["角色须为 office、staff 或 operator"]
    district = body.get("district") or None
    if role == "office":
        if not (isinstance(district, str) and regions.code_of_district(district)):
            problems["district"] = ["区县科协账号须填写巴中市的区县，如 巴州区"]
    elif district is not None:
        problems["district"] = ["只有区县科协账号填写区县"]
    admin = body.get("admin", False)
    if not isinstance(admin, bool) or (admin and role != "staff"):
        problems["admin"] = ["只有市科协工作人员可以是管理员"]
    password = body.get("password")
    weak = passwords.faults(password, username if isinstance(username, str) else "")
    if weak:
        problems["password"] = weak
    if problems:
        raise Refused("validation_failed", "输入有误", problems)
    assert isinstance(name, str) and isinstance(phone, str)
    return {
        "username": username, "name": name.strip(), "phone": phone.strip(), "role": role,
        "district": district, "admin": admin, "password": password,
    }  # fmt: skip


class Accounts:
    def __init__(self, store: EventStore, clock: Clock = time.time) -> None:
        self.store = store
        self.clock = clock

    def _append(
        self, conn: Connection, actor: Actor, event_type: EventType, person_id: str, **data: Any
    ) -> None:
        event = new_event(event_type, catalog.stream_id(person_id),
                          {"person_id": person_id, **data}, actor=actor)  # fmt: skip
        self.store.append(conn, event.stream_id, [event], None)

    def create(self, principal: Principal | None, body: Any) -> dict[str, Any]:
        """A new account (`principal` None: the operator's CLI). Its password is the initial
        one: the person must change it at first sign-in."""
        if principal is not None:
            _manager(principal)
        new = _clean_new(body)
        if principal is not None and not manages(principal, new["role"]):
            raise Refused("forbidden", "管理员只能开设区县科协账号")
        actor = Actor.of(principal) if principal else OPERATOR
        person_id = str(uuid.uuid4())
        now = datetime.fromtimestamp(self.clock(), UTC)
        with self.store.engine.begin() as conn:
            taken = conn.execute(
                select(accounts.c.person_id).where(accounts.c.username == new["username"])
            ).first()
            if taken:
                taken_msg = {"username": ["用户名已被使用"]}
                raise Refused("validation_failed", "用户名已被使用", taken_msg)
            row = {k: new[k] for k in ("username", "name", "phone", "role", "district", "admin")}
            conn.execute(
                accounts.insert().values(
                    person_id=person_id, **row, enabled=True, must_change_password=True,
                    password_hash=passwords.hash_password(new["password"]),
                    totp_secret=None, totp_enabled=False, created_at=now,
                )
            )  # fmt: skip
            self._append(conn, actor, catalog.AccountCreated, person_id, **row,
                         must_change_password=True)  # fmt: skip
            return person_body(self._row(conn, person_id))

    @staticmethod
    def _row(conn: Connection, person_id: str, lock: bool = False) -> Any:
        query = select(accounts).where(accounts.c.person_id == person_id)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise not_found("账号")
        return row

    def person_id_of(self, username: str) -> str:
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(accounts.c.person_id).where(accounts.c.username == username)
            ).scalar()
        if found is None:
            raise not_found("账号")
        return str(found)

    def set_enabled(
        self, principal: Principal | None, person_id: str, enabled: bool
    ) -> dict[str, Any]:
        """Disable (every token of the person refused at once, every session ended) or
        enable an account. Doing what is already so changes nothing."""
        if principal is not None:
            _manager(principal)
        parse_id(person_id, "账号")
        actor = Actor.of(principal) if principal else OPERATOR
        with self.store.engine.begin() as conn:
            row = self._row(conn, person_id, lock=True)
            if principal is not None and not manages(principal, row.role):
                raise not_found("账号")  # not theirs to see either
            if principal is not None and principal.subject == person_id:
                raise Refused("invalid_state", "不能停用或启用自己的账号")
            if row.enabled != enabled:
                now = self.clock()
                if enabled:
                    self._append(conn, actor, catalog.AccountEnabled, person_id)
                else:
                    self._append(conn, actor, catalog.AccountDisabled, person_id,
                                 not_before=round(now, 3))  # fmt: skip
                    end_sessions(conn, person_id, now, not_before=round(now, 3))
                conn.execute(update(accounts).where(accounts.c.person_id == person_id)
                             .values(enabled=enabled))  # fmt: skip
            return person_body(self._row(conn, person_id))

    def reset_totp(self, principal: Principal | None, person_id: str) -> dict[str, Any]:
        """The operator clears a person's TOTP (a lost phone): they enrol again at their next
        sign-in (staff admins and operators must), and every token they hold is cut off."""
        if principal is not None and principal.role != "operator":
            raise Refused("forbidden", "只有运维人员可以重置动态验证码")
        parse_id(person_id, "账号")
        actor = Actor.of(principal) if principal else OPERATOR
        with self.store.engine.begin() as conn:
            self._row(conn, person_id, lock=True)
            now = round(self.clock(), 3)
            cleared = {"totp_secret": None, "totp_enabled": False, "totp_last_step": None}
            conn.execute(update(accounts).where(accounts.c.person_id == person_id).values(cleared))
            self._append(conn, actor, catalog.TotpReset, person_id, not_before=now)
            end_sessions(conn, person_id, now, not_before=now)
            return person_body(self._row(conn, person_id))

    def list(self, principal: Principal | None) -> list[dict[str, Any]]:
        query = select(accounts).order_by(accounts.c.role, accounts.c.district, accounts.c.username)
        if principal is not None:
            _manager(principal)
            if principal.role != "operator":
                query = query.where(accounts.c.role == "office")
        with self.store.engine.connect() as conn:
            return [person_body(row) for row in conn.execute(query)]


def end_sessions(
    conn: Connection, person_id: str, now: float, keep: str | None = None,
    not_before: float | None = None,
) -> None:  # fmt: skip
    """Revoke the person's open sessions (but `keep`): their refresh tokens refresh no more.
    Their access tokens are cut off by the event the caller appends (`not_before`), which is
    also kept on the account so that identity's own check refuses them at once."""
    query = update(sessions).where(sessions.c.person_id == person_id,
                                   sessions.c.revoked_at.is_(None))  # fmt: skip
    if keep is not None:
        query = query.where(sessions.c.session_id != keep)
    conn.execute(query.values(revoked_at=datetime.fromtimestamp(now, UTC)))
    if not_before is not None:
        conn.execute(update(accounts).where(accounts.c.person_id == person_id)
                     .values(tokens_not_before=not_before))  # fmt: skip


def revoke_token(store: EventStore, token_id: str, expires_at: float) -> bool:
    """Revoke a CLI token by its id: identity refuses it from its table, every other service
    from the `TokenRevoked` event in identity's log. False when it was already revoked."""
    with store.engine.begin() as conn:
        done = conn.execute(
            insert(revoked_tokens)
            .values(token_id=token_id, expires_at=datetime.fromtimestamp(expires_at, UTC))
            .on_conflict_do_nothing()
        ).rowcount
        if done:
            data = {"token_id": token_id, "expires_at": expires_at}
            stream = catalog.token_stream_id(token_id)
            event = new_event(catalog.TokenRevoked, stream, data, actor=OPERATOR)
            store.append(conn, event.stream_id, [event], None)
        return bool(done)


def token_revoked(conn: Connection, token_id: str) -> bool:
    found = select(revoked_tokens.c.token_id).where(revoked_tokens.c.token_id == token_id)
    return conn.execute(found).first() is not None
