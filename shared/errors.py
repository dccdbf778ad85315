"""The one error a domain or a use case raises when it refuses a command.

`code` is the API's error code (the HTTP status is chosen at the edge, `shared/http.py`),
`message` is the Chinese sentence an office or staff member reads, `fields` names what was wrong
(dotted paths), and `extra` carries anything the documented body adds (`current_version`, …).
Standard library only: domains import it without pulling in HTTP or storage.
"""

from __future__ import annotations

import uuid
from typing import Any


class Refused(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra


def not_found(what: str = "资源") -> Refused:
    return Refused("not_found", f"{what}不存在")


def parse_id(value: str, what: str = "资源") -> str:
    """`value` when it is a UUID, else `not_found(what)`: a malformed id names nothing, so it
    is answered like an id nobody has (and never reaches a query that would choke on it)."""
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise not_found(what) from None
    return value
