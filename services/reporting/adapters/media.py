"""Asking media about the recommended entries' materials over nameko RPC, with standalone
proxies: the province package reads the bytes after the HTTP worker has returned its
(streamed) answer, when the worker's own RPC proxy is gone, so the stream holds a proxy of its
own for as long as it runs (`Sources`, closed when the stream ends)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

# One presigned GET is asked for just before its object is read, so a package that streams for
# an hour never meets an expired URL; 15 minutes is ample for the request to start.
URL_SECONDS = 900


class Sources:
    """`material id -> {url, sha256, size, …}` of a stored material (None: not stored), from
    media's `material_sources`; the proxy starts on first use and stops at `close`."""

    def __init__(self, config: dict[str, Any], timeout: float) -> None:
        self.config, self.timeout = config, timeout
        self.proxy: ClusterRpcProxy | None = None
        self.cluster: Any = None

    def __call__(self, material_id: str) -> Mapping[str, Any] | None:
        if self.cluster is None:
            self.proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
            self.cluster = self.proxy.start()
        found = self.cluster.media.material_sources([material_id], URL_SECONDS)
        return found.get(material_id)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.proxy is not None:
            with contextlib.suppress(Exception):
                self.proxy.stop()
        self.proxy = self.cluster = None


class Materials:
    def __init__(self, config: dict[str, Any], timeout: float = 30) -> None:
        self.config, self.timeout = config, timeout

    def digests(self, material_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Size, verified SHA-256, status and whether the object is in the bucket, by
        material id (media's `material_digests`, checking the objects)."""
        if not material_ids:
            return {}
        with ClusterRpcProxy(self.config, timeout=self.timeout) as cluster:
            found = cluster.media.material_digests(material_ids, check_objects=True)
            return found  # type: ignore[no-any-return]

    def sources(self) -> Sources:
        return Sources(self.config, self.timeout)


class MediaMaterials(DependencyProvider):
    def get_dependency(self, worker_ctx: Any) -> Materials:
        return Materials(self.container.config)
