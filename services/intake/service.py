"""Intake: district offices' entries. Owns the `submission-<id>` streams.

The foundation's skeleton: health and the event-log RPC. The entries API comes with its issue.
"""

from shared.dependencies import Store
from shared.entrypoints import ServesEventLog


class IntakeService(ServesEventLog):
    name = "intake"
    event_store = Store("intake")
