"""Lay out one HTML document as PDF: HTML on standard input, the PDF on standard output.
Run by `shared.printing.pdf` as a child process (see there why not a thread). Refuses (exit
status 3, what is wrong on standard error) when a font of `FONTS` is missing or cannot be
loaded: WeasyPrint would only log a warning and print in whatever font the machine has."""

from __future__ import annotations

import logging
import sys


class _FontFaces(logging.Handler):
    """Collects WeasyPrint's "Font-face ... cannot be loaded" warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failed: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Font-face"):
            self.failed.append(message)


def main() -> None:
    # Imported here: WeasyPrint loads pango through cffi, which only this process needs.
    from weasyprint import HTML

    from shared.printing import missing_fonts

    if missing := missing_fonts():
        sys.stderr.write("the printed documents' fonts: " + "; ".join(missing) + "\n")
        sys.exit(3)
    faces = _FontFaces()
    logging.getLogger("weasyprint").addHandler(faces)
    document = sys.stdin.buffer.read().decode("utf-8")
    laid_out = HTML(string=document).write_pdf()
    if faces.failed:
        sys.stderr.write("the printed documents' fonts: " + "; ".join(faces.failed) + "\n")
        sys.exit(3)
    sys.stdout.buffer.write(laid_out)


if __name__ == "__main__":
    main()
