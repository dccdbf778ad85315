"""Asking the owners for their logs over nameko RPC: `events_since` with a short timeout (the
lag endpoint must answer even when an owner is down), and `log_page` for a rebuild."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

Ask = Callable[[str, int, int], list[dict[str, Any]]]


class OwnerLogs(DependencyProvider):
    def __init__(self, timeout: float = 3) -> None:
        self.timeout = timeout

    def get_dependency(self, worker_ctx: Any) -> Ask:
        return self.ask

    def ask(self, source: str, after: int, limit: int) -> list[dict[str, Any]]:
        with ClusterRpcProxy(self.container.config, timeout=self.timeout) as cluster:
            return getattr(cluster, source).events_since(after, limit)  # type: ignore[no-any-return]


class LogPages:
    """A rebuild's `fetch` over nameko RPC that may be called from several threads at once:
    a standalone proxy has one reply queue and serves one call at a time, so each thread gets
    its own (`close` stops them all). Asks the owners' `log_page` (one JSON text per page)."""

    def __init__(self, config: dict[str, Any], timeout: float = 120) -> None:
        self.config = config
        self.timeout = timeout
        self.local = threading.local()
        self.proxies: list[ClusterRpcProxy] = []
        self.lock = threading.Lock()

    def __call__(self, source: str, after: int, limit: int) -> list[Any]:
        cluster = getattr(self.local, "cluster", None)
        if cluster is None:
            proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
            with self.lock:
                self.proxies.append(proxy)
            cluster = self.local.cluster = proxy.start()
        return json.loads(getattr(cluster, source).log_page(after, limit))  # type: ignore[no-any-return]

    def close(self) -> None:
        with self.lock:
            proxies, self.proxies = self.proxies, []
        for proxy in proxies:
            with contextlib.suppress(Exception):
                proxy.stop()

    def __enter__(self) -> LogPages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
