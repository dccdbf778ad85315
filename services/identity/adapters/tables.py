"""Identity's tables (migrations: services/identity/migrations).

- `accounts`: one row per person, the account as its events leave it, plus what never goes
  into an event: the argon2id hash, the TOTP secret (encrypted, `domain/totp.py`) and the last
  TOTP step used, and the latest token cut-off (`tokens_not_before`, also in the events). Its
  row is locked (`FOR UPDATE`) by every change, so the account's events are appended in order.
- `sessions`: one per sign-in; `sid` in the person's access tokens. A revoked one refreshes
  no more (and services refuse its tokens: the `SessionRevoked` event).
  `confirmed_at`: when the person last gave their password (or code) in it: what needs fresh
  proof (`accounts.py`) asks that it be recent.
- `sign_in_failures`: failed password checks per key (`throttle.py`): an account's username,
  a client address, a trusted browser; never a lock on the account itself.
- `trusted_devices`: browsers a person signed in from (the device cookie, stored hashed).
- `revoked_tokens`: CLI tokens revoked by their id (`jti`), until they would have expired.
- `refresh_tokens`: the session's refresh tokens, stored only as their SHA-256 (they are 256
  random bits: no salt or slow hash needed). `used_at` is set when one is rotated: presenting
  it again is reuse, and revokes the session (the family).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("phone", String(40), nullable=False),
    Column("role", String(20), nullable=False),
    Column("district", String(50)),
    Column("admin", Boolean, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text),  # Fernet-encrypted
    Column("totp_enabled", Boolean, nullable=False),
    Column("totp_last_step", BigInteger),
    Column("tokens_not_before", Float),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True)),
)

trusted_devices = Table(
    "trusted_devices",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
