"""The correlation id of what a worker is handling: the front door's `X-Request-Id` for a
request, the event's `correlation_id` for an event. Events appended meanwhile carry it, so one
id follows an office's click through every service (see shared/observability.py for the logs).
Standard library only: the event envelope (shared/events.py) imports it."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

correlation: ContextVar[uuid.UUID | None] = ContextVar("kechuang_correlation", default=None)


def correlation_from(header: str | None) -> uuid.UUID:
    """The id a client or the front door sent (a UUID, dashes optional), else a new one."""
    if header:
        try:
            return uuid.UUID(header.strip())
        except ValueError:
            pass  # not ours to trust as an id: make a fresh one
    return uuid.uuid4()
