"""Asking the owners for their logs over nameko RPC (`events_since`), with a short timeout:
the lag endpoint must answer even when an owner is down."""

from __future__ import annotations

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
