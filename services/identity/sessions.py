"""Signing in and staying signed in: a person's sessions and their tokens.

- Sign-in checks the password (argon2id, off the event loop: `hashing.py`) and, where the
  person enrolled one, the TOTP code (each code good once: `domain/totp.py`). Wrong answers
  are counted per username, per client address and per trusted browser (`throttle.py`), never
  as a lock on the account: a stranger's failures slow the stranger, and the owner signs in
  from a browser they used before (its device cookie) whatever anyone else sends. A blocked
  attempt is 429 with `Retry-After`; unknown and known usernames are answered alike.
- It opens a session and answers a 15-minute access token (`shared.auth.issue_for_person`,
  `sid` = the session) and a refresh token for the cookie. Staff admins and operators without
  TOTP get a token good only for enrolling it (`mtotp`).
- What could turn an account against its owner (a new password, TOTP, managing accounts)
  needs fresh proof: the password (or code) given in this session within `fresh_seconds`
  (`confirm`); wrong ones count like sign-in's.
- Refresh rotates: the presented token is marked used and a new one issued. A used one
  presented again means it was copied: the whole session (the family) is revoked, and its
  access tokens refused everywhere (`SessionRevoked`), as OWASP advises.
- Sign-out revokes the session; a password change or "sign out everywhere" revokes the
  others and cuts off every token issued before it (`not_before`), at identity too.

Nothing here logs a password, a code or a token.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from services.identity import throttle
from services.identity.accounts import end_sessions, needs_totp, person_body, token_revoked
from services.identity.adapters.tables import accounts, refresh_tokens, sessions, trusted_devices
from services.identity.domain import passwords, totp
from services.identity.hashing import Hashing
from services.identity.throttle import utc as _utc
from shared.auth import PERSON_TTL, Person, Principal, issue_for_person
from shared.catalog import identity as catalog
from shared.errors import Refused
from shared.events import Actor, EventType, new_event
from shared.eventstore import EventStore

Clock = Callable[[], float]
WRONG = "用户名或密码错误"
ISSUER_NAME = "巴中市科创项目征集"
STALE_PROOF = "请重新输入密码确认身份"


@dataclass(frozen=True)
class Policy:
    block_seconds: int = 15 * 60  # how long a key that failed too often is blocked
    refresh_seconds: int = 12 * 3600  # a working day; each refresh starts it again
    fresh_seconds: int = 5 * 60  # how long a password given stays proof for sensitive changes
    totp_key: bytes | None = None  # KECHUANG_TOTP_KEY: TOTP secrets are stored sealed with it


@dataclass(frozen=True)
class SignedIn:
    """What a sign-in or refresh answers: the body, the refresh token for the cookie and, when
    this browser is newly trusted, its device token (for the device cookie)."""

    body: dict[str, Any]
    refresh_token: str | None
    device_token: str | None = None


@dataclass(frozen=True)
class Client:
    """Where an attempt comes from: the client's address and its device cookie, if any."""

    address: str
    device: str | None = None

    @property
    def device_hash(self) -> str | None:
        return token_hash(self.device) if self.device else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _person(row: Any) -> Person:
    return Person(row.person_id, row.name, row.role, row.district, row.admin,
                  row.must_change_password, needs_totp(row))  # fmt: skip


def _actor(row: Any) -> Actor:
    return Actor(row.role, row.person_id, row.district, row.person_id, row.name)


_HASHING = Hashing()  # one per process: the bound is on the process's CPU


class Sessions:
    def __init__(
        self, store: EventStore, private_key: bytes, policy: Policy = Policy(),
        clock: Clock = time.time, hashing: Hashing = _HASHING,
    ) -> None:  # fmt: skip
        self.store = store
        self.private_key = private_key
        self.policy = policy
        self.clock = clock
        self.hashing = hashing

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

    def _answer(self, row: Any, session_id: str, now: float, refresh: str | None,
                device: str | None = None) -> SignedIn:  # fmt: skip
        # Issued a millisecond after `now`: after any cut-off decided at `now`.
        token = issue_for_person(self.private_key, _person(row), session_id, now=now + 0.001)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": PERSON_TTL,
                "person": person_body(row)}  # fmt: skip
        return SignedIn(body, refresh, device)

    @staticmethod
    def _account(conn: Connection, person_id: str) -> Any:
        return conn.execute(
            select(accounts).where(accounts.c.person_id == person_id).with_for_update()
        ).first()

    # -- proof: a password (and code) checked under the throttle -----------------------------

    def _keys(self, conn: Connection, row: Any, username: str, client: Client,
              at: datetime) -> tuple[list[str], float]:  # fmt: skip
        """The keys this attempt counts against, and how long they are still blocked. A
        browser trusted for this very account (and not itself blocked) has a key of its own;
        any other attempt counts against the username and the client's address."""
        found = None
        if client.device_hash is not None:
            found = conn.execute(select(trusted_devices.c.person_id).where(
                trusted_devices.c.token_hash == client.device_hash)).scalar()  # fmt: skip
        if row is not None and found == row.person_id:
            own = [throttle.device_key(str(client.device_hash))]
            if not throttle.blocked_for(conn, own, at):
                return own, 0.0
        keys = [throttle.account_key(username), throttle.source_key(client.address)]
        return keys, throttle.blocked_for(conn, keys, at)

    def _count(self, conn: Connection, keys: list[str], at: datetime) -> None:
        for key in keys:
            limit = {"account": throttle.ACCOUNT_LIMIT, "source": throttle.SOURCE_LIMIT,
                     "device": throttle.DEVICE_LIMIT}[key.partition(":")[0]]  # fmt: skip
            throttle.fail(conn, key, limit, at, self.policy.block_seconds)

    def _totp_step(self, row: Any, code: Any, now: float) -> int | None:
        secret = self._secret(row)
        return totp.accepted_step(secret, code, now, row.totp_last_step) if secret else None

    def _secret(self, row: Any) -> str | None:
        if not row.totp_secret or self.policy.totp_key is None:
            return None
        return totp.unseal(self.policy.totp_key, row.totp_secret)

    # -- sign-in ---------------------------------------------------------------------------

    def sign_in(self, body: Any, client: Client = Client("-")) -> SignedIn:
        if not isinstance(body, dict):
            raise Refused("validation_failed", "输入有误", {"_body": ["须为 JSON 对象"]})
        username, password, code = body.get("username"), body.get("password"), body.get("totp")
        if not isinstance(username, str) or not username or not isinstance(password, str):
            raise Refused("validation_failed", "请输入用户名和密码",
                          {"username": ["必填"], "password": ["必填"]})  # fmt: skip
        now = self.clock()
        at = _utc(now)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
            keys, wait = self._keys(conn, row, username, client, at)
        if wait:
            raise throttle.throttled(wait)
        stored = row.password_hash if row is not None else None
        right = self.hashing.verify(stored, password)  # for no such account too: same time
        refusal: Refused
        with self.store.engine.begin() as conn:
            current = self._account(conn, row.person_id) if row is not None else None
            if current is None or not right or current.password_hash != stored:
                refusal = Refused("unauthorized", WRONG)
            elif current.totp_enabled and code is None:
                # Asked for the code: not a failed attempt (the password was right).
                raise Refused("unauthorized", "请输入动态验证码", {"totp": ["请输入动态验证码"]},
                              totp_required=True)  # fmt: skip
            else:
                step = self._totp_step(current, code, now) if current.totp_enabled else None
                if current.totp_enabled and step is None:
                    used = "动态验证码错误或已使用"
                    refusal = Refused("unauthorized", used, {"totp": [used]}, totp_required=True)
                else:
                    return self._open(conn, current, keys, client, now, step)
            self._count(conn, keys, at)
        raise refusal  # committed: the failure counts though the request is refused

    def _open(self, conn: Connection, row: Any, keys: list[str], client: Client, now: float,
              step: int | None) -> SignedIn:  # fmt: skip
        if not row.enabled:
            raise Refused("unauthorized", "账号已停用，请联系管理员")
        at = _utc(now)
        if step is not None:
            conn.execute(update(accounts).where(accounts.c.person_id == row.person_id)
                         .values(totp_last_step=step))  # fmt: skip
        # Proved from here: the username's (or this browser's) count starts afresh. Never the
        # address's: one's own account signed into between guesses must not reset it.
        for key in keys:
            if not key.startswith("source:"):
                throttle.clear(conn, key)
        device = None
        if not keys[0].startswith("device:"):
            device = secrets.token_urlsafe(32)
            conn.execute(trusted_devices.insert().values(
                token_hash=token_hash(device), person_id=row.person_id, created_at=at))  # fmt: skip
        session_id = str(uuid.uuid4())
        conn.execute(sessions.insert().values(session_id=session_id, person_id=row.person_id,
                                              created_at=at, confirmed_at=at))  # fmt: skip
        refresh = self._refresh_token(conn, session_id, now)
        return self._answer(self._account(conn, row.person_id), session_id, now, refresh, device)

    def _prove(self, principal: Principal, password: Any, code: Any, client: Client,
               field: str) -> Any:  # fmt: skip
        """The person's own password (or TOTP code) again, under the same throttle as sign-in;
        a wrong one is 422 on `field` (the session goes on), counted as a failure."""
        person = _signed_in(principal)
        now = self.clock()
        at = _utc(now)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.person_id == person)).first()
            if row is None:
                raise Refused("unauthorized", "登录已失效，请重新登录")
            keys, wait = self._keys(conn, row, row.username, client, at)
        if wait:
            raise throttle.throttled(wait)
        right = isinstance(password, str) and self.hashing.verify(row.password_hash, password)
        with self.store.engine.begin() as conn:
            current = self._account(conn, person)
            step = None
            if not right and code is not None and current.totp_enabled:
                step = self._totp_step(current, code, now)
            if (right and current.password_hash == row.password_hash) or step is not None:
                if step is not None:
                    conn.execute(update(accounts).where(accounts.c.person_id == person)
                                 .values(totp_last_step=step))  # fmt: skip
                conn.execute(update(sessions).where(sessions.c.session_id == principal.session)
                             .values(confirmed_at=at))  # fmt: skip
                return current
            self._count(conn, keys, at)
        raise Refused("validation_failed", "密码错误", {field: ["密码错误"]})

    def confirm(self, principal: Principal, body: Any, client: Client) -> dict[str, Any]:
        """Fresh proof: the password (or a TOTP code) again, good for `fresh_seconds`."""
        if not isinstance(body, dict):
            raise Refused("validation_failed", "输入有误", {"_body": ["须为 JSON 对象"]})
        self._prove(principal, body.get("password"), body.get("totp"), client, "password")
        until = _utc(self.clock() + self.policy.fresh_seconds)
        return {"confirmed_until": until.isoformat()}

    def require_fresh(self, principal: Principal) -> None:
        """Refuse (403, `reauthenticate`) unless the person gave their password (or code) in
        this session within `fresh_seconds`. Tokens without a session (the operator's CLI,
        which holds the signing key) are not asked."""
        if not principal.is_person:
            return
        with self.store.engine.connect() as conn:
            query = select(sessions.c.confirmed_at).where(
                sessions.c.session_id == principal.session
            )
            confirmed = conn.execute(query).scalar()
        limit = _utc(self.clock()) - timedelta(seconds=self.policy.fresh_seconds)
        if confirmed is None or confirmed < limit:
            raise Refused("forbidden", STALE_PROOF, reauthenticate=True)

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
            end_sessions(conn, person, now, not_before=round(now, 3))
            self._append(conn, row, catalog.SignedOutEverywhere, not_before=round(now, 3))

    # -- the person's own account ----------------------------------------------------------

    def change_password(self, principal: Principal, body: Any, client: Client) -> SignedIn:
        """A new password: the person's other sessions end and every token issued before now
        is refused (identity included); this session goes on with the new access token. The
        current password is its proof, checked under the sign-in throttle."""
        person = _signed_in(principal)
        if not isinstance(body, dict):
            raise Refused("validation_failed", "输入有误", {"_body": ["须为 JSON 对象"]})
        current, new = body.get("current_password"), body.get("new_password")
        row = self._prove(principal, current, None, client, "current_password")
        weak = passwords.faults(new, row.username)
        if not weak and new == current:
            weak = ["新密码不能与原密码相同"]
        if weak or not isinstance(new, str):
            raise Refused("validation_failed", "新密码不符合要求", {"new_password": weak})
        hashed = self.hashing.hash(new)
        now = self.clock()
        with self.store.engine.begin() as conn:
            row = self._account(conn, person)
            conn.execute(update(accounts).where(accounts.c.person_id == person)
                         .values(password_hash=hashed, must_change_password=False,
                                 tokens_not_before=round(now, 3)))  # fmt: skip
            end_sessions(conn, person, now, keep=principal.session)
            self._append(conn, row, catalog.PasswordChanged, not_before=round(now, 3), by_self=True)
            return self._answer(self._account(conn, person), str(principal.session), now, None)

    def enrol_totp(self, principal: Principal, body: Any) -> dict[str, Any]:
        """Staff's second factor: without `code`, a new secret (its otpauth URI for the
        authenticator app); with the `code` the app shows, switched on for later sign-ins.
        Needs fresh proof (a sign-in just now counts)."""
        person = _signed_in(principal)
        if not principal.is_staff and principal.role != "operator":
            raise Refused("forbidden", "动态验证码仅供市科协工作人员使用")
        if self.policy.totp_key is None:
            raise Refused("unavailable", "动态验证码暂不可用（未配置密钥），请联系运维人员")
        self.require_fresh(principal)
        code = body.get("code") if isinstance(body, dict) else None
        now = self.clock()
        with self.store.engine.begin() as conn:
            row = self._account(conn, person)
            if row.totp_enabled:
                raise Refused("invalid_state", "已启用动态验证码")
            if code is None:
                secret = totp.new_secret()
                conn.execute(update(accounts).where(accounts.c.person_id == person)
                             .values(totp_secret=totp.seal(self.policy.totp_key, secret),
                                     totp_last_step=None))  # fmt: skip
                uri = totp.provisioning_uri(secret, row.username, ISSUER_NAME)
                return {"otpauth_uri": uri, "secret": secret, "enabled": False}
            step = self._totp_step(row, code, now)
            if step is None:
                raise Refused("validation_failed", "动态验证码错误", {"code": ["动态验证码错误"]})
            conn.execute(update(accounts).where(accounts.c.person_id == person)
                         .values(totp_enabled=True, totp_last_step=step))  # fmt: skip
            self._append(conn, row, catalog.TotpEnabled)
            # The token said "enrol TOTP first": a new one, good for everything, for this session.
            answer = self._answer(self._account(conn, person), str(principal.session), now, None)
            return {"enabled": True, **answer.body}

    def still_open(self, principal: Principal) -> None:
        """Refuse a person's token whose session identity has ended (or whose account it has
        disabled) though the revocation view has not heard yet, and a revoked CLI token."""
        if not principal.is_person:
            if principal.token_id is not None:
                with self.store.engine.connect() as conn:
                    if token_revoked(conn, principal.token_id):
                        raise Refused("unauthorized", "访问令牌已吊销")
            return
        with self.store.engine.connect() as conn:
            found = conn.execute(
                select(sessions.c.revoked_at, accounts.c.enabled, accounts.c.tokens_not_before)
                .join(accounts, accounts.c.person_id == sessions.c.person_id)
                .where(sessions.c.session_id == principal.session,
                       sessions.c.person_id == principal.subject)
            ).first()  # fmt: skip
        if (
            found is None
            or found.revoked_at is not None
            or not found.enabled
            or principal.issued_at < (found.tokens_not_before or 0.0)
        ):
            raise Refused("unauthorized", "登录已失效，请重新登录")

    def me(self, principal: Principal) -> dict[str, Any]:
        person = _signed_in(principal)
        with self.store.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.person_id == person)).first()
        if row is None:
            raise Refused("unauthorized", "登录已失效，请重新登录")
        return person_body(row)


def _signed_in(principal: Principal) -> str:
    if not principal.is_person:
        raise Refused("forbidden", "此操作须以个人账号登录")
    return principal.subject
