"""TOTP's rules (services/identity/domain/totp.py): a code for now or the step before, each
step once, the secret sealed with the key and useless without it."""

from __future__ import annotations

import pyotp
from cryptography.fernet import Fernet

from services.identity.domain import totp

SECRET = "JBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # inside step 60_000_000
STEP = int(NOW // 30)


def code(step: int) -> str:
    return pyotp.TOTP(SECRET).at(step * 30)


def test_the_current_and_the_previous_step_are_accepted_once() -> None:
    assert totp.accepted_step(SECRET, code(STEP), NOW, None) == STEP
    assert totp.accepted_step(SECRET, code(STEP - 1), NOW, None) == STEP - 1
    assert totp.accepted_step(SECRET, code(STEP), NOW, STEP) is None  # used
    assert totp.accepted_step(SECRET, code(STEP - 1), NOW, STEP - 1) is None
    assert totp.accepted_step(SECRET, code(STEP - 1), NOW, STEP) is None  # older than the last


def test_other_steps_and_malformed_codes_are_refused() -> None:
    assert totp.accepted_step(SECRET, code(STEP + 1), NOW, None) is None  # from the future
    assert totp.accepted_step(SECRET, code(STEP - 2), NOW, None) is None  # a minute old
    for bad in (None, 123456, "", "12345", "1234567", "１２３４５６", "abcdef"):
        assert totp.accepted_step(SECRET, bad, NOW, None) is None


def test_the_secret_is_sealed_and_only_its_key_opens_it() -> None:
    key, other = Fernet.generate_key(), Fernet.generate_key()
    sealed = totp.seal(key, SECRET)
    assert SECRET not in sealed
    assert totp.unseal(key, sealed) == SECRET
    assert totp.unseal(other, sealed) is None
    assert totp.unseal(key, "not-a-token") is None
