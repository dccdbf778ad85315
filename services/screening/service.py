"""Screening: the call's criteria, review and selection. Owns `screening-<id>` streams.

The foundation's skeleton: health and the event-log RPC. Rules and review come with their issue.
"""

from shared.dependencies import Store
from shared.entrypoints import ServesEventLog


class ScreeningService(ServesEventLog):
    name = "screening"
    event_store = Store("screening")
