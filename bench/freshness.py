"""Freshness at the deadline rush: how soon a submitted entry shows its screening in reports.

Drives the front door of the stack `make up` started, as district offices do at the deadline,
at fixed rates of changes per second (a change is a create, a patch or a submit: each entry
is created, patched once or twice and submitted) for `--seconds` each, and prints per rate:
- the rate achieved (below the target when this machine cannot generate or absorb it);
- p50 / p99 / max of submit -> screened: from the acknowledged submit to the first time the
  entry shows a screening state (`incomplete`, `in_review`, `eligible`, `ineligible`) in
  `GET /api/v1/reports/entries`, as a poller sees it every `--poll` seconds (so the figures
  carry up to one poll interval of resolution);
- the drain time: from the last change acknowledged to the last entry seen screened;
- the CPU each part of the stack spent per change in that time (bench/cpu.py): on two cores
  the part that falls behind is the one that outgrows its share.

The load is open-loop: changes are started on a fixed schedule whatever the answers' latency
(up to `--clients` at once), so a slow service shows as latency and backlog, not as a lower
offered rate. Entries are titled with the run's tag, so the poller reads only this run's rows
(`q=` filter, newest first, as many pages as the outstanding entries need). They stay in the
running stack's database, under the subject `bench-freshness`. Their texts are drawn from
phrase lists (below), so they differ as a real call's entries do.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
import requests
from tqdm import tqdm

from bench.cpu import Meter, table
from shared import config
from shared.auth import issue
from tests.entries import full_body

SCREENED = frozenset({"incomplete", "in_review", "eligible", "ineligible"})

# Each entry's text is drawn from these, so entries differ as a real call's do (a few are
# alike by chance, as near-duplicates are in a call): one body sent thousands of times made
# every entry a near-copy of every other, and the duplicate check's findings then dominated
# screening's work (bench.matching measures near-copies on a labelled set).
SUBJECTS = ["茶园", "秸秆", "钙钛矿电池", "页岩气井", "富硒大米", "中药材", "光伏组件", "锂电池",
            "桥梁", "隧道", "猕猴桃", "生猪", "食用菌", "石墨烯", "天然气管道", "银耳"]  # fmt: skip
WORKS = ["病虫害绿色防控技术", "综合利用成套装备", "智能监测系统", "低成本制备工艺",
         "无损检测方法", "精深加工技术", "数字化管理平台", "高效种养模式"]  # fmt: skip
PHRASES = [
    "研发了具有自主知识产权的核心装置", "建成年产五千吨的示范生产线", "获得发明专利三项",
    "与四川大学联合攻关三年", "关键指标达到国内领先水平", "已在巴中市五个乡镇推广应用",
    "采用物联网传感器实时采集数据", "降低能耗百分之二十", "通过第三方检测机构认证",
    "形成企业标准两项", "带动农户两千余户增收", "解决了长期依赖进口的问题",
    "构建了机器学习预测模型", "填补了省内相关领域空白", "入选省级重点研发计划",
    "缩短生产周期三分之一", "实现废弃物资源化利用", "培养技术骨干四十余人",
    "在川东北地区完成中试", "开发了配套的移动应用", "申请软件著作权五项",
    "产品良率提升至百分之九十八", "建立了全流程质量追溯体系", "与龙头企业签订转化协议",
]  # fmt: skip
BENEFITS = ["年新增产值三千万元", "年节约标准煤一万吨", "减少碳排放两万吨", "新增就业岗位两百个",
            "年增加农民收入八百万元", "降低维护成本四成"]  # fmt: skip


@dataclass
class Tracker:
    """Submitted entries waiting to be seen screened, and the latencies of those seen."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: dict[str, tuple[float, datetime]] = field(default_factory=dict)  # id -> (ack, created)
    latencies: list[float] = field(default_factory=list)
    last_seen: float = 0.0
    changes: int = 0

    def changed(self) -> None:
        with self.lock:
            self.changes += 1

    def submitted(self, entry_id: str, acked: float, created: datetime) -> None:
        with self.lock:
            self.waiting[entry_id] = (acked, created)

    def oldest_created(self) -> datetime | None:
        with self.lock:
            return min((c for _, c in self.waiting.values()), default=None)

    def seen(self, entry_id: str, at: float) -> None:
        with self.lock:
            found = self.waiting.pop(entry_id, None)
            if found is not None:
                self.latencies.append(at - found[0])
                self.last_seen = at

    def outstanding(self) -> int:
        with self.lock:
            return len(self.waiting)


class Office:
    """An office's changes through the front door: create, patch (once or twice), submit."""

    def __init__(self, base: str, token: str, tag: str, clients: int) -> None:
        self.base, self.tag = base, tag
        self.headers = {"Authorization": f"Bearer {token}"}
        self.local = threading.local()
        # The open demonstration call (deploy/calls.demo.yaml, what `make up` runs): the
        # 2021 call is closed, and a submit to it is refused.
        self.body = full_body("achievement") | {"call_id": "demo"}
        self.clients = clients

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_maxsize=self.clients)
            self.local.session.mount("http://", adapter)
        return self.local.session  # type: ignore[no-any-return]

    def call(self, method: str, path: str, expected: int, **kwargs: object) -> dict:  # type: ignore[type-arg]
        headers = self.headers | kwargs.pop("headers", {})  # type: ignore[operator]
        response = self.session().request(method, f"{self.base}{path}", headers=headers,
                                          timeout=60, **kwargs)  # type: ignore[arg-type]  # fmt: skip
        if response.status_code != expected:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()  # type: ignore[no-any-return]

    def create(self, n: int, rng: random.Random) -> dict:  # type: ignore[type-arg]
        body = self.body | {
            "title": f"{self.tag} {rng.choice(SUBJECTS)}{rng.choice(WORKS)}（第{n}号）",
            "summary": "，".join(rng.sample(PHRASES, 5)) + "。",
            "benefits": "，".join(rng.sample(BENEFITS, 2)) + "。",
        }
        return self.call("POST", "/api/v1/submissions", 201, json=body)

    def patch(self, entry: dict, n: int, rng: random.Random) -> dict:  # type: ignore[type-arg]
        summary = "，".join(rng.sample(PHRASES, 5)) + f"（第{n}次修改）。"
        return self.call("PATCH", f"/api/v1/submissions/{entry['id']}", 200,
                         json={"summary": summary},
                         headers={"If-Match": f'"{entry["version"]}"'})  # fmt: skip

    def submit(self, entry: dict) -> dict:  # type: ignore[type-arg]
        return self.call("POST", f"/api/v1/submissions/{entry['id']}/submit", 200)


class Pacer:
    """Hands out start times 1/rate apart; a caller sleeps until its slot (open loop)."""

    def __init__(self, rate: float, seconds: float) -> None:
        self.interval, self.lock = 1 / rate, threading.Lock()
        self.start = time.perf_counter()
        self.end = self.start + seconds
        self.next = self.start

    def slot(self) -> bool:
        """Wait for the next slot; False once the run's time is up."""
        with self.lock:
            at, self.next = self.next, self.next + self.interval
        if at >= self.end:
            return False
        time.sleep(max(0.0, at - time.perf_counter()))
        return True


def lifecycle(office: Office, pacer: Pacer, tracker: Tracker, progress: tqdm) -> None:
    """One client: entries one after another, each change in its slot."""
    rng = random.Random()
    while True:
        if not pacer.slot():
            return
        entry = office.create(rng.randrange(10**6), rng)
        created = datetime.fromisoformat(entry["created_at"])
        tracker.changed()
        progress.update()
        for n in range(rng.choice((1, 1, 2))):
            if not pacer.slot():
                return
            entry = office.patch(entry, n + 1, rng)
            tracker.changed()
            progress.update()
        if not pacer.slot():
            return
        office.submit(entry)
        tracker.submitted(entry["id"], time.perf_counter(), created)
        tracker.changed()
        progress.update()


def poll(office: Office, tracker: Tracker, stop: threading.Event, interval: float) -> None:
    """Read this run's newest report rows until every outstanding entry is covered; note the
    ones now in a screening state."""
    while not stop.is_set():
        oldest = tracker.oldest_created()
        if oldest is not None:
            for row in rows_since(office, oldest):
                if row["screening_state"] in SCREENED or row["state"] in SCREENED:
                    tracker.seen(row["submission_id"], time.perf_counter())
        stop.wait(interval)


def rows_since(office: Office, oldest: datetime) -> Iterator[dict]:  # type: ignore[type-arg]
    """Rows newest first (by their latest event), down to entries created before `oldest`:
    an entry's latest event is no older than its creation."""
    page = 1
    while True:
        found = office.call("GET", "/api/v1/reports/entries", 200, params={
            "q": office.tag, "sort": "-updated_at", "per_page": 500, "page": page})  # fmt: skip
        yield from found["items"]
        items = found["items"]
        if len(items) < 500 or datetime.fromisoformat(items[-1]["updated_at"]) < oldest:
            return
        page += 1


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def run_rate(office: Office, rate: float, seconds: float, clients: int, interval: float,
             drain_timeout: float) -> dict[str, Any]:  # fmt: skip
    tracker = Tracker()
    meter = Meter()
    meter.start()
    stop = threading.Event()
    poller = threading.Thread(target=poll, args=(office, tracker, stop, interval), daemon=True)
    poller.start()
    pacer = Pacer(rate, seconds)
    bar = tqdm(
        total=int(rate * seconds), desc=f"{rate:g}/s", unit="change", leave=False, disable=None
    )  # none when not on a terminal (a log of `make bench`)
    with bar, ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(lifecycle, office, pacer, tracker, bar) for _ in range(clients)]
        for future in futures:
            future.result()  # a failed change fails the run: the figures would lie
    load_end = time.perf_counter()
    achieved = tracker.changes / (load_end - pacer.start)
    deadline = load_end + drain_timeout
    while tracker.outstanding() and time.perf_counter() < deadline:
        time.sleep(interval / 2)
    stop.set()
    poller.join()
    cpu = meter.stop()
    latencies = tracker.latencies
    return {
        "target": rate,
        "achieved": achieved,
        "submits": len(latencies) + tracker.outstanding(),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=float("nan")),
        "drain": max(0.0, tracker.last_seen - load_end) if latencies else float("nan"),
        "unseen": tracker.outstanding(),
        "cpu": table(cpu, tracker.changes, time.perf_counter() - pacer.start),
    }


@click.command()
@click.option("--rates", default="50,100,200", show_default=True,
              help="Changes per second to drive, comma-separated, one run each.")  # fmt: skip
@click.option("--seconds", default=60.0, show_default=True, help="Length of each run.")
@click.option("--clients", default=48, show_default=True, help="Changes in flight at most.")
@click.option("--poll", "interval", default=0.1, show_default=True,
              help="Seconds between reads of the entries report.")  # fmt: skip
@click.option("--drain-timeout", default=120.0, show_default=True,
              help="Seconds to wait after the load for the last entries to show.")  # fmt: skip
@click.option(
    "--base-url", default=None, help="The front door (default: 127.0.0.1:$KECHUANG_PORT)."
)
def main(rates: str, seconds: float, clients: int, interval: float, drain_timeout: float,
         base_url: str | None) -> None:  # fmt: skip
    base = base_url or f"http://127.0.0.1:{os.environ.get('KECHUANG_PORT', '8080')}"
    token = issue(config.load().jwt_private_key(), "office", "bench-freshness", "巴州区")
    tag = f"鲜度{uuid.uuid4().hex[:8]}"
    office = Office(base, token, tag, clients)
    click.echo(f"freshness through {base}: {seconds:g} s per rate, up to {clients} changes in "
               f"flight, report polled every {interval:g} s (entries titled {tag})")  # fmt: skip
    header = (f"{'target/s':>9} {'achieved/s':>11} {'submits':>8} {'p50 s':>7} {'p99 s':>7} "
              f"{'max s':>7} {'drain s':>8} {'unseen':>7}")  # fmt: skip
    click.echo("submit -> screened state visible in /api/v1/reports/entries")
    click.echo(header)
    for rate in rates.split(","):
        r = run_rate(office, float(rate), seconds, clients, interval, drain_timeout)
        click.echo(f"{r['target']:>9g} {r['achieved']:>11.1f} {r['submits']:>8.0f} "
                   f"{r['p50']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.2f} {r['drain']:>8.2f} "
                   f"{r['unseen']:>7.0f}")  # fmt: skip
        click.echo(f"CPU from the load's start to the last entry seen (the poller is `bench`):\n"
                   f"{r['cpu']}")  # fmt: skip


if __name__ == "__main__":
    main()
