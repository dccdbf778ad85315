"""Printed documents (the 回执, the 汇总表 as PDF): HTML/CSS templates rendered with Jinja2 and
laid out by WeasyPrint, never drawn by hand.

Why these two: the documents are tables and forms whose layout is plain CSS (A4, page numbers
from `@page` counters, a header row repeated on every page by `<thead>`), Jinja2 escapes every
value by default, and WeasyPrint embeds the subset of the Chinese font it uses (Debian's
fonts-wqy-microhei, found through fontconfig), so the PDF reads the same on any machine.

Stored text is data and may be anything the input rule lets through (`shared.text`): HTML,
bidi overrides, very long strings. `shown` is applied to every value a template prints: the
autoescape makes HTML text; explicit bidi controls are written out as their code point so
they cannot reorder what is printed (on a stamped document, text must read as stored);
characters no PDF can hold are dropped and a value is cut at `MAX_CHARS`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

# Longer values are cut with "…": the entry schemas allow at most a few thousand characters,
# so only text stored before those limits can reach this, and one value must not fill pages.
MAX_CHARS = 5000
ELLIPSIS = "…"
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): shown, not obeyed.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What neither XML nor a PDF's text can hold: C0/C1 controls (but tab and newline), lone
# surrogates, U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def shown(value: Any) -> str:
    """`value` as printed text (see the module's docstring); None is blank."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _UNPRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - len(ELLIPSIS)] + ELLIPSIS
    return text


@cache
def environment(package: str) -> Environment:
    """Templates of `package`'s `templates` folder, then the shared ones (`base.html`)."""
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader(package, "templates"), PackageLoader("shared.printing", "templates")]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name is an error in the tests, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown,  # every `{{ value }}` goes through `shown` before it is escaped
    )
    return env


def html(package: str, template: str, **context: Any) -> str:
    return environment(package).get_template(template).render(**context)


def pdf(document: str) -> bytes:
    """The PDF of an HTML document, laid out in an OS thread (eventlet's `tpool`): a layout
    takes from a second (a 回执) to tens of seconds (a long 汇总表) of CPU, and on the green
    thread it would stop the service's hub, hence its consumers, timers and every other
    request, for that long; measured, the hub keeps answering within 0.2 s meanwhile."""
    from eventlet import tpool

    return tpool.execute(_render, document)  # type: ignore[no-any-return]


def _render(document: str) -> bytes:
    # Imported here, not at the top: WeasyPrint loads pango through cffi, which only the
    # processes that print need.
    from weasyprint import HTML

    return HTML(string=document).write_pdf()  # type: ignore[no-any-return]
