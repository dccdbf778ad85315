"""Entries created per second through the front door, with 16 concurrent clients.

Run by `make bench` against the stack `make up` started. In the same run, as baselines through
the same nginx: `GET /healthz/intake` (a database query and a broker connection per call) and
`GET /api/v1/openapi.json` (no I/O: the floor of HTTP + nginx + nameko). Prints requests/s,
p50/p99 latency and the ratio of creates to each baseline. The drafts it creates stay in the
running stack's database, under the subject `bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable

import requests

from shared import config
from shared.auth import issue
from tests.entries import full_body

CLIENTS = 16
PER_CLIENT = 100


def run(request: Callable[[requests.Session], requests.Response]) -> tuple[float, list[float]]:
    """CLIENTS threads, each with its own keep-alive session, PER_CLIENT requests each."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client() -> None:
        session = requests.Session()
        mine = []
        barrier.wait()
        for _ in range(PER_CLIENT):
            start = time.perf_counter()
            response = request(session)
            mine.append(time.perf_counter() - start)
            if response.status_code >= 300:
                failures.append(f"{response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return CLIENTS * PER_CLIENT / elapsed, latencies


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="another base URL (an intake process of your own, say)")
    parser.add_argument("--only-create", action="store_true", help="skip the baselines")
    args = parser.parse_args()
    base = args.url or f"http://127.0.0.1:{os.environ.get('KECHUANG_PORT', '8080')}"
    token = issue(config.load().jwt_private_key(), "office", "bench", "巴州区")
    headers = {"Authorization": f"Bearer {token}"}
    body = full_body("achievement")

    cases = {
        "POST /api/v1/submissions": lambda s: s.post(
            f"{base}/api/v1/submissions", json=body, headers=headers, timeout=30
        ),
        "GET /healthz/intake": lambda s: s.get(f"{base}/healthz/intake", timeout=30),
        "GET /api/v1/openapi.json": lambda s: s.get(f"{base}/api/v1/openapi.json", timeout=30),
    }
    print(f"{CLIENTS} concurrent clients x {PER_CLIENT} requests, through nginx at {base}")
    print(f"{'request':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    if args.only_create:
        cases = {"POST /api/v1/submissions": cases["POST /api/v1/submissions"]}
    rates = {}
    for name, request in cases.items():
        rate, latencies = run(request)
        rates[name] = rate
        print(
            f"{name:<28} {rate:>8.0f} {percentile(latencies, 50):>8.1f}"
            f" {percentile(latencies, 99):>8.1f}"
        )
    creates = rates["POST /api/v1/submissions"]
    if args.only_create:
        return
    print(f"creates / healthz: {creates / rates['GET /healthz/intake']:.2f}")
    print(f"creates / openapi.json: {creates / rates['GET /api/v1/openapi.json']:.2f}")


if __name__ == "__main__":
    main()
