"""The outbox relay's guarantee across a broker restart: every stored event is published at
least once. It stops RabbitMQ's application for everyone on this machine, so it lives with
the fault tests, which `make test` runs alone (deploy/local/test.sh); the relay's other
guarantees are tested in tests/integration/test_relay.py."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from shared.eventstore import EventStore
from tests.integration.helpers import append_things, drain, relay_process, wait_until
from tests.integration.test_relay import relay_checkpoint


def rabbitmqctl(*args: str) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "rabbitmqctl", "-q", *args], check=True, capture_output=True)


def test_broker_stopped_and_started_during_publishing_loses_nothing(
    store: EventStore, broker, database_url: str, tmp_path: Path
) -> None:
    # `stop_app` stops the broker application: every connection is closed and new ones are
    # refused, as in a restart, without the ~10 s of booting a new Erlang VM.
    queue = broker.declare_queue("relay-restart")
    appended = []
    with relay_process(broker, database_url, tmp_path / "relay.log"):
        appended += append_things(store, 200, per_stream=10)
        wait_until(lambda: relay_checkpoint(store) > 0, message="relay started publishing")
        rabbitmqctl("stop_app")
        try:
            appended += append_things(store, 300, per_stream=10)  # written while it is down
            time.sleep(2)
        finally:
            rabbitmqctl("start_app")
        appended += append_things(store, 200, per_stream=10)
        wait_until(
            lambda: relay_checkpoint(store) == len(appended), timeout=60, message="relay done"
        )
    received = {body["event_id"] for body in drain(broker, queue)}
    assert received == {str(e) for e in appended}
