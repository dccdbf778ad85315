"""Give asyncio back the blocking primitives that eventlet patched, so Playwright can run.

The suite's top conftest monkey-patches the whole process for eventlet (the integration tests
run nameko). Playwright's sync API runs an asyncio loop in a greenlet of its own and talks to
its driver over pipes. Under the patch, a read of a pipe or the driver's spawn goes through
eventlet's hub, and eventlet then re-parents Playwright's greenlet to the hub: the loop stalls
and, at exit, control ends up in the hub forever. So asyncio, and only asyncio, gets the
unpatched `os.read`/`os.write`/`os.waitpid`, a real epoll selector and a `subprocess` module
built on them. Nothing else in the suite uses asyncio; eventlet keeps working as before.
"""

from __future__ import annotations

import asyncio
import asyncio.base_subprocess
import asyncio.unix_events
import concurrent.futures
import importlib.util
import os
import sys
import types
from typing import Any

from eventlet import patcher
from eventlet.green import os as green_os


def _fresh_module(name: str, **deps: types.ModuleType) -> Any:
    """Import a new copy of module `name` that sees `deps` in place of the patched ones."""
    saved = {key: sys.modules.get(key) for key in deps}
    sys.modules.update(deps)
    try:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs the work at once in the caller. Playwright reads and writes files (screenshots,
    uploads, downloads) through the loop's default executor; its threads would be green
    threads that never run while the loop blocks in the real epoll."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
            future.set_exception(error)
        return future


def install() -> None:
    plain_os = types.ModuleType("os")
    plain_os.__dict__.update(os.__dict__)
    plain_os.read = green_os.__original_read__  # type: ignore[attr-defined]
    plain_os.write = green_os.__original_write__  # type: ignore[attr-defined]
    plain_os.waitpid = green_os.__original_waitpid__  # type: ignore[attr-defined]
    plain_select = patcher.original("select")
    plain_selectors = _fresh_module("selectors", select=plain_select)
    plain_subprocess = _fresh_module(
        "subprocess", os=plain_os, select=plain_select, selectors=plain_selectors
    )
    asyncio.unix_events.os = plain_os  # type: ignore[attr-defined]
    asyncio.unix_events.subprocess = plain_subprocess  # type: ignore[attr-defined]
    asyncio.base_subprocess.subprocess = plain_subprocess  # type: ignore[attr-defined]

    class Policy(asyncio.DefaultEventLoopPolicy):
        """New loops select with real epoll and reap children through a pidfd (no thread)."""

        watcher: Any = None

        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            loop = asyncio.SelectorEventLoop(plain_selectors.EpollSelector())
            loop.set_default_executor(InlineExecutor(max_workers=1))
            if hasattr(asyncio, "PidfdChildWatcher") and sys.version_info < (3, 12):
                self.watcher = asyncio.PidfdChildWatcher()
                self.watcher.attach_loop(loop)
            return loop

        def get_child_watcher(self) -> Any:
            return self.watcher if self.watcher is not None else super().get_child_watcher()

    asyncio.set_event_loop_policy(Policy())


def needed() -> bool:
    """True when eventlet has patched this process (the suite's top conftest does)."""
    return patcher.is_monkey_patched("os") or patcher.is_monkey_patched("select")
