"""Database engines that cooperate with eventlet.

psycopg 3 only detects gevent: under eventlet each query would stall every greenthread of the
process (measured: 5 concurrent `pg_sleep(1)` took 5 s). `wait_select` makes psycopg wait on
sockets through `select`, which eventlet's monkey patching turns into a cooperative wait.
tests/integration/test_eventlet_hub.py guards this.
"""

from __future__ import annotations

from threading import Lock

import psycopg
import psycopg.waiting
from sqlalchemy import Engine, create_engine


def cooperate_with_eventlet() -> None:
    """Make psycopg yield to the eventlet hub while it waits for the server."""
    psycopg.waiting.wait = psycopg.waiting.wait_select  # type: ignore[assignment]


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """At most `pool_size` connections, no overflow: a process's share of PostgreSQL's
    `max_connections` is exactly its pool (a greenthread past it waits for a free one)."""
    cooperate_with_eventlet()
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)


class Engines:
    """One engine per database URL in a process, shared by every dependency that asks for it
    (a service's event store, its projection and its subscription are three dependencies on
    one database): so a process holds at most one pool per database, as the connection budget
    counts it (deploy/local/services-up.sh). Each engine is disposed when its last user lets
    it go, so containers started and stopped in one process (the tests) do not close each
    other's pools."""

    def __init__(self) -> None:
        self.lock = Lock()
        self.engines: dict[str, tuple[Engine, int]] = {}

    def take(self, url: str, pool_size: int) -> Engine:
        with self.lock:
            engine, users = self.engines.get(url) or (make_engine(url, pool_size), 0)
            self.engines[url] = (engine, users + 1)
            return engine

    def release(self, engine: Engine) -> None:
        with self.lock:
            url = next((u for u, (e, _) in self.engines.items() if e is engine), None)
            if url is not None:
                users = self.engines[url][1] - 1
                if users:
                    self.engines[url] = (engine, users)
                    return
                del self.engines[url]
        engine.dispose()


engines = Engines()
