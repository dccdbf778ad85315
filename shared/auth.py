"""Access tokens: Ed25519-signed JWTs.

Two holders of the private key sign them: the operator's `kechuang token` (service accounts
and the operator's own tokens, no session) and the identity service (a person signing in:
15 minutes, `sub` = the person's id, with `name` and `sid`, the session). Services verify
with the public key. Claims: `sub` (who), `role` (`office`, `staff`, `operator`), `district`
(offices only), `iat`, `exp`, `iss`, and for a person `name` and `sid`. A person's `iat` has
milliseconds (JWT's NumericDate allows it), so a token issued just after a password change is
told from one issued just before it (`shared.revocation`). Verification accepts EdDSA only,
so `alg: none`, HMAC tokens signed with the public key and any other algorithm are refused,
as are wrong keys and expired tokens.

A token without a session (the CLI's) carries an id (`jti`) and lives at most
`MAX_TOKEN_TTL`: `kechuang token revoke ID` puts the id in identity's log, and every service's
revocation view refuses it from then on.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ROLES = ("office", "staff", "operator")
ISSUER = "kechuang"
ALGORITHM = "EdDSA"


class InvalidToken(Exception):
    """The token is missing, malformed, forged, of the wrong algorithm, or expired."""


@dataclass(frozen=True)
class Principal:
    subject: str
    role: str
    district: str | None = None
    name: str | None = None  # a person's name (person tokens only)
    session: str | None = None  # `sid`: set only on a person's token, from a sign-in
    issued_at: float = 0.0
    admin: bool = False  # staff who manage offices' accounts (person tokens only)
    must_change_password: bool = False  # signed in with an initial password (`mcp`)
    must_enrol_totp: bool = False  # staff admin or operator without TOTP yet (`mtotp`)
    token_id: str | None = None  # `jti`: set on the CLI's tokens (revocable by id)

    @property
    def needs_setup(self) -> bool:
        """Signed in but good only for identity's own setup (new password, TOTP)."""
        return self.must_change_password or self.must_enrol_totp

    @property
    def is_person(self) -> bool:
        """Signed in with a password: the token names a person and their session."""
        return self.session is not None

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair as (private PEM, public PEM)."""
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


def _signing_key(private_pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key is not an Ed25519 private key")
    return key


def _claims(role: str, subject: str, district: str | None, now: float, ttl: int) -> dict[str, Any]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if (role == "office") != bool(district):
        raise ValueError("an office token needs a district; staff and operator tokens take none")
    claims: dict[str, Any] = {"sub": subject, "role": role, "iss": ISSUER, "iat": now}
    claims["exp"] = int(now) + ttl
    if district:
        claims["district"] = district
    return claims


MAX_TOKEN_TTL = 12 * 3600  # a working day: a leaked script token is not good for months


def issue(
    private_pem: bytes,
    role: str,
    subject: str,
    district: str | None = None,
    ttl: int = 8 * 3600,
    token_id: str | None = None,
) -> str:
    """A token without a session: the operator's and service accounts' (`svc:NAME`), with an
    id (`jti`) it can be revoked by."""
    if ttl > MAX_TOKEN_TTL:
        raise ValueError(f"a token lives at most {MAX_TOKEN_TTL} seconds")
    claims = _claims(role, subject, district, int(time.time()), ttl)
    claims["jti"] = token_id or str(uuid.uuid4())
    return jwt.encode(claims, _signing_key(private_pem), algorithm=ALGORITHM)


PERSON_TTL = 15 * 60


@dataclass(frozen=True)
class Person:
    """Who a person's token names (identity's account, as the token carries it)."""

    person_id: str
    name: str
    role: str
    district: str | None = None
    admin: bool = False
    must_change_password: bool = False
    must_enrol_totp: bool = False


def issue_for_person(
    private_pem: bytes,
    person: Person,
    session: str,
    ttl: int = PERSON_TTL,
    now: float | None = None,
) -> str:
    """A person's access token (the identity service signs it at sign-in and refresh)."""
    issued = round(time.time() if now is None else now, 3)
    claims = _claims(person.role, person.person_id, person.district, issued, ttl)
    claims.update(name=person.name, sid=session)
    if person.admin:
        claims["admin"] = True
    if person.must_change_password:
        claims["mcp"] = True  # good for changing the password only (shared.dependencies)
    if person.must_enrol_totp:
        claims["mtotp"] = True  # good for enrolling TOTP only (shared.dependencies)
    return jwt.encode(claims, _signing_key(private_pem), algorithm=ALGORITHM)


class Verifier:
    def __init__(self, public_pem: bytes) -> None:
        key = serialization.load_pem_public_key(public_pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the verification key is not an Ed25519 public key")
        self.key = key

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["sub", "role", "exp", "iat", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from None
        role, district = claims.get("role"), claims.get("district")
        if role not in ROLES or not isinstance(claims["sub"], str):
            raise InvalidToken("unknown role")
        if role == "office" and not (isinstance(district, str) and district):
            raise InvalidToken("an office token without a district")
        session, name, token_id = claims.get("sid"), claims.get("name"), claims.get("jti")
        if session is not None and not (isinstance(session, str) and isinstance(name, str)):
            raise InvalidToken("a person's token needs its session and name")
        return Principal(
            claims["sub"],
            role,
            district if role == "office" else None,
            name=name if session is not None else None,
            session=session,
            issued_at=float(claims["iat"]),
            admin=session is not None and claims.get("admin") is True,
            must_change_password=session is not None and claims.get("mcp") is True,
            must_enrol_totp=session is not None and claims.get("mtotp") is True,
            token_id=token_id if isinstance(token_id, str) else None,
        )
