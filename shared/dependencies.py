"""nameko dependency providers: the database, the event store and a consumer's subscription.

Each provider reads its settings through `shared.config.load()` when the container starts
(never at import time) and gives workers a ready object. Engines are per container.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from threading import Lock
from typing import Any

from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import Engine
from werkzeug import Request

from shared import calls, config, topology
from shared.auth import InvalidToken, Principal, Verifier
from shared.consumer import Subscription, Turns
from shared.db import engines
from shared.errors import Refused
from shared.eventstore import EventStore
from shared.revocation import Revocations
from shared.revocation_feed import RevocationFeed


class Database(DependencyProvider):
    """An SQLAlchemy engine on the service's own database."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.engine: Engine | None = None

    def setup(self) -> None:
        settings = config.load()
        self.engine = engines.take(settings.db_url(self.service), settings.db_pool_size)

    def stop(self) -> None:
        if self.engine is not None:
            engines.release(self.engine)
            self.engine = None

    def get_dependency(self, worker_ctx: Any) -> Engine:
        assert self.engine is not None
        return self.engine


class Store(Database):
    """The service's event store."""

    def get_dependency(self, worker_ctx: Any) -> EventStore:  # type: ignore[override]
        assert self.engine is not None
        return EventStore(self.engine)


class Subscriber(Database):
    """The consumer `name`'s subscription; catch-up reads owners' logs over nameko RPC."""

    def __init__(
        self, service: str, name: str, stream_owners: dict[str, str] | None = None
    ) -> None:
        super().__init__(service)
        self.name = name
        self.stream_owners = stream_owners or {
            s: topology.STREAM_OWNERS[s] for s in topology.CONSUMERS[name]
        }

    def setup(self) -> None:
        super().setup()
        self.turns = Turns()  # per process: one drainer per source (shared.consumer)
        # One proxy per source, each used by one call at a time (`gate`, green under
        # eventlet): a source that does not answer (its service down: a 10 s RPC timeout)
        # then delays only its own catch-up, never the reads of the other sources' logs.
        self.proxies: dict[str, _Proxy] = {}

    def stop(self) -> None:
        for proxy in self.proxies.values():
            proxy.stop()
        super().stop()

    def _fetch(self, source: str, after: int, limit: int) -> list[dict[str, Any]]:
        proxy = self.proxies.setdefault(source, _Proxy(self.container.config))
        return proxy.events_since(source, after, limit)

    def get_dependency(self, worker_ctx: Any) -> Subscription:  # type: ignore[override]
        assert self.engine is not None
        return Subscription(
            self.engine, self.name, self.stream_owners, self._fetch, turns=self.turns
        )


class Authenticator(DependencyProvider):
    """Gives workers `authenticate(request) -> Principal`; a missing, malformed, forged or
    expired bearer token is a 401 in the documented shape, and so is a person's token that
    identity revoked (the process's own revocation view, `shared.revocation_feed`), and a CLI
    token whose id was revoked. A person's token meets a 503 while that view is not current
    (`Revocations.current`). A token from a sign-in with an initial password, or of a staff
    admin yet to enrol TOTP, is good for that setup only: 403 elsewhere
    (`allow_initial_password`: identity, which takes it). Identity itself keeps no
    view (`follow_identity=False`): it reads its own tables instead."""

    def __init__(self, allow_initial_password: bool = False, follow_identity: bool = True) -> None:
        self.allow_initial_password = allow_initial_password
        self.follow_identity = follow_identity

    def setup(self) -> None:
        self.verifier = Verifier(config.load().jwt_public_key())
        self.revocations = Revocations(stale_seconds=config.load().revocation_stale_seconds)
        self.feed = RevocationFeed(self.container.config, self.revocations)

    def start(self) -> None:
        if self.follow_identity:
            self.container.spawn_managed_thread(self.feed.run)

    def stop(self) -> None:
        self.feed.stop()

    def get_dependency(self, worker_ctx: Any) -> Callable[[Request], Principal]:
        return self.authenticate

    def authenticate(self, request: Request) -> Principal:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused("unauthorized", "缺少访问令牌（Authorization: Bearer …）")
        try:
            principal = self.verifier.verify(token.strip())
        except InvalidToken:
            raise Refused("unauthorized", "访问令牌无效或已过期") from None
        if self.follow_identity and self.revocations.refuses(principal):
            raise Refused("unauthorized", "登录已失效，请重新登录")
        if principal.is_person and self.follow_identity and not self.revocations.current():
            raise Refused("unavailable", "暂时无法核验登录状态，请稍后重试", retry_after=5)
        if not self.allow_initial_password:
            if principal.must_change_password:
                raise Refused("forbidden", "请先修改初始密码", must_change_password=True)
            if principal.must_enrol_totp:
                raise Refused("forbidden", "请先启用动态验证码", must_enrol_totp=True)
        return principal


class Calls(DependencyProvider):
    """The calls from `KECHUANG_CALLS` (default: deploy/calls.yaml), read at start."""

    def setup(self) -> None:
        self.calls = calls.load(config.load().calls_file)

    def get_dependency(self, worker_ctx: Any) -> dict[str, calls.Call]:
        return self.calls


class _Proxy:
    """A standalone RPC proxy (one reply queue) kept for the process's life: a proxy per call
    would leave a reply queue behind on the broker for each catch-up. It is not safe for
    concurrent calls (one reply consumer), so `gate` serialises them."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.gate = Lock()
        self.rpc: ClusterRpcProxy | None = None
        self.cluster: Any = None

    def events_since(self, source: str, after: int, limit: int) -> list[dict[str, Any]]:
        with self.gate:
            if self.cluster is None:
                self.rpc = ClusterRpcProxy(self.config, timeout=10)
                self.cluster = self.rpc.start()
            try:
                return getattr(self.cluster, source).events_since(after, limit)  # type: ignore[no-any-return]
            except (RemoteError, UnknownService, RpcTimeout):
                raise  # the owner's answer, or its absence: the proxy itself is fine
            except Exception:
                self.stop()  # a broken connection: start afresh next time
                raise

    def stop(self) -> None:
        if self.rpc is not None:
            with contextlib.suppress(Exception):
                self.rpc.stop()
        self.rpc, self.cluster = None, None
