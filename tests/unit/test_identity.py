"""Identity's rules without servers: the password policy and hashing, a person's token and
its claims, the revocation view's rules, and the actor that names the person."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jwt
import pytest

import shared.catalog  # noqa: F401  (registers the event types)
from services.identity.domain import passwords
from shared.auth import (
    PERSON_TTL,
    InvalidToken,
    Person,
    Principal,
    Verifier,
    issue,
    issue_for_person,
    new_key_pair,
)
from shared.catalog import identity as catalog
from shared.events import Actor, envelope, new_event
from shared.revocation import SESSION_MEMORY, Revocations

PRIVATE, PUBLIC = new_key_pair()
ZHANG = Person(str(uuid.uuid4()), "张三", "office", "巴州区")


# -- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short-1", "aaaaaaaaaaaa", "abcdefghijkl", "1234567890123", "zhangsan", "ababababab1"],
)
def test_weak_passwords_are_refused(password: str) -> None:
    assert passwords.faults(password, "zhangsan")


@pytest.mark.parametrize("password", ["Bazhong-2024", "巴中科协2024年度", "correct horse 9"])
def test_good_passwords_pass(password: str) -> None:
    assert passwords.faults(password, "zhangsan") == []


def test_not_a_string_is_refused_not_raised() -> None:
    assert passwords.faults(None) and passwords.faults(12345678901)


def test_the_hash_is_argon2id_and_checks_only_the_right_password() -> None:
    hashed = passwords.hash_password("Bazhong-2024")
    assert hashed.startswith("$argon2id$") and "Bazhong-2024" not in hashed
    assert passwords.verify(hashed, "Bazhong-2024")
    assert not passwords.verify(hashed, "Bazhong-2025")
    assert not passwords.verify(hashed, None)
    assert not passwords.verify(None, "Bazhong-2024")  # no account: false, after the same work
    assert not passwords.verify("not a hash", "x")


# -- tokens -----------------------------------------------------------------------------------


def test_a_person_token_names_the_person_and_the_session() -> None:
    token = issue_for_person(PRIVATE, ZHANG, "sid-1", now=1_700_000_000.1234)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == ZHANG.person_id and claims["name"] == "张三"
    assert claims["sid"] == "sid-1" and claims["district"] == "巴州区"
    assert claims["iat"] == pytest.approx(1_700_000_000.123)  # milliseconds
    assert claims["exp"] - int(claims["iat"]) == PERSON_TTL == 15 * 60


def test_verifying_a_person_token_gives_a_person_principal() -> None:
    principal = Verifier(PUBLIC).verify(issue_for_person(PRIVATE, ZHANG, "sid-1"))
    assert principal.is_person and principal.session == "sid-1" and principal.name == "张三"
    assert (principal.role, principal.district, principal.subject) == (
        "office", "巴州区", ZHANG.person_id)  # fmt: skip
    assert not principal.admin


def test_service_account_and_operator_tokens_have_no_session() -> None:
    principal = Verifier(PUBLIC).verify(issue(PRIVATE, "staff", "svc:nightly"))
    assert not principal.is_person and principal.subject == "svc:nightly"
    assert principal.name is None


def test_a_session_without_a_name_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization

    signing = serialization.load_pem_private_key(PRIVATE, password=None)
    claims = {"sub": "x", "role": "staff", "iss": "kechuang", "iat": 1, "exp": 2**40, "sid": "s"}
    with pytest.raises(InvalidToken):
        Verifier(PUBLIC).verify(jwt.encode(claims, signing, algorithm="EdDSA"))  # type: ignore[arg-type]


# -- the revocation view ----------------------------------------------------------------------


def _event(event_type, position: int, at: float | None = None, **data):  # type: ignore[no-untyped-def]
    event = new_event(event_type, catalog.stream_id(ZHANG.person_id),
                      {"person_id": ZHANG.person_id, **data},
                      occurred_at=datetime.fromtimestamp(at, UTC) if at else None)  # fmt: skip
    return event.with_position(position)


def _principal(issued: float, session: str = "sid-1") -> Principal:
    """What a person's token issued at `issued` verifies to (built directly: old times expire)."""
    return Principal(ZHANG.person_id, "office", "巴州区", name="张三", session=session,
                     issued_at=round(issued, 3))  # fmt: skip


def test_disabling_refuses_every_token_and_enabling_only_later_ones() -> None:
    import time

    now = time.time()
    view = Revocations()
    before = _principal(now - 10)
    assert not view.refuses(before)
    view.apply(_event(catalog.AccountDisabled, 1, not_before=round(now - 5, 3)))
    assert view.refuses(before) and view.refuses(_principal(now))
    view.apply(_event(catalog.AccountEnabled, 2))
    assert view.refuses(before)  # issued before the disabling: still refused
    assert not view.refuses(_principal(now))


def test_a_password_change_refuses_tokens_issued_before_it_only() -> None:
    view = Revocations()
    view.apply(_event(catalog.PasswordChanged, 1, not_before=1_000.5))
    assert view.refuses(_principal(1_000.499))
    assert not view.refuses(_principal(1_000.501))  # the new token, a millisecond after


def test_signing_out_everywhere_is_a_cut_off_too() -> None:
    view = Revocations()
    view.apply(_event(catalog.SignedOutEverywhere, 1, not_before=2_000.0))
    assert view.refuses(_principal(1_999.0)) and not view.refuses(_principal(2_000.1))


def test_a_revoked_session_refuses_its_tokens_only() -> None:
    import time

    view = Revocations()
    view.apply(_event(catalog.SessionRevoked, 1, session_id="sid-1"))
    assert view.refuses(_principal(time.time(), "sid-1"))
    assert not view.refuses(_principal(time.time(), "sid-2"))


def test_service_tokens_are_never_refused() -> None:
    view = Revocations()
    view.apply(_event(catalog.AccountDisabled, 1, not_before=0.0))
    principal = Verifier(PUBLIC).verify(issue(PRIVATE, "office", ZHANG.person_id, "巴州区"))
    assert not view.refuses(principal)


def test_events_apply_once_and_a_gap_is_seen() -> None:
    view = Revocations()
    disabled = _event(catalog.AccountDisabled, 1, not_before=0.0)
    enabled = _event(catalog.AccountEnabled, 2)
    view.apply(disabled)
    view.apply(enabled)
    view.apply(disabled)  # again (the bus and the log both brought it): ignored
    assert ZHANG.person_id not in view.disabled and view.position == 2
    assert view.in_order(_event(catalog.TotpEnabled, 3))
    assert not view.in_order(_event(catalog.TotpEnabled, 5))


def test_old_revoked_sessions_are_forgotten() -> None:
    view = Revocations()
    view.apply(_event(catalog.SessionRevoked, 1, at=10_000.0, session_id="old"))
    view.forget_old(now=10_000.0 + SESSION_MEMORY - 1)
    assert "old" in view.sessions
    view.forget_old(now=10_000.0 + SESSION_MEMORY + 1)
    assert "old" not in view.sessions


# -- the actor --------------------------------------------------------------------------------


def test_the_actor_names_the_person_and_old_events_still_load() -> None:
    principal = _principal(1.0)
    actor = Actor.of(principal)
    assert (actor.person_id, actor.person_name) == (ZHANG.person_id, "张三")
    assert actor.label() == "张三（巴州区科协）"
    assert Actor("staff", "p", None, "p", "李四").label() == "李四（市科协）"
    service = Actor.of(Verifier(PUBLIC).verify(issue(PRIVATE, "staff", "svc:nightly")))
    assert service.person_id is None and service.label() is None
    assert service.stored() == {"role": "staff", "subject": "svc:nightly", "district": None}
    event = new_event(catalog.TotpEnabled, "account-x", {"person_id": "x"}, actor=actor)
    raw = {**_raw(event), "actor": actor.stored()}
    assert envelope.load(raw).actor == actor
    old = {**_raw(event), "actor": {"role": "office", "subject": "o", "district": "巴州区"}}
    assert envelope.load(old).actor == Actor("office", "o", "巴州区")


def _raw(event):  # type: ignore[no-untyped-def]
    return {
        "event_id": str(event.event_id), "stream_id": event.stream_id,
        "stream_type": event.stream_type, "version": 1, "position": 1, "type": event.type,
        "schema_version": event.schema_version, "occurred_at": event.occurred_at.isoformat(),
        "correlation_id": str(event.correlation_id), "causation_id": None, "data": event.data,
    }  # fmt: skip


def test_an_initial_password_s_token_says_so() -> None:
    initial = Person(ZHANG.person_id, "张三", "office", "巴州区", must_change_password=True)
    principal = Verifier(PUBLIC).verify(issue_for_person(PRIVATE, initial, "sid-1"))
    assert principal.must_change_password
    assert not Verifier(PUBLIC).verify(issue_for_person(PRIVATE, ZHANG, "s")).must_change_password
