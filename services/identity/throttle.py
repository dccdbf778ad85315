"""Slowing password guessing without handing a stranger a way to lock the owner out.

The old rule (five failures lock the account) let anyone keep any clerk out on the last
evening of a call. Here failures are counted per key, never on the account itself
(OWASP's brute-force guidance, "device cookies"):

- `account:` the username as typed (hashed), for browsers the account has not signed in
  from: `ACCOUNT_LIMIT` failures within `WINDOW` block untrusted attempts on that name for
  `block_seconds`. Unknown usernames are counted exactly like known ones, so the answers
  (401, then 429 with `Retry-After`) never tell which names exist.
- `source:` the client's address (the front door's `X-Forwarded-For`, which nginx sets from
  `real_ip` of a trusted proxy only): `SOURCE_LIMIT` failures block that address for
  untrusted browsers.
- `device:` a trusted browser (one the person signed in from: its cookie names them): it has
  its own `DEVICE_LIMIT` and is not subject to the two above, so the owner at their usual
  browser still gets in while someone elsewhere hammers the account. A trusted browser that
  fails too often is blocked like any other key and falls back to the untrusted path.

A blocked key answers 429 without checking the password (no argon2 spent, the same for every
username). Rows are upserted atomically (`ON CONFLICT`), so concurrent attempts count.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, case, select
from sqlalchemy.dialects.postgresql import insert

from services.identity.adapters.tables import sign_in_failures
from shared.errors import Refused

WINDOW = 15 * 60
ACCOUNT_LIMIT = 5
# An address is where many people may sit (an office behind NAT, every client behind an
# ingress whose hop is not trusted): its count only catches one address spraying many names,
# and a browser the person used before is never held by it. nginx's `sign_in` zone slows each
# address first (20 a minute).
SOURCE_LIMIT = 100
DEVICE_LIMIT = 5


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:64]


def account_key(username: str) -> str:
    return "account:" + _digest(username.strip().casefold())


def source_key(address: str) -> str:
    return "source:" + _digest(address)


def device_key(token_hash: str) -> str:
    return "device:" + token_hash[:64]


def blocked_for(conn: Connection, keys: list[str], now: datetime) -> float:
    """Seconds until every one of `keys` is unblocked (0: none is blocked)."""
    until = conn.execute(
        select(sign_in_failures.c.blocked_until).where(
            sign_in_failures.c.key.in_(keys), sign_in_failures.c.blocked_until > now
        )
    ).scalars()
    return max(((u - now).total_seconds() for u in until), default=0.0)


def fail(conn: Connection, key: str, limit: int, now: datetime, block_seconds: int) -> None:
    """Count a failure on `key`; the `limit`-th within the window blocks it, and the count
    starts again (so a key is blocked again after another `limit`, not forever)."""
    window_start = now - timedelta(seconds=WINDOW)
    row = conn.execute(
        insert(sign_in_failures)
        .values(key=key, failures=1, since=now, blocked_until=None)
        .on_conflict_do_update(
            index_elements=[sign_in_failures.c.key],
            set_={
                "failures": _restart(window_start, 1, sign_in_failures.c.failures + 1),
                "since": _restart(window_start, now, sign_in_failures.c.since),
            },
        )
        .returning(sign_in_failures.c.failures)
    ).scalar_one()
    if row >= limit:
        conn.execute(
            sign_in_failures.update()
            .where(sign_in_failures.c.key == key)
            .values(failures=0, since=now, blocked_until=now + timedelta(seconds=block_seconds))
        )


def _restart(window_start: datetime, fresh: object, going_on: object) -> object:
    """`fresh` when the key's window has passed (its count starts again), else `going_on`."""
    return case((sign_in_failures.c.since < window_start, fresh), else_=going_on)


def clear(conn: Connection, key: str) -> None:
    conn.execute(sign_in_failures.delete().where(sign_in_failures.c.key == key))


def throttled(seconds: float) -> Refused:
    wait = max(1, math.ceil(seconds))
    minutes = max(1, math.ceil(wait / 60))
    return Refused("too_many_requests", f"登录尝试过于频繁，请 {minutes} 分钟后再试",
                   retry_after=wait)  # fmt: skip


def utc(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def forget_old(conn: Connection, now: datetime) -> int:
    """Drop counts whose window has passed and that block nothing: every name a stranger
    tries leaves a row, so without this the table grows with the attack."""
    window_start = now - timedelta(seconds=WINDOW)
    done = conn.execute(
        sign_in_failures.delete().where(
            sign_in_failures.c.since < window_start,
            (sign_in_failures.c.blocked_until.is_(None)) | (sign_in_failures.c.blocked_until < now),
        )
    )
    return int(done.rowcount or 0)
