"""Identity's tables (migrations: services/identity/migrations).

- `accounts`: one row per person, the account as its events leave it, plus what never goes
  into an event: the argon2id hash, the TOTP secret, the failed sign-ins and the lock. Its
  row is locked (`FOR UPDATE`) by every change, so the account's events are appended in order.
- `sessions`: one per sign-in; `sid` in the person's access tokens. A revoked one refreshes
  no more (and services refuse its tokens: the `SessionRevoked` event).
- `refresh_tokens`: the session's refresh tokens, stored only as their SHA-256 (they are 256
  random bits: no salt or slow hash needed). `used_at` is set when one is rotated: presenting
  it again is reuse, and revokes the session (the family).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text

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
    Column("totp_secret", String(64)),
    Column("totp_enabled", Boolean, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)
