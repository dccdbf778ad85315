"""Signing in and staying signed in: a person's sessions and their tokens.

- Sign-in checks the password (argon2id) and, where the person enrolled one, the TOTP code;
  `MAX_FAILURES` wrong answers in a row lock the account for `lock_seconds` (423). It opens a
  session and answers a 15-minute access token (`shared.auth.issue_for_person`, `sid` = the
  session) and a refresh token for the cookie.
- Refresh rotates: the presented token is marked used and a new one issued. A used one
  presented again means it was copied: the whole session (the family) is revoked, and its
  access tokens refused everywhere (`SessionRevoked`), as OWASP advises.
- Sign-out revokes the session; a password change or "sign out everywhere" revokes the
  others and cuts off every token issued before it (`not_before`).

Nothing here logs a password, a code or a token.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyotp
from sqlalchemy import Connection, select, update

from services.identity.accounts import end_sessions, person_body
from services.identity.adapters.tables import accounts, refresh_tokens, sessions
from services.identity.domain import passwords
from shared.auth import PERSON_TTL, Person, Principal, issue_for_person
from shared.catalog import identity as catalog
from shared.errors import Refused
from shared.events import Actor, EventType, new_event
from shared.eventstore import EventStore

Clock = Callable[[], float]
MAX_FAILURES = 5
WRONG = "用户名或密码错误"
ISSUER_NAME = "巴中市科创项目征集"


@dataclass(frozen=True)
class Policy:
    lock_seconds: int = 15 * 60
    refresh_seconds: int = 12 * 3600  # a working day; each refresh starts it again


@dataclass(frozen=True)
class SignedIn:
    """What a sign-in or refresh answers: the body, and the refresh token for the cookie."""

    body: dict[str, Any]
    refresh_token: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def _person(row: Any) -> Person:
    return Person(row.person_id, row.name, row.role, row.district, row.admin,
                  row.must_change_password)  # fmt: skip


def _actor(row: Any) -> Actor:
    return Actor(row.role, row.person_id, row.district, row.person_id, row.name)


class Sessions:
    def __init__(
        self, store: EventStore, private_key: bytes, policy: Policy = Policy(),
        clock: Clock = time.time,
    ) -> None:  # fmt: skip
        self.store = store
        self.private_key = private_key
        self.policy = policy
        self.clock = clock

    # -- helpers ---------------------------------------------------------------------------

    def _append(self, conn: Connection, row: Any, event_type: EventType, **data: Any) -> None:
        event = new_event(event_type, catalog.stream_id(row.person_id),
                          {"person_id": row.person_id, **data}, actor=_actor(row))  # fmt: skip
        self.store.append(conn, event.stream_id, [event], None)

    def _refresh_token(self, conn: Connection, session_id: str, now: float) -> str:
        token = secrets.token_urlsafe(32)
        conn.execute(refresh_tokens.insert().values(
            token_hash=token_hash(token), session_id=session_id,
            expires_at=_utc(now + self.policy.refresh_seconds), used_at=None))  # fmt: skip
        return token

    def _answer(self, row: Any, session_id: str, now: float, refresh: str | None) -> SignedIn:
        # Issued a millisecond after `now`: after any cut-off decided at `now`.
        token = issue_for_person(self.private_key, _person(row), session_id, now=now + 0.001)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": PERSON_TTL,
                "person": person_body(row)}  # fmt: skip
        return SignedIn(body, refresh)

    @staticmethod
    def _account(conn: Connection, person_id: str) -> Any:
        return conn.execute(
            select(accounts).where(accounts.c.person_id == person_id).with_for_update()
        ).first()

    # -- sign-in ---------------------------------------------------------------------------

    def sign_in(self, body: Any) -> SignedIn:
        if not isinstance(body, dict):
            raise Refused("validation_failed", "输入有误", {"_body": ["须为 JSON 对象"]})
        username, password, code = body.get("username"), body.get("password"), body.get("totp")
        if not isinstance(username, str) or not username or not isinstance(password, str):
            raise Refused("validation_failed", "请输入用户名和密码",
                          {"username": ["必填"], "password": ["必填"]})  # fmt: skip
        now = self.clock()
        refusal: Refused | None = None
        with self.store.engine.begin() as conn:
            row = conn.execute(
                select(accounts).where(accounts.c.username == username).with_for_update()
            ).first()
            if row is None:
                passwords.verify(None, password)  # the same work as for a real account
                raise Refused("unauthorized", WRONG)
            if row.locked_until is not None and row.locked_until > _utc(now):
                raise self._locked(row.locked_until, now)
            refusal = self._check(row, password, code)
            if refusal is None:
                if not row.enabled:
                    raise Refused("unauthorized", "账号已停用，请联系管理员")
                conn.execute(update(accounts).where(accounts.c.person_id == row.person_id)
                             .values(failures=0, locked_until=None))  # fmt: skip
                session_id = str(uuid.uuid4())
                opened = {"session_id": session_id, "person_id": row.person_id}
                conn.execute(sessions.insert().values(**opened, created_at=_utc(now)))
                refresh = self._refresh_token(conn, session_id, now)
                return self._answer(self._account(conn, row.person_id), session_id, now, refresh)
            if refusal.extra.get("totp_required") and code is None:
                raise refusal  # asked for the code: not a failed attempt
            failures = row.failures + 1
            locked = _utc(now + self.policy.lock_seconds) if failures >= MAX_FAILURES else None
            conn.execute(update(accounts).where(accounts.c.person_id == row.person_id).values(
                failures=0 if locked else failures, locked_until=locked))  # fmt: skip
        # Committed: the failure counts even though the request is refused.
        raise self._locked(locked, now) if locked else refusal

    @staticmethod
    def _locked(until: datetime, now: float) -> Refused:
        minutes = max(1, math.ceil((until.timestamp() - now) / 60))
        return Refused("locked", f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试",
                       locked_until=until.isoformat())  # fmt: skip

    @staticmethod
    def _check(row: Any, password: str, code: Any) -> Refused | None:
        if not passwords.verify(row.password_hash, password):
            return Refused("unauthorized", WRONG)
        if row.totp_enabled:
            if code is None:
                return Refused("unauthorized", "请输入动态验证码", {"totp": ["请输入动态验证码"]},
                               totp_required=True)  # fmt: skip
            if not (isinstance(code, str) and _code_fits(row.totp_secret, code)):
                return Refused("unauthorized", "动态验证码错误", {"totp": ["动态验证码错误"]},
                               totp_required=True)  # fmt: skip
        return None

    # -- refresh and sign-out --------------------------------------------------------------

    def refresh(self, presented: str | None) -> SignedIn:
        expired = Refused("unauthorized", "登录已失效，请重新登录")
        if not presented:
            raise expired
        now = self.clock()
        reused = False
        with self.store.engine.begin() as conn:
            found = conn.execute(
                select(refresh_tokens, sessions.c.person_id, sessions.c.revoked_at)
                .join(sessions, sessions.c.session_id == refresh_tokens.c.session_id)
                .where(refresh_tokens.c.token_hash == token_hash(presented))
                .with_for_update(of=refresh_tokens)
            ).first()
            if found is None or found.revoked_at is not None:
                raise expired
            row = self._account(conn, found.person_id)
            if found.used_at is not None:
                # A rotated token again: someone holds a copy. End the family.
                self._revoke(conn, row, found.session_id, now, "refresh_reused")
                reused = True
            elif found.expires_at <= _utc(now) or not row.enabled:
                raise expired
            else:
                conn.execute(update(refresh_tokens)
                             .where(refresh_tokens.c.token_hash == found.token_hash)
                             .values(used_at=_utc(now)))  # fmt: skip
                refresh = self._refresh_token(conn, found.session_id, now)
                return self._answer(row, found.session_id, now, refresh)
        assert reused  # committed: the session stays revoked though the request is refused
        raise expired

    def _revoke(self, conn: Connection, row: Any, session_id: str, now: float, reason: str) -> None:
        revoked = conn.execute(update(sessions).where(sessions.c.session_id == session_id,
                                                      sessions.c.revoked_at.is_(None))
                               .values(revoked_at=_utc(now))).rowcount  # fmt: skip
        if revoked:
            self._append(conn, row, catalog.SessionRevoked, session_id=session_id, reason=reason)

    def sign_out(self, presented: str | None, principal: Principal | None) -> None:
        """End the session the cookie's refresh token (or else the bearer token) belongs to."""
        now = self.clock()
        with self.store.engine.begin() as conn:
            session_id = principal.session if principal else None
            if presented:
                session_id = (
                    conn.execute(
                        select(refresh_tokens.c.session_id).where(
                            refresh_tokens.c.token_hash == token_hash(presented)
                        )
                    ).scalar()
                    or session_id
                )
            if session_id is None:
                return
            person = conn.execute(select(sessions.c.person_id)
                                  .where(sessions.c.session_id == session_id)).scalar()  # fmt: skip
            if person is not None:
                self._revoke(conn, self._account(conn, person), session_id, now, "signed_out")

    def sign_out_everywhere(self, principal: Principal) -> None:
        person = _signed_in(principal)
        now = self.clock()
        with self.store.engine.begin() as conn:
            row = self._account(conn, person)
            end_sessions(conn, person, now)
            self._append(conn, row, catalog.SignedOutEverywhere, not_before=round(now, 3))

    # -- the person's own account ----------------------------------------------------------

    def change_password(self, principal: Principal, body: Any) -> SignedIn:
        """A new password: the person's other sessions end and every token issued before now
        is refused; this session goes on with the new access token answered."""
        person = _signed_in(principal)
        if not isinstance(body, dict):
            raise Refused("validation_failed", "输入有误", {"_body": ["须为 JSON 对象"]})
        current, new = body.get("current_password"), body.get("new_password")
        now = self.clock()
        with self.store.engine.begin() as conn:
            row = self._account(conn, person)
            if row is None or not passwords.verify(row.password_hash, current):
                wrong = {"current_password": ["原密码错误"]}
                raise Refused("validation_failed", "原密码错误", wrong)
            weak = passwords.faults(new, row.username)
            if not weak and new == current:
                weak = ["新密码不能与原密码相同"]
            if weak or not isinstance(new, str):
                raise Refused("validation_failed", "新密码不符合要求", {"new_password": weak})
            hashed = passwords.hash_password(new)
            conn.execute(update(accounts).where(accounts.c.person_id == person)
                         .values(password_hash=hashed, must_change_password=False))  # fmt: skip
            end_sessions(conn, person, now, keep=principal.session)
            self._append(conn, row, catalog.PasswordChanged, not_before=round(now, 3), by_self=True)
            return self._answer(self._account(conn, person), str(principal.session), now, None)

    def enrol_totp(self, principal: Principal, body: Any) -> dict[str, Any]:
        """Staff's second factor: without `code`, a new secret (its otpauth URI for the
        authenticator app); with the `code` the app shows, switched on for later sign-ins."""
        person = _signed_in(principal)
        if not principal.is_staff:
            raise Refused("forbidden", "动态验证码仅供市科协工作人员使用")
        code = body.get("code") if isinstance(body, dict) else None
        with self.store.engine.begin() as conn:
            row = self._account(conn, person)
            if row.totp_enabled:
                raise Refused("invalid_state", "已启用动态验证码")
            if code is None:
                secret = pyotp.random_base32()
                conn.execute(update(accounts).where(accounts.c.person_id == person)
                             .values(totp_secret=secret))  # fmt: skip
                uri = pyotp.TOTP(secret).provisioning_uri(row.username, issuer_name=ISSUER_NAME)
                return {"otpauth_uri": uri, "secret": secret, "enabled": False}
            if not (isinstance(code, str) and _code_fits(row.totp_secret or "", code)):
                raise Refused("validation_failed", "动态验证码错误", {"code": ["动态验证码错误"]})
            conn.execute(update(accounts).where(accounts.c.person_id == person)
                         .values(totp_enabled=True))  # fmt: skip
            self._append(conn, row, catalog.TotpEnabled)
            return {"enabled": True}

    def still_open(self, principal: Principal) -> None:
        """Refuse a person's token whose session identity has ended (or whose account it has
        disabled) though the revocation view has not heard yet."""
        if not principal.is_person:
            return
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(sessions.c.revoked_at, accounts.c.enabled)
                .join(accounts, accounts.c.person_id == sessions.c.person_id)
                .where(sessions.c.session_id == principal.session)
            ).first()
        if found is None or found.revoked_at is not None or not found.enabled:
            raise Refused("unauthorized", "登录已失效，请重新登录")

    def me(self, principal: Principal) -> dict[str, Any]:
        person = _signed_in(principal)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.person_id == person)).first()
        if row is None:
            raise Refused("unauthorized", "登录已失效，请重新登录")
        return person_body(row)


def _code_fits(secret: str, code: str) -> bool:
    """The authenticator app's code, now or one 30-second step either side (clock drift)."""
    return bool(secret) and bool(pyotp.TOTP(secret).verify(code, valid_window=1))


def _signed_in(principal: Principal) -> str:
    if not principal.is_person:
        raise Refused("forbidden", "此操作须以个人账号登录")
    return principal.subject
