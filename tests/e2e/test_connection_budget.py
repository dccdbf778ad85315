"""The connection budget holds under a burst: 200 requests at once through the front door,
to every service that holds a pool, are all answered, and no database ever sees more
connections than its processes' pools (one pool per process and database: shared.db.Engines)
plus the relay's. services-up.sh refuses to start a configuration whose pools do not fit in
PostgreSQL's max_connections, so staying within the pools is staying within the budget."""

from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import create_engine, text

from shared import config
from tests.entries import full_body
from tests.front_door import token
from tests.integration.helpers import wait_until

RELAY_POOL = 2  # ops/cli.py relay


def test_200_requests_at_once_stay_within_every_pool(base_url: str) -> None:
    pool = int(os.environ.get("KECHUANG_DB_POOL_SIZE", "5"))
    processes = {
        "kechuang_intake": int(os.environ.get("INTAKE_WORKERS", "2")),
        "kechuang_media": int(os.environ.get("MEDIA_WORKERS", "2")),
        "kechuang_screening": 1,
        "kechuang_reporting": 1,
        "kechuang_matching": 1,
        "kechuang_identity": 1,
    }
    relays = {"kechuang_intake", "kechuang_media", "kechuang_screening", "kechuang_identity",
              "kechuang_matching"}  # fmt: skip
    allowed = {db: n * pool + (RELAY_POOL if db in relays else 0) for db, n in processes.items()}

    office = {"Authorization": f"Bearer {token('--role', 'office', '--district', '巴州区')}"}
    staff = {"Authorization": f"Bearer {token('--role', 'staff')}"}
    entry = requests.post(f"{base_url}/api/v1/submissions", json=full_body("achievement") | {
        "call_id": "demo"}, headers=office, timeout=30).json()  # fmt: skip
    slot = {"kind": "introduction", "filename": "a.pdf", "content_type": "application/pdf",
            "size": 1000, "sha256": "0" * 64}  # fmt: skip
    material = requests.post(f"{base_url}/api/v1/submissions/{entry['id']}/materials",
                             json=slot, headers=office, timeout=30).json()  # fmt: skip
    submitted = requests.post(f"{base_url}/api/v1/submissions/{entry['id']}/submit",
                              headers=office, timeout=30)  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    screened = f"/api/v1/screenings/{entry['id']}"
    wait_until(lambda: requests.get(f"{base_url}{screened}", headers=staff, timeout=30)
               .status_code == 200, message="the entry screened")  # fmt: skip
    paths = [
        ("/api/v1/submissions?per_page=50", office),
        (f"/api/v1/materials/{material['material_id']}", office),
        (screened, staff),
        ("/api/v1/reports/entries?per_page=50", staff),
        ("/api/v1/reports/summary", staff),
        (f"/api/v1/matches/{entry['id']}", staff),
    ]

    peak: Counter[str] = Counter()
    done = threading.Event()
    probe = create_engine(config.load().db_url("reporting"), pool_size=1, max_overflow=0)

    def watch() -> None:
        with probe.connect() as conn:
            while not done.is_set():
                rows = conn.execute(text(
                    "SELECT datname, count(*) FROM pg_stat_activity "
                    "WHERE datname LIKE 'kechuang_%' AND pid <> pg_backend_pid() "
                    "GROUP BY datname")).all()  # fmt: skip
                for db, n in rows:
                    peak[db] = max(peak[db], n)
                done.wait(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(200) as pool_:
            answers = list(pool_.map(
                lambda i: requests.get(f"{base_url}{paths[i % len(paths)][0]}",
                                       headers=paths[i % len(paths)][1], timeout=60),
                range(400)))  # fmt: skip
    finally:
        done.set()
        watcher.join()
        probe.dispose()

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == Counter({200: 400}), {
        s: next(a.text[:200] for a in answers if a.status_code == s) for s in statuses}  # fmt: skip
    for db, most in allowed.items():
        assert peak[db] <= most, f"{db}: {peak[db]} connections, its pools allow {most}"
