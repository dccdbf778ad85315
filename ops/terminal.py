"""Stored text as the operator's terminal shows it. Titles, names and file names were typed by
offices; printed raw, an escape sequence could rewrite the screen and a bidi override reorder
what the operator reads, so control and format characters (Unicode categories C*) go and a
huge string is cut."""

from __future__ import annotations

import unicodedata


def shown(text: object, limit: int = 120) -> str:
    plain = "".join(ch for ch in str(text) if unicodedata.category(ch)[0] != "C")
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"
