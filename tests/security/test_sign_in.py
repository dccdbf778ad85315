"""Sign-in that no stranger can jam or read (issue #24, item 1; OWASP ASVS V2.2).

Through the front door of the running stack, from other loopback addresses: failures slow the
one who makes them, never the owner at their usual browser, and nothing in the answers tells
a stranger which usernames exist."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable

import requests

from tests.security.clients import Browser, new_account


def _wrong(browser: Browser, username: str, times: int) -> list[requests.Response]:
    return [browser.sign_in(username, f"wrong-password-{n}") for n in range(times)]


def test_a_stranger_hammering_an_account_never_keeps_its_owner_out(
    base_url: str, strangers: Callable[[], Browser]
) -> None:
    """Defends against: locking every clerk out on the last evening of a call (five wrong
    passwords used to lock the account, whoever sent them). The owner's browser, which signed
    in before, still gets in; the stranger is throttled with a Chinese 429 and Retry-After."""
    username = new_account(base_url)
    owner = Browser(base_url)  # the clerk's own browser, at the office
    assert owner.sign_in(username).status_code == 200
    assert "kechuang_device" in owner.cookies

    attacker = strangers()
    answers = _wrong(attacker, username, 8)
    assert [a.status_code for a in answers[:5]] == [401] * 5
    throttled = answers[-1]
    assert throttled.status_code == 429, throttled.text
    assert int(throttled.headers["Retry-After"]) > 0
    assert "频繁" in throttled.json()["error"]["message"]
    # Even the right password is held back for browsers the account never used...
    assert strangers().sign_in(username).status_code == 429
    # ...but the owner's own browser gets in, however long the stranger goes on.
    _wrong(attacker, username, 3)
    assert owner.sign_in(username).status_code == 200


def test_unknown_and_known_usernames_answer_alike_before_and_after_many_failures(
    base_url: str, strangers: Callable[[], Browser]
) -> None:
    """Defends against: learning who has an account (423 with `locked_until` for a known name,
    401 for an unknown one used to tell them apart), by status, body shape or timing."""
    known = new_account(base_url)
    unknown = f"nobody-{uuid.uuid4().hex[:10]}"

    def attempts(username: str) -> tuple[list[tuple[int, str, list[str]]], list[float]]:
        browser = strangers()
        seen, seconds = [], []
        for n in range(7):
            started = time.perf_counter()
            answer = browser.sign_in(username, f"wrong-password-{n}")
            seconds.append(time.perf_counter() - started)
            error = answer.json()["error"]
            seen.append((answer.status_code, error["code"], sorted(error)))
        return seen, seconds

    known_seen, known_seconds = attempts(known)
    unknown_seen, unknown_seconds = attempts(unknown)
    assert known_seen == unknown_seen
    assert [status for status, _, _ in known_seen] == [401] * 5 + [429] * 2
    # The password is checked (argon2id) for unknown names too: the same work, the same time.
    checked_known = statistics.median(known_seconds[:5])
    checked_unknown = statistics.median(unknown_seconds[:5])
    assert 0.5 < checked_known / checked_unknown < 2.0, (known_seconds, unknown_seconds)


def test_the_client_address_is_the_front_door_s_not_a_forwarded_header(
    base_url: str, stranger: Browser
) -> None:
    """Defends against: dodging the per-address limit by sending a new X-Forwarded-For with
    each guess. nginx believes that header only from trusted proxies (none here), so identity
    counts the real address."""
    from sqlalchemy import create_engine, select

    from services.identity.adapters.tables import sign_in_failures
    from services.identity.throttle import source_key
    from shared import config

    answer = stranger.request("POST", "/api/v1/session", headers={"X-Forwarded-For": "203.0.113.7"},
                              json={"username": f"nobody-{uuid.uuid4().hex[:8]}",
                                    "password": "wrong-password-1"})  # fmt: skip
    assert answer.status_code == 401
    engine = create_engine(config.load().db_url("identity"))
    with engine.connect() as conn:
        keys = set(conn.execute(select(sign_in_failures.c.key)).scalars())
    engine.dispose()
    assert source_key(stranger.address) in keys
    assert source_key("203.0.113.7") not in keys


def test_a_flood_of_sign_ins_leaves_session_reads_answering(
    base_url: str, strangers: Callable[[], Browser]
) -> None:
    """Defends against: stalling identity with sign-ins (argon2 used to run on its event
    loop, so every refresh and session read waited behind the hashing)."""
    from concurrent.futures import ThreadPoolExecutor

    username = new_account(base_url)
    reader = Browser(base_url)
    token = reader.token(username)
    flooders = [strangers() for _ in range(16)]

    def flood(browser: Browser) -> int:
        return browser.sign_in(f"nobody-{uuid.uuid4().hex[:8]}", "wrong-password-1").status_code

    def read() -> float:
        started = time.perf_counter()
        assert reader.request("GET", "/api/v1/session", token).status_code == 200
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=20) as pool:
        flooding = [pool.submit(flood, b) for _ in range(2) for b in flooders]
        reads = [read() for _ in range(10)]
        statuses = [f.result() for f in flooding]
    assert set(statuses) <= {401, 429, 503}, statuses
    assert max(reads) < 1.0, reads
