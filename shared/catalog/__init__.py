"""Every event type of the system, declared once: name, stream type, schema version, schema.

Importing this package registers them all (services and consumers import it at start)."""

from shared.catalog import media, screening, submission  # noqa: F401
