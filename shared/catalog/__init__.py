"""Every event type of the system, declared once: name, stream type, schema version, schema;
beside them the vocabulary the events speak (`vocabulary`: categories, material kinds, states,
Chinese labels) and the one fold of an entry's materials (`materials.materials_after`).

Importing this package registers the event types (services and consumers import it at start)."""

from shared.catalog import (  # noqa: F401  (registers the event types)
    access,
    batch,
    call,
    identity,
    matching,
    media,
    screening,
    submission,
)
