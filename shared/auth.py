"""Access tokens: Ed25519-signed JWTs.

Only the operator's `kechuang token` holds the private key; services verify with the public
key. Claims: `sub` (who), `role` (`office`, `staff`, `operator`), `district` (offices only),
`iat`, `exp`, `iss`. Verification accepts EdDSA only, so `alg: none`, HMAC tokens signed with
the public key and any other algorithm are refused, as are wrong keys and expired tokens.
"""

from __future__ import annotations

import time
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


def issue(
    private_pem: bytes, role: str, subject: str, district: str | None = None, ttl: int = 8 * 3600
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if (role == "office") != bool(district):
        raise ValueError("an office token needs a district; staff and operator tokens take none")
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key is not an Ed25519 private key")
    now = int(time.time())
    claims: dict[str, Any] = {"sub": subject, "role": role, "iss": ISSUER, "iat": now}
    claims["exp"] = now + ttl
    if district:
        claims["district"] = district
    return jwt.encode(claims, key, algorithm=ALGORITHM)


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
        return Principal(claims["sub"], role, district if role == "office" else None)
