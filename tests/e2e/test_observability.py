"""What an operator follows: one correlation id from the front door through every service an
office's action touches (responses, events, JSON log lines), and each service's /metrics."""

import json
import uuid
from pathlib import Path

import requests
from nameko.standalone.rpc import ClusterRpcProxy

from shared import config
from tests.e2e.test_screening_and_reports_through_the_front_door import eventually
from tests.entries import full_body
from tests.front_door import token

LOGS = Path(__file__).resolve().parents[2] / ".run" / "logs"


def scrape(port: int) -> dict[str, float]:
    """A service's own figures: `name{labels}` -> value."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("kechuang_")
    }


def total(figures: dict[str, float], name: str, **labels: str) -> float:
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(v for k, v in figures.items()
               if k.startswith(name + "{") and all(w in k for w in wanted))  # fmt: skip


def log_lines(pattern: str, needle: str) -> list[dict]:
    found = []
    for path in LOGS.glob(pattern):
        for line in path.read_text(errors="replace").splitlines():
            if needle in line and line.startswith("{"):
                found.append(json.loads(line))
    return found


def screening_log_of(entry: str) -> list[dict]:
    """Screening's events about one entry, read from its log over RPC."""
    found, after = [], 0
    with ClusterRpcProxy({"AMQP_URI": config.load().amqp_uri}, timeout=10) as cluster:
        while batch := cluster.screening.events_since(after, 1000):
            found += [e for e in batch if e["stream_id"] == f"screening-{entry}"]
            after = batch[-1]["position"]
    return found


def test_one_correlation_id_follows_a_submission_through_intake_screening_and_reporting(
    base_url: str,
) -> None:
    office = {"Authorization": f"Bearer {token('--role', 'office', '--district', '平昌县')}"}
    create_id, submit_id = str(uuid.uuid4()), str(uuid.uuid4())
    before = scrape(8103)

    created = requests.post(f"{base_url}/api/v1/submissions", timeout=10,
                            headers=office | {"X-Request-Id": create_id},
                            json=full_body("finance") | {"call_id": "demo"})  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.headers["X-Request-Id"] == create_id
    entry = created.json()["id"]
    submitted = requests.post(f"{base_url}/api/v1/submissions/{entry}/submit", timeout=10,
                              headers=office | {"X-Request-Id": submit_id})  # fmt: skip
    assert submitted.status_code == 200, submitted.text

    history = requests.get(f"{base_url}/api/v1/submissions/{entry}/history", headers=office,
                           timeout=10).json()["items"]  # fmt: skip
    assert [(e["type"], e["correlation_id"]) for e in history] == [
        ("SubmissionDrafted", create_id), ("SubmissionSubmitted", submit_id)]  # fmt: skip

    # Screening judged the submission under the submit request's id. It may judge the entry
    # again later for matching's duplicate check, under the id of matching's own event: the
    # suite hands in one body thousands of times, so this entry has near-copies, and a slow
    # run reads screening's log after that second judgment.
    caused = eventually(lambda: screening_log_of(entry))
    first = min(caused, key=lambda e: e["version"])
    assert (first["type"], first["correlation_id"]) == ("ScreeningCompleted", submit_id)
    assert create_id not in {e["correlation_id"] for e in caused}  # a draft is not judged

    # JSON log lines: intake's for the request, screening's and reporting's for the events.
    for service in ("intake", "screening", "reporting"):
        lines = eventually(lambda s=service: log_lines(f"{s}*.log", submit_id))
        assert lines, f"no {service} log line carries the request's correlation id"
        assert all(line["correlation_id"] == submit_id for line in lines)
        assert {line["service"] for line in lines} == {service}

    handled = {"consumer": "screening", "type": "SubmissionSubmitted"}
    after = scrape(8103)
    assert total(after, "kechuang_events_handled_total", **handled) > total(
        before, "kechuang_events_handled_total", **handled
    )


def test_every_service_serves_metrics_with_request_event_and_queue_figures(base_url: str) -> None:
    requests.get(f"{base_url}/api/v1/reports/summary", timeout=10,
                 headers={"Authorization": f"Bearer {token('--role', 'staff')}"})  # fmt: skip
    ports = {"intake": 8101, "media": 8102, "screening": 8103, "reporting": 8104}
    for service, port in ports.items():
        figures = scrape(port)
        assert any(k.startswith("kechuang_queue_messages{") and f'service="{service}"' in k
                   for k in figures), service  # fmt: skip
    reporting = scrape(8104)
    assert total(reporting, "kechuang_http_requests_total", handler="summary", status="200") >= 1
    assert total(reporting, "kechuang_consumer_position", consumer="reporting") > 0
    intake = scrape(8101)
    assert (
        total(intake, "kechuang_event_log_head_position")
        >= total(intake, "kechuang_relay_position")
        > 0
    )


def test_metrics_are_not_served_through_the_front_door(base_url: str) -> None:
    assert "kechuang_" not in requests.get(f"{base_url}/metrics", timeout=10).text
