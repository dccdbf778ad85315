"""Reading printed PDFs back in the integration tests: the text (pypdf), the fonts embedded,
and a first-page screenshot under test-output/printed/ when poppler's pdftoppm is there."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "printed"


def read(body: bytes, name: str) -> tuple[str, set[str]]:
    """The PDF's text (pages joined) and the names of its embedded fonts; asserts it is one."""
    assert body.startswith(b"%PDF-"), body[:40]
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts", [font])
            for part in descendants:
                descriptor = part.get_object().get("/FontDescriptor")
                if descriptor is not None and any(
                    key in descriptor.get_object()
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    embedded.add(str(font["/BaseFont"]).split("+")[-1])
    _screenshot(body, name)
    return text, embedded


def _screenshot(body: bytes, name: str) -> None:
    if shutil.which("pdftoppm") is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / f"{name}.pdf"
    pdf.write_bytes(body)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(SCREENSHOTS / name)],
        check=True, timeout=60,
    )  # fmt: skip
