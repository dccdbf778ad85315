"""What operators see of every service: JSON log lines that carry one correlation id from the
front door through every service an action touches, and Prometheus figures at `/metrics`.

The correlation id of a request is the front door's `X-Request-Id` (nginx makes one unless the
client sent its own). It is kept in a context variable for the worker handling the request;
events appended meanwhile carry it as their `correlation_id`, and a service handling such an
event takes it up again, so one `grep` of the id finds an office's click in every service's
log, down to the screening and the roll-up it caused.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

# Re-exported: the HTTP edge (shared/http.py) sets and reads the id through this module.
from shared.correlation import correlation as correlation
from shared.correlation import correlation_from as correlation_from


class CorrelationFilter(logging.Filter):
    """Adds `correlation_id` to every record (configured on the handlers in config.yml)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = correlation.get()
        record.correlation_id = str(current) if current else None
        return True


def configure_logging(service: str, level: int = logging.INFO) -> None:
    """JSON lines on stderr for a process not started by `nameko run` (the relays)."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)


# -- figures ------------------------------------------------------------------------------
# One set per process (prometheus_client's default registry); the `service` label tells apart
# services that share a process in tests.

HTTP_REQUESTS = Counter(
    "kechuang_http_requests",
    "API requests answered, by handler and status.",
    ["service", "handler", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "kechuang_http_request_duration_seconds",
    "Time to answer an API request.",
    ["service", "handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EVENTS_HANDLED = Counter(
    "kechuang_events_handled",
    "Events delivered to a consumer, by type and outcome (ok or failed).",
    ["service", "consumer", "type", "outcome"],
)
EVENT_SECONDS = Histogram(
    "kechuang_event_handling_duration_seconds",
    "Time a consumer took for one delivered event.",
    ["service", "consumer"],
)
QUEUE_MESSAGES = Gauge(
    "kechuang_queue_messages",
    "Messages waiting in a consumer's queue (read from the broker at scrape time).",
    ["service", "queue"],
)
QUEUE_CONSUMERS = Gauge(
    "kechuang_queue_consumers",
    "Consumers attached to a consumer's queue (read from the broker at scrape time).",
    ["service", "queue"],
)
LOG_HEAD = Gauge(
    "kechuang_event_log_head_position",
    "Position of the newest sequenced event in the service's own log.",
    ["service"],
)
RELAY_POSITION = Gauge(
    "kechuang_relay_position",
    "Position up to which the relay has published the service's log (head minus this is "
    "the outbox backlog).",
    ["service"],
)
CONSUMER_POSITION = Gauge(
    "kechuang_consumer_position",
    "Position of the last event a consumer applied from a source's log (the source's "
    "kechuang_event_log_head_position minus this is its lag).",
    ["service", "consumer", "source"],
)


def observe_request(service: str, handler: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(service, handler, method, str(status)).inc()
    HTTP_SECONDS.labels(service, handler).observe(seconds)


def observe_event(service: str, consumer: str, event: Any, failed: bool, seconds: float) -> None:
    EVENTS_HANDLED.labels(service, consumer, event.type, "failed" if failed else "ok").inc()
    EVENT_SECONDS.labels(service, consumer).observe(seconds)
