"""Fixtures on the real servers started by `make up` / `deploy/local/infra-up.sh`.

Each test gets a throw-away PostgreSQL database and a RabbitMQ vhost of its own, so tests
never see each other's (or the running stack's) data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import pytest
import requests
from kombu import Connection, Queue
from kombu.mixins import ConsumerMixin
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared import config, migrations, topology
from shared.db import make_engine
from shared.eventstore import EventStore
from tests.integration.access_fixtures import access_recorder  # noqa: F401  (fixture)
from tests.integration.identity_fixtures import identity_api, identity_container  # noqa: F401  (fixtures)
from tests.integration.intake_fixtures import calls_file_text, intake_api  # noqa: F401  (fixtures)
from tests.integration.media_fixtures import media_api, media_bucket  # noqa: F401  (fixtures)

# Every nameko queue consumer (one per container, one per RPC proxy) polls for its stop once
# per `safety_interval`, 1 s by default, and a container stops them one after another: 3 s or
# more per container stopped, hundreds of times a run. The tests start and stop containers
# in this process, so they poll every 0.1 s; the services keep kombu's default.
ConsumerMixin.consume.__defaults__ = (None, None, 0.1)


def _test_role_url() -> str:
    """The `kechuang_test` role may create databases (deploy/local/infra-up.sh)."""
    return config.load().db_url("test")


@contextmanager
def throwaway_database() -> Iterator[str]:
    admin = create_engine(_test_role_url(), isolation_level="AUTOCOMMIT")
    name = f"kechuang_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_test_role_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url() -> Iterator[str]:
    with throwaway_database() as url:
        yield url


@pytest.fixture
def other_database_url() -> Iterator[str]:
    """A second service's database, for tests where two services talk."""
    with throwaway_database() as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[EventStore]:
    engine = make_engine(database_url, pool_size=10)
    migrations.upgrade(database_url)
    event_store = EventStore(engine)
    yield event_store
    engine.dispose()


@dataclass(frozen=True)
class Broker:
    """Where a test's messages go: the test vhost and exchange names of its own."""

    uri: str
    exchange: str
    dead_letter_exchange: str
    queues: list[Queue] = field(default_factory=list)

    def declare_queue(self, consumer: str, stream_types: list[str] | None = None) -> Queue:
        queue = topology.consumer_queue(
            consumer, stream_types or ["thing"], self.exchange, self.dead_letter_exchange
        )
        with self.connection() as conn:
            topology.declare(conn, [queue], self.exchange, self.dead_letter_exchange)
        self.queues.append(queue)
        return queue

    def connection(self) -> Connection:
        return Connection(self.uri)

    def env(self) -> dict[str, str]:
        return {
            "KECHUANG_AMQP_URI": self.uri,
            "KECHUANG_EXCHANGE": self.exchange,
            "KECHUANG_DEAD_LETTER_EXCHANGE": self.dead_letter_exchange,
        }


@contextmanager
def private_vhost(prefix: str = "kechuang_test") -> Iterator[str]:
    """A RabbitMQ vhost of its own (management API), removed afterwards: whoever uses it never
    shares queues or RPC service names with anyone else."""
    amqp = urlsplit(config.load().amqp_uri)
    api = f"http://{amqp.hostname}:15672/api"
    auth = (unquote(amqp.username or "guest"), unquote(amqp.password or "guest"))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/vhosts/{name}", auth=auth, timeout=30).raise_for_status()
    requests.put(
        f"{api}/permissions/{name}/{auth[0]}",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=auth,
        timeout=30,
    ).raise_for_status()
    try:
        yield name
    finally:
        requests.delete(f"{api}/vhosts/{name}", auth=auth, timeout=30)


def vhost_uri(vhost: str) -> str:
    return urlsplit(config.load().amqp_uri)._replace(path=f"/{vhost}").geturl()


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Broker]:
    """A vhost of the test's own, removed with everything in it afterwards. A vhost shared by
    the session kept the RPC queues of services earlier tests started (`rpc-screening`…):
    a later call to such a service then waited out its timeout on a queue nobody consumes,
    where in a clean vhost it fails at once (every intake teardown waited 20 s for its
    catch-up timer that way)."""
    with private_vhost() as vhost:
        tag = uuid.uuid4().hex[:8]
        found = Broker(vhost_uri(vhost), f"test.{tag}.events", f"test.{tag}.dead")
        for key, value in found.env().items():
            monkeypatch.setenv(key, value)
        yield found
