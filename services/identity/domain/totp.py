"""TOTP (RFC 6238) for staff's second factor. Pure: no I/O.

- The secret is kept encrypted (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`)
  with a key from the environment (`KECHUANG_TOTP_KEY`), so a copy of identity's database
  alone does not give anyone the codes.
- A code is accepted for the current 30-second step or the one before (a clock a little
  behind, a code typed at the turn of a step), and only for a step after the last one used:
  each code is good once, and for at most about a minute.
"""

from __future__ import annotations

import hmac

import pyotp
from cryptography.fernet import Fernet, InvalidToken

STEP = 30


def seal(key: bytes, secret: str) -> str:
    return Fernet(key).encrypt(secret.encode("ascii")).decode("ascii")


def unseal(key: bytes, sealed: str) -> str | None:
    try:
        return Fernet(key).decrypt(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def accepted_step(secret: str, code: object, now: float, last_step: int | None) -> int | None:
    """The step `code` belongs to (now or the one before) if it is one not yet used; else None."""
    if not (isinstance(code, str) and code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current, current - 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(username, issuer_name=issuer)
