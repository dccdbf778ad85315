"""Small helpers shared by the integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kombu import Connection, Queue

from shared.eventstore import EventStore
from tests.events_for_tests import thing


def wait_until(condition: Callable[[], Any], timeout: float = 30, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or condition}")
        time.sleep(0.02)


def append_things(store: EventStore, count: int, per_stream: int = 100) -> list[Any]:
    """Append `count` events spread over streams of `per_stream` events; returns their ids."""
    ids = []
    batch = uuid.uuid4().hex[:8]
    for start in range(0, count, per_stream):
        stream = f"thing-{batch}-{start}"
        events = [thing(n, stream) for n in range(start, min(start + per_stream, count))]
        with store.engine.begin() as conn:
            ids += [e.event_id for e in store.append(conn, stream, events, expected_version=0)]
    return ids


def message_count(broker: Any, queue: Queue) -> int:
    with Connection(broker.uri) as conn:
        return queue(conn.default_channel).queue_declare(passive=True).message_count


def drain(broker: Any, queue: Queue) -> list[dict[str, Any]]:
    """Take every message now in `queue` (acknowledged), as decoded bodies."""
    bodies = []
    with Connection(broker.uri) as conn:
        bound = queue(conn.default_channel)
        while (message := bound.get(no_ack=True)) is not None:
            bodies.append(message.payload)
    return bodies


@contextmanager
def relay_process(
    broker: Any,
    database_url: str,
    log: Path,
    batch: int = 500,
    service: str = "intake",
    idle: float = 1.0,
) -> Iterator[subprocess.Popen]:
    """`kechuang relay SERVICE` as its own process, on the test's database and exchange."""
    env = os.environ | broker.env() | {f"KECHUANG_DB_URL_{service.upper()}": database_url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ops.cli",
            "relay",
            service,
            "--batch",
            str(batch),
            "--idle",
            str(idle),
        ],  # fmt: skip
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
