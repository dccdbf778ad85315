"""Printed documents (the 回执, the 汇总表 as PDF): HTML/CSS templates rendered with Jinja2 and
laid out by WeasyPrint, never drawn by hand.

Why these two: the documents are tables and forms whose layout is plain CSS (A4, page numbers
from `@page` counters, a header row repeated on every page by `<thead>`), Jinja2 escapes every
value by default, and WeasyPrint embeds the subset of each font it uses.

The fonts are the project's, named by file (`FONTS`, given to every template through
`@font-face` in base.html), never whatever fontconfig prefers for "sans-serif" or "zh-CN" on
the machine at hand: a server that also has Noto Sans CJK, or another default locale, prints
the same 回执, 报送函 and 汇总表 as any other. The files come from Debian packages that
deploy/local/install.sh and the Dockerfile always install; a missing one stops the layout
with the package to install (`render.py`) rather than printing in a stand-in font.

Stored text is data and may be anything the input rule lets through (`shared.text`): HTML,
bidi overrides, very long strings. `shown` is applied to every value a template prints: the
autoescape makes HTML text; explicit bidi controls are written out as their code point so
they cannot reorder what is printed (on a stamped document, text must read as stored);
characters no PDF can hold are dropped and a value is cut at `MAX_CHARS`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

from shared.errors import Refused

# Longer values are cut with "…": the entry schemas allow at most a few thousand characters,
# so only text stored before those limits can reach this, and one value must not fill pages.
MAX_CHARS = 5000
ELLIPSIS = "…"
RENDER_TIMEOUT = 300  # seconds: the longest 汇总表 (1,000 rows) takes tens of seconds
# Layouts one process runs at once, at most. Each is a child process holding a core for one to
# tens of seconds: an office asking for every 回执 at once (or a script printing them all at
# the deadline) must not take the machine from intake and screening. Others wait for a turn,
# up to TURN_WAIT seconds, and are then answered 503 (try again).
PARALLEL = 2
TURN_WAIT = 30.0
BUSY = "打印任务较多，请稍后重试"
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): shown, not obeyed.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What neither XML nor a PDF's text can hold: C0/C1 controls (but tab and newline), lone
# surrogates, U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Font:
    """A font the printed documents use: the family the templates name (the @font-face's, so
    no installed font can stand in for it), its file, the Debian package that ships the file
    and the font's own PostScript name (which face of the file is used, as the PDF records)."""

    family: str
    path: Path
    package: str
    postscript_name: str

    @property
    def url(self) -> str:
        return self.path.as_uri()


# Text (Chinese and Latin): WenQuanYi Micro Hei, the first face of its collection.
SANS = Font(
    "Kechuang WenQuanYi Micro Hei",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    "fonts-wqy-microhei",
    "WenQuanYiMicroHei",
)
# Digests, identifiers and addresses: DejaVu Sans Mono (0 and O, 1 and l told apart), its
# Chinese from SANS (the templates name both, in that order).
MONO = Font(
    "Kechuang DejaVu Sans Mono",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    "fonts-dejavu-core",
    "DejaVuSansMono",
)
FONTS = (SANS, MONO)


def missing_fonts() -> list[str]:
    """What to install for each font file that is not there (empty when all are)."""
    return [
        f"{font.path} is missing: install the Debian package {font.package}"
        for font in FONTS
        if not font.path.is_file()
    ]


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
    env.globals.update(fonts=FONTS, sans=SANS, mono=MONO)
    return env


def html(package: str, template: str, **context: Any) -> str:
    return environment(package).get_template(template).render(**context)


@cache
def _turns() -> threading.BoundedSemaphore:
    # Made at first use, in a service after eventlet patched `threading`: a green semaphore,
    # so a request waiting for its turn waits on the hub, not in an OS call.
    return threading.BoundedSemaphore(PARALLEL)


def pdf(document: str) -> bytes:
    """The PDF of an HTML document, laid out by WeasyPrint in a child process
    (`python -m shared.printing.render`). A layout takes from a second (a 回执) to tens of
    seconds (a long 汇总表) of CPU: on the green thread it would stop the service's hub, hence
    its consumers, timers and every other request, for that long. An OS thread (eventlet's
    `tpool`, as before) is not safe either: WeasyPrint and fontTools log from it, and once
    eventlet has patched `threading` the logging locks are green, and waiting on one from
    another OS thread raises `greenlet.error` and leaves the hub stuck (seen: reporting hung
    while the API document test asked for PDFs during a burst of events). The child shares
    nothing; eventlet's green `subprocess` waits on its pipes without blocking the hub.
    At most PARALLEL at once; Refused (unavailable) when no turn comes within TURN_WAIT."""
    turns = _turns()
    if not turns.acquire(timeout=TURN_WAIT):
        raise Refused("unavailable", BUSY)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "shared.printing.render"],
            input=document.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    finally:
        turns.release()
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"PDF layout failed ({done.returncode}): {tail}")
    return done.stdout
