"""Reporting: rebuild speed, summary latency and export time, on generated events.

    deploy/local/with-env.sh .venv/bin/python -m bench.reporting [--events 1000000]

Makes throw-away databases (the `kechuang_test` role, as the integration tests do): three
owners' event stores filled with `--events` events (ten per entry: intake 4, media 3,
screening 3, so 1,000,000 events are 100,000 entries) and reporting's own. Then, in the
same run:
- a plain streamed `SELECT` of every event row, in position order: the floor of reading the logs;
- the rebuild (`adapters.rebuild.rebuild`) reading the same rows through the stores'
  `read_log_page` (what `log_page` serves, without RabbitMQ in between): events/s and the
  ratio to the plain SELECT;
- `GET /reports/summary`'s query (`queries.Reports.summary`) over the rebuilt entries: p50, p99;
- the xlsx and CSV export of `--export` entries (default 10,000): query and file, seconds;
- with `--rpc`: the rebuild again, as `kechuang rebuild` does it, through RabbitMQ: the three
  owners serve their logs over nameko RPC (`log_page`), each from a child process of its own,
  in a vhost of the bench's own.
Not run by the tests. The databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

import shared.catalog  # noqa: F401  (registers the event types)
from ops import schema
from services.reporting.adapters import export, owners, rebuild
from services.reporting.queries import Reports
from shared import config
from shared.auth import Principal
from shared.db import make_engine
from shared.entrypoints import MAX_EVENTS_PER_PAGE
from shared.eventstore import EventStore
from tests.entries import full_body

DISTRICTS = ("巴州区", "恩阳区", "通江县", "南江县", "平昌县")
CATEGORIES = ("achievement", "promotion", "challenge", "finance")
STATES = ("incomplete", "in_review", "eligible", "ineligible")
COLUMNS = (
    "position, event_id, stream_id, stream_type, version, type, schema_version, occurred_at, "
    "actor, correlation_id, causation_id, data"
)
ACTOR = json.dumps({"role": "system", "subject": "bench", "district": None})


@contextmanager
def database() -> Iterator[str]:
    role_url = config.load().db_url("test")
    admin = create_engine(role_url, isolation_level="AUTOCOMMIT")
    name = f"kechuang_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(role_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def generate(stores: dict[str, EventStore], entries: int) -> int:
    """`entries` entries' events, COPYed straight into the owners' stores (already numbered:
    the store's own append path is measured in bench/event_store.py)."""
    t0 = datetime(2021, 10, 1, tzinfo=UTC)
    bodies = {c: full_body(c) for c in CATEGORIES}
    rows: dict[str, list[tuple[str, str, str, dict]]] = {"intake": [], "media": [], "screening": []}
    written = 0
    positions = dict.fromkeys(rows, 0)
    copies = {}
    with ExitStack() as stack:
        for owner, store in stores.items():
            raw = stack.enter_context(store.engine.begin())
            driver = raw.connection.driver_connection
            cursor = stack.enter_context(driver.cursor())  # type: ignore[union-attr]
            copies[owner] = (raw, stack.enter_context(cursor.copy(
                f"COPY events ({COLUMNS}) FROM STDIN")))  # fmt: skip

        def put(owner: str, stream: str, stream_type: str, version: int, type_: str,
                data: dict, n: int) -> None:  # fmt: skip
            nonlocal written
            positions[owner] += 1
            event_id = uuid.uuid4()
            at = t0 + timedelta(seconds=n)
            copies[owner][1].write_row((
                positions[owner], event_id, stream, stream_type, version, type_, 1, at, ACTOR,
                event_id, None, json.dumps(data, ensure_ascii=False),
            ))  # fmt: skip
            written += 1

        for n in range(entries):
            sid = str(uuid.uuid4())
            district, category = DISTRICTS[n % 5], CATEGORIES[(n // 5) % 4]
            body = bodies[category] | {"title": f"项目{n}"}
            stream = f"submission-{sid}"
            put("intake", stream, "submission", 1, "SubmissionDrafted",
                {"submission_id": sid, "district": district, "call_id": "tianfu-2021",
                 "category": category, "fields": body}, n)  # fmt: skip
            put("intake", stream, "submission", 2, "SubmissionUpdated",
                {"submission_id": sid, "changed": ["title"],
                 "fields": body | {"title": f"项目{n}（修改）"}}, n)  # fmt: skip
            put("intake", stream, "submission", 3, "SubmissionSubmitted",
                {"submission_id": sid, "call_id": "tianfu-2021"}, n)  # fmt: skip
            put("intake", stream, "submission", 4, "ServiceOfficerAssigned",
                {"submission_id": sid, "name": "李保姆", "phone": "13900000000"}, n)  # fmt: skip
            mid = str(uuid.uuid4())
            m = {"material_id": mid, "submission_id": sid, "kind": "promo_video"}
            put("media", f"media-{mid}", "media", 1, "MaterialRequested",
                m | {"district": district, "filename": "推介视频.mp4",
                     "content_type": "video/mp4", "size": 10**8, "sha256": "0" * 64,
                     "object_key": f"k/{mid}", "upload_id": None, "part_size": None,
                     "expires_at": "2021-10-02T00:00:00+00:00"}, n)  # fmt: skip
            put("media", f"media-{mid}", "media", 2, "MaterialUploaded", m, n)
            put("media", f"media-{mid}", "media", 3, "MediaStored",
                m | {"size": 10**8, "sha256": "0" * 64, "content_type": "video/mp4",
                     "duration_s": 60.0, "codec": "h264", "width": 1920, "height": 1080},
                n)  # fmt: skip
            finding = {"rule": "r", "clause": "二(一)4", "outcome": "review",
                       "message": "经济社会效益需人工审核", "message_en": None}  # fmt: skip
            stream = f"screening-{sid}"
            put("screening", stream, "screening", 1, "ScreeningCompleted",
                {"submission_id": sid, "state": "in_review", "ruleset": "tianfu-2021",
                 "findings": [finding], "priority": False, "window_closed": False}, n)  # fmt: skip
            put("screening", stream, "screening", 2, "ScreeningCompleted",
                {"submission_id": sid, "state": STATES[n % 4], "ruleset": "tianfu-2021",
                 "findings": [], "priority": False, "window_closed": False}, n)  # fmt: skip
            put("screening", stream, "screening", 3, "SelectionRecorded",
                {"submission_id": sid, "decision": "selected" if n % 8 == 2 else "not_selected",
                 "note": "", "lapsed": False}, n)  # fmt: skip
    for store in stores.values():
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE events"))
    return written


def plain_select(stores: dict[str, EventStore]) -> tuple[int, float]:
    """Every event row, streamed in position order, as the driver gives it."""
    count = 0
    start = time.perf_counter()
    for store in stores.values():
        with store.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=5000).execute(
                text("SELECT * FROM events ORDER BY position")
            )
            for _ in result:
                count += 1
    return count, time.perf_counter() - start


def serve_owner(owner: str) -> None:
    """A child process of `--rpc`: one owner serving its log (the database and the broker
    come from the environment) until stdin closes. One process per owner, as `make up` runs
    them."""
    import eventlet

    eventlet.monkey_patch()
    from eventlet import tpool
    from nameko.containers import ServiceContainer

    from shared.dependencies import Store
    from shared.entrypoints import ServesEventLog

    cls = type(f"{owner}_owner", (ServesEventLog,), {"name": owner, "event_store": Store(owner)})
    container = ServiceContainer(cls, {"AMQP_URI": config.load().amqp_uri, "max_workers": 4})
    container.start()
    print("ready", flush=True)
    tpool.execute(sys.stdin.read)  # waits in a real thread, so the hub keeps serving
    container.stop()


@contextmanager
def vhost() -> Iterator[str]:
    amqp = urlsplit(config.load().amqp_uri)
    api = f"http://{amqp.hostname}:15672/api"
    auth = (unquote(amqp.username or "guest"), unquote(amqp.password or "guest"))
    name = f"kechuang_bench_{uuid.uuid4().hex[:8]}"
    requests.put(f"{api}/vhosts/{name}", auth=auth, timeout=30).raise_for_status()
    everything = {"configure": ".*", "write": ".*", "read": ".*"}
    permissions = f"{api}/permissions/{name}/{auth[0]}"
    requests.put(permissions, auth=auth, timeout=30, json=everything).raise_for_status()
    try:
        yield amqp._replace(path=f"/{name}").geturl()
    finally:
        requests.delete(f"{api}/vhosts/{name}", auth=auth, timeout=30)


def rebuild_over_rpc(engine: Engine, urls: dict[str, str], select_rate: float) -> None:
    with vhost() as uri, ExitStack() as stack:
        env = os.environ | {"KECHUANG_AMQP_URI": uri} | {
            f"KECHUANG_DB_URL_{owner.upper()}": url for owner, url in urls.items()}  # fmt: skip
        for owner in urls:
            child = subprocess.Popen(
                [sys.executable, "-m", "bench.reporting", "--serve-owner", owner],
                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            stack.callback(child.wait, timeout=60)
            stack.callback(child.stdin.close)  # type: ignore[union-attr]
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        with owners.LogPages({"AMQP_URI": uri}) as fetch:
            result = rebuild.rebuild(engine, fetch, batch=MAX_EVENTS_PER_PAGE)
    rate = result.events / result.seconds
    print(f"rebuild over RPC      : {result.events:>10,} events {result.seconds:7.1f} s "
          f"{rate:>10,.0f} events/s  = {rate / select_rate:.2f} x plain SELECT")  # fmt: skip


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--export", type=int, default=10_000, help="entries exported")
    parser.add_argument("--queries", type=int, default=500, help="summary queries timed")
    parser.add_argument("--rpc", action="store_true", help="also rebuild over nameko RPC")
    parser.add_argument("--serve-owner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_owner:
        serve_owner(args.serve_owner)
        return
    entries = args.events // 10
    with ExitStack() as stack:
        stores = {}
        urls = {}
        for owner in ("intake", "media", "screening"):
            url = urls[owner] = stack.enter_context(database())
            schema.upgrade(url)
            engine = make_engine(url, pool_size=4)
            stack.callback(engine.dispose)
            stores[owner] = EventStore(engine)
        url = stack.enter_context(database())
        schema.upgrade(url, "reporting")
        engine = make_engine(url, pool_size=4)
        stack.callback(engine.dispose)

        start = time.perf_counter()
        total = generate(stores, entries)
        print(f"generated {total:,} events ({entries:,} entries) in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip

        count, select_s = plain_select(stores)
        assert count == total
        select_rate = count / select_s
        print(f"plain streamed SELECT : {count:>10,} rows   {select_s:7.1f} s "
              f"{select_rate:>10,.0f} rows/s")  # fmt: skip

        def fetch(source: str, after: int, limit: int) -> list[Any]:
            return json.loads(stores[source].read_log_page(after, limit))  # type: ignore[no-any-return]

        result = rebuild.rebuild(engine, fetch, batch=MAX_EVENTS_PER_PAGE)
        assert result.events == total and result.entries == entries
        rate = result.events / result.seconds
        print(f"rebuild (fold+COPY)   : {result.events:>10,} events {result.seconds:7.1f} s "
              f"{rate:>10,.0f} events/s  = {rate / select_rate:.2f} x plain SELECT")  # fmt: skip

        reports = Reports(engine)
        staff = Principal("bench", "staff")
        office = Principal("bench", "office", "巴州区")
        for name, who in (("summary, staff (all)", staff), ("summary, office", office)):
            times = []
            for _ in range(args.queries):
                t = time.perf_counter()
                body = reports.summary(who, {})
                times.append(time.perf_counter() - t)
            assert body["total"] > 0
            print(f"{name:<22}: p50 {percentile(times, 50):6.2f} ms   "
                  f"p99 {percentile(times, 99):6.2f} ms   over {entries:,} entries")  # fmt: skip
        times = []
        for n in range(min(args.queries, 200)):
            t = time.perf_counter()
            reports.entries(staff, {"district": DISTRICTS[n % 5]}, 1 + n % 20, 50)
            times.append(time.perf_counter() - t)
        print(f"{'entries page (50)':<22}: p50 {percentile(times, 50):6.2f} ms   "
              f"p99 {percentile(times, 99):6.2f} ms")  # fmt: skip

        t = time.perf_counter()
        rows = reports.export_rows(staff, {}, limit=args.export)
        queried = time.perf_counter() - t
        summary = reports.summary(staff, {})
        t = time.perf_counter()
        book = export.xlsx(rows, summary, export.Heading(None, datetime.now(UTC)))
        xlsx_s = time.perf_counter() - t
        t = time.perf_counter()
        flat = export.csv_bytes(rows)
        csv_s = time.perf_counter() - t
        print(f"export {len(rows):,} entries: query {queried:.2f} s, xlsx {xlsx_s:.2f} s "
              f"({len(book) / 1e6:.1f} MB), csv {csv_s:.2f} s "
              f"({len(flat) / 1e6:.1f} MB)")  # fmt: skip
        if args.rpc:
            rebuild_over_rpc(engine, urls, select_rate)


if __name__ == "__main__":
    main()
