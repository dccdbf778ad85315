"""Database engines that cooperate with eventlet.

psycopg 3 only detects gevent: under eventlet each query would stall every greenthread of the
process (measured: 5 concurrent `pg_sleep(1)` took 5 s). `wait_select` makes psycopg wait on
sockets through `select`, which eventlet's monkey patching turns into a cooperative wait.
tests/integration/test_eventlet_hub.py guards this.
"""

from __future__ import annotations

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
