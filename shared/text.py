"""Which characters stored text may hold: the one rule every boundary applies.

Text is data: Chinese, emoji, mixed scripts, right-to-left marks and bidi overrides (U+202E)
are all accepted and stored as given; showing them as text is the reader's job. What is
refused is what no reader can show and some stores cannot hold: control characters other than
tab, newline and carriage return (PostgreSQL cannot store U+0000 at all; a spreadsheet cannot
hold the C0 controls; CR is kept because text pasted on Windows arrives with CRLF line ends),
lone surrogates (not Unicode text: they cannot even be encoded as UTF-8) and the
noncharacters U+FFFE and U+FFFF (not allowed in XML, hence not in an xlsx).
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

CONTROL_CHARACTER = "不能包含控制字符"
NOT_TEXT = "不能包含无效字符（孤立的代理项或 U+FFFE、U+FFFF）"
KEY_PREFIX = "字段名"

# C0 except tab (U+0009), newline (U+000A) and carriage return (U+000D), DEL, and the C1
# controls: Unicode's "Cc" but for those three.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")
_REFUSED = re.compile(f"{_CONTROL.pattern}|{_NOT_TEXT.pattern}")

# A header value is Latin-1 as HTTP servers hand it over, so bytes 0x80-0x9f there are parts
# of UTF-8 characters, not C1 controls; HTTP itself forbids only the C0 controls (but tab) and
# DEL in a field value (RFC 9110 5.5).
_HEADER_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def fault(text: str) -> str | None:
    """Why `text` cannot be stored (a Chinese message), or None when it can."""
    if _CONTROL.search(text):
        return CONTROL_CHARACTER
    if _NOT_TEXT.search(text):
        return NOT_TEXT
    return None


def header_fault(value: str) -> str | None:
    """Why a request header's value cannot be stored (a Chinese message), or None."""
    return CONTROL_CHARACTER if _HEADER_CONTROL.search(value) else None


def escaped(text: str) -> str:
    """`text` with each refused character written as `\\uXXXX`, safe to echo back or log."""
    return _REFUSED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def faults(document: Any) -> dict[str, list[str]]:
    """Every refused string in a parsed JSON document, keys included, by dotted path
    (`applicant.name`, `partners.0.name`); a bad key is named escaped (`ti\\u0000tle`)."""
    found: dict[str, list[str]] = {}
    if isinstance(document, str):
        problem = fault(document)
        return {"_body": [problem]} if problem else {}
    # A queue, not recursion: a body nested a thousand deep must not exhaust Python's stack.
    # Paths are only spelt out for containers and faults: a 1 MiB array stays cheap.
    pending: deque[tuple[str, Any]] = deque([("", document)])
    while pending:
        path, container = pending.popleft()
        children: Any = ()
        if isinstance(container, dict):
            children = container.items()
        elif isinstance(container, list):
            children = enumerate(container)
        for name, item in children:
            bad_key = fault(name) if isinstance(name, str) else None  # an index is an int
            problem = fault(item) if isinstance(item, str) else None
            nested = isinstance(item, dict | list)
            if not (bad_key or problem or nested):
                continue
            where = _joined(path, escaped(name) if isinstance(name, str) else str(name))
            if bad_key:
                found.setdefault(where, []).append(KEY_PREFIX + bad_key)
            if problem:
                found.setdefault(where, []).append(problem)
            if nested:
                pending.append((where, item))
    return found


def _joined(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
