"""Where the machine's CPU went during a benchmark: CPU seconds per part of the stack.

On this 2-core machine every part of the stack (nginx, the services, the relays, PostgreSQL,
RabbitMQ, the benchmark itself) shares two cores, so a pipeline that falls behind is usually
one part spending more CPU per change than the others can spare. `Meter` snapshots each
process's user + system time (psutil) before and after, grouped by what the process is.
Processes that start and end inside the window are not counted (the stack's are long-lived:
pooled PostgreSQL connections, supervised services).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import psutil

# First match wins: (group, pattern over the command line).
_GROUPS = (
    ("postgres", re.compile(r"^postgres")),
    ("rabbitmq", re.compile(r"beam\.smp|epmd|erl_child_setup|inet_gethost")),
    ("nginx", re.compile(r"^nginx")),
    ("minio", re.compile(r"minio server")),
    ("relays", re.compile(r"relay")),
    ("bench", re.compile(r"-m bench\.|bench/")),
)
_SERVICE = re.compile(r"services\.(\w+)\.service")


def _group(process: psutil.Process) -> str | None:
    try:
        cmdline = " ".join(process.cmdline()) or process.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    if process.pid == os.getpid():
        return "bench"
    if found := _SERVICE.search(cmdline):
        return found.group(1)
    for name, pattern in _GROUPS:
        if pattern.search(cmdline):
            return name
    return None


def _times() -> dict[int, tuple[str, float]]:
    found = {}
    for process in psutil.process_iter():
        group = _group(process)
        if group is None:
            continue
        try:
            t = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        found[process.pid] = (group, t.user + t.system)
    return found


class Meter:
    """CPU seconds per group between `start()` and `stop()`."""

    def start(self) -> None:
        self.before = _times()

    def stop(self) -> dict[str, float]:
        after = _times()
        spent: dict[str, float] = defaultdict(float)
        for pid, (group, seconds) in after.items():
            _, was = self.before.get(pid, (group, 0.0))
            spent[group] += max(0.0, seconds - was)
        return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


def table(spent: dict[str, float], changes: int, wall: float) -> str:
    """One line per group: CPU seconds, share of the machine's cores, ms per change."""
    cores = psutil.cpu_count() or 1
    lines = [f"  {'part':<10} {'cpu s':>8} {'cores':>6} {'ms/change':>10}"]
    for group, seconds in spent.items():
        per = 1000 * seconds / changes if changes else float("nan")
        lines.append(f"  {group:<10} {seconds:8.1f} {seconds / wall:6.2f} {per:10.1f}")
    total = sum(spent.values())
    lines.append(f"  {'total':<10} {total:8.1f} {total / wall:6.2f} of {cores}")
    return "\n".join(lines)
