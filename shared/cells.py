"""A stored value as a spreadsheet cell that opens everywhere and never runs as a formula.

Applied when the export is written, not when text is stored: events stored before the input
rule (see `shared.text`) may still hold control characters, and the city's table must open
whatever one office once typed. Used for the xlsx and the CSV alike, since Excel opens both.
"""

from __future__ import annotations

import re
from typing import Any

# Excel's limit on the characters in one cell; a longer value is cut and marked with "…".
MAX_CHARS = 32_767
ELLIPSIS = "…"

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection):
# such text gets a leading apostrophe, so it shows as typed and never runs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# What XML 1.0, hence an xlsx, cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, which raises
# IllegalCharacterError) plus the other controls: invisible anyway, so they are dropped.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Not characters at all: a lone surrogate cannot even be encoded as UTF-8; shown as "�".
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def text(value: str) -> str:
    """`value` as cell text: unstorable characters gone, formulas defused, at most 32,767."""
    cleaned = _NOT_TEXT.sub(REPLACEMENT, _CONTROLS.sub("", value))
    if cleaned.startswith(FORMULA_STARTS):
        cleaned = QUOTE + cleaned
    if len(cleaned) > MAX_CHARS:
        cleaned = cleaned[: MAX_CHARS - len(ELLIPSIS)] + ELLIPSIS
    return cleaned


def value(raw: Any) -> Any:
    """Any cell value: text is made safe (see `text`); numbers and empty cells pass as they are."""
    return text(raw) if isinstance(raw, str) else raw


def defused(cleaned: str) -> bool:
    """Whether `text` put an apostrophe before what would otherwise start a formula."""
    return cleaned.startswith(QUOTE) and cleaned[1:].startswith(FORMULA_STARTS)
