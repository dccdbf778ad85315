"""Passwords: the minimum strength, and argon2id hashing (argon2-cffi's defaults, RFC 9106's
second recommended profile). Pure: no I/O, and a password is never put in an exception, a
log line or an event.

The rule (zxcvbn would pull a dictionary in for little gain here): at least 10 characters,
of at least two kinds (letters, digits, others), not the username, not one character over
and over.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps a sign-in from being a hashing DoS
_hasher = PasswordHasher()  # argon2id
# Hashed once: verifying against it when there is no such user costs what a real check does,
# so the answer's timing does not tell which usernames exist.
_DUMMY = _hasher.hash("not-a-password-0")


def _kinds(password: str) -> int:
    letters = any(c.isalpha() for c in password)
    digits = any(c.isdigit() for c in password)
    others = any(not c.isalnum() for c in password)
    return letters + digits + others


def faults(password: object, username: str = "") -> list[str]:
    """Why `password` is too weak (Chinese, for the person choosing it); empty when it will do."""
    if not isinstance(password, str) or not password:
        return ["请输入密码"]
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"密码至少 {MIN_LENGTH} 位")
    if len(password) > MAX_LENGTH:
        found.append(f"密码至多 {MAX_LENGTH} 位")
    if _kinds(password) < 2:
        found.append("密码须包含字母、数字、符号中的至少两类")
    if len(set(password)) < 4:
        found.append("密码不能由同一字符反复组成")
    if username and password.casefold() == username.casefold():
        found.append("密码不能与用户名相同")
    return found


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: object) -> bool:
    """Whether `password` matches `stored_hash` (None: no such account, checked anyway)."""
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        password = ""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
