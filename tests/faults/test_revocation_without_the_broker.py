"""A revocation view nobody can confirm is not trusted (issue #24, item 3): with RabbitMQ
stopped, the services cannot hear identity (neither its events nor its log over RPC), so after
`STALE_SECONDS` a person's token is answered 503 in Chinese rather than served against a view
that stopped moving; once the broker is back the same token is served again, by itself. It
stops RabbitMQ for everyone on this machine, so it runs with the fault tests, alone."""

from __future__ import annotations

import time

from shared.revocation import STALE_SECONDS
from tests.faults.test_relay_across_a_broker_restart import rabbitmqctl
from tests.front_door import token
from tests.integration.helpers import wait_until
from tests.security.clients import Browser, new_account


def test_a_person_s_token_is_not_served_on_trust_while_the_broker_is_down(
    base_url: str,
) -> None:
    username = new_account(base_url)
    browser = Browser(base_url)
    person = browser.token(username)
    script = token("--role", "staff")  # a CLI token: no person, nothing identity revokes

    def reads(bearer: str) -> int:
        return browser.request("GET", "/api/v1/reports/summary", bearer).status_code

    # (The fault tests before this one restarted the broker: the views may still be catching up.)
    wait_until(lambda: reads(person) == 200, 90, "the person's token served")
    rabbitmqctl("stop_app")
    try:
        started = time.monotonic()
        # (A tuple: a Response is falsy when its status is an error.)
        (answer,) = wait_until(
            lambda: (a := browser.request("GET", "/api/v1/reports/summary", person))
            .status_code == 503 and (a,),
            STALE_SECONDS + 45, "the person's token to be refused for want of a current view",
        )  # fmt: skip
        waited = time.monotonic() - started
        assert "核验" in answer.json()["error"]["message"]
        assert int(answer.headers["Retry-After"]) > 0
        assert waited < STALE_SECONDS + 45
        assert reads(script) == 200  # reports still answer: only people's tokens wait
    finally:
        rabbitmqctl("start_app")
    wait_until(lambda: reads(person) == 200, 90, "the token served again after the broker")
