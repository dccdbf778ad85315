"""Lay out one HTML document as PDF: HTML on standard input, the PDF on standard output.
Run by `shared.printing.pdf` as a child process (see there why not a thread)."""

from __future__ import annotations

import sys


def main() -> None:
    # Imported here: WeasyPrint loads pango through cffi, which only this process needs.
    from weasyprint import HTML

    document = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(HTML(string=document).write_pdf())


if __name__ == "__main__":
    main()
