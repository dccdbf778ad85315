"""Media: upload slots, verification and storage of materials. Owns `media-<id>` streams.

The foundation's skeleton: health and the event-log RPC. The materials API comes with its issue.
"""

from shared.dependencies import Store
from shared.entrypoints import ServesEventLog


class MediaService(ServesEventLog):
    name = "media"
    event_store = Store("media")
