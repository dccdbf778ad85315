"""Password hashing off identity's event loop.

argon2id costs tens of milliseconds of CPU by design. Run on the eventlet hub, a flood of
sign-ins would stall every other request of the process (refreshes, session reads). Here each
hash runs in an OS thread (`eventlet.tpool`: argon2-cffi releases the GIL), at most
`PARALLEL` at once, and at most `QUEUE` more wait: past that a sign-in is answered 503 at
once (retry) instead of piling up memory and latency.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Semaphore  # green under nameko's monkey-patching
from typing import TypeVar

from services.identity.domain import passwords
from shared.errors import Refused

T = TypeVar("T")
PARALLEL = 1  # argon2id runs 4 lanes: one hash at a time already takes both cores
QUEUE = 64


class Hashing:
    def __init__(self, parallel: int = PARALLEL, queue: int = QUEUE) -> None:
        self.slots = Semaphore(parallel)
        self.limit = parallel + queue
        self.waiting = 0

    def _run(self, work: Callable[..., T], *args: object) -> T:
        if self.waiting >= self.limit:
            raise Refused("unavailable", "登录请求较多，请稍后重试", retry_after=1)
        self.waiting += 1
        try:
            with self.slots:
                # Imported here: only a nameko (eventlet) process has a hub to hand back to.
                from eventlet import patcher, tpool

                if patcher.is_monkey_patched("thread"):
                    return tpool.execute(work, *args)  # type: ignore[no-any-return]
                return work(*args)
        finally:
            self.waiting -= 1

    def verify(self, stored_hash: str | None, password: object) -> bool:
        return self._run(passwords.verify, stored_hash, password)

    def hash(self, password: str) -> str:
        return self._run(passwords.hash_password, password)
