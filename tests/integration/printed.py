"""Reading printed PDFs back in the integration tests: the text (pypdf), the fonts embedded,
what each character was drawn with (`drawn`, `assert_readable`), and a first-page screenshot
under test-output/printed/ when poppler's pdftoppm is there."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

from shared.printing import FONTS, Font

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


@dataclass
class Drawn:
    """What a PDF's text is drawn with: for each character, the fonts (by BaseFont, without
    the subset tag) whose glyph drew it; the fonts that drew .notdef (glyph 0, the empty box a
    reader sees for a character the font lacks); and every font that is not the project's own
    (with why)."""

    chars: dict[str, set[str]] = field(default_factory=dict)
    notdef: set[str] = field(default_factory=set)
    foreign: dict[str, str] = field(default_factory=dict)

    def chars_in(self, font: Font) -> set[str]:
        """The characters drawn with `font` (of shared.printing.FONTS)."""
        family = font.family.replace(" ", "-")
        return {
            char
            for char, names in self.chars.items()
            if any(name == family or name.startswith(family + "-") for name in names)
        }


def drawn(body: bytes) -> Drawn:
    """Walks every page's text-showing operators (and the forms they draw) and decodes each
    string to glyph ids in its font, as a viewer does. A font is the project's own when its
    BaseFont is one of `shared.printing.FONTS`'s @font-face families (so WeasyPrint loaded it
    from the project's file, not whatever fontconfig chose), its program is embedded and the
    program's PostScript name is that font's. A glyph counts for a character only when it is
    not .notdef and has an outline in the embedded program."""
    reader = PdfReader(io.BytesIO(body))
    result = Drawn()
    fonts: dict[int, _Font] = {}
    for page in reader.pages:
        for font_ref, codes in _shown(page.get_contents(), page["/Resources"], reader):
            key = font_ref.idnum if isinstance(font_ref, IndirectObject) else id(font_ref)
            if key not in fonts:
                fonts[key] = _Font.of(font_ref.get_object(), result)
            font = fonts[key]
            for gid in font.glyph_ids(codes):
                if gid == 0:
                    result.notdef.add(font.name)
                    continue
                for char in font.to_unicode.get(gid, ""):
                    if font.own and font.has_outline(gid, char):
                        result.chars.setdefault(char, set()).add(font.name)
    return result


def assert_readable(body: bytes, text: str, *expected: str) -> None:
    """What a reader needs from a printed document's fonts: every character of its text
    (`read`) and of `expected` (what the test put in it: a character no font has is left out
    of the text, a blank where it stood) drawn with a real glyph of an embedded font that is
    the project's own; .notdef nowhere; no other font (so it looks the same on any machine)."""
    found = drawn(body)
    assert not found.foreign, found.foreign
    assert not found.notdef, f".notdef drawn in {found.notdef}"
    wanted = set(text).union(*expected)
    missing = sorted(c for c in wanted if not c.isspace() and c not in found.chars)
    assert not missing, f"no glyph of the project's fonts drew {missing}"
    assert any("\u4e00" <= c <= "\u9fff" for c in found.chars), "no Chinese drawn"


_FAMILIES = {font.family.replace(" ", "-"): font for font in FONTS}


@dataclass
class _Font:
    name: str
    own: bool
    program: TTFont | None
    to_unicode: dict[int, str]

    @classmethod
    def of(cls, font: Any, result: Drawn) -> _Font:
        name = str(font["/BaseFont"]).split("+")[-1]
        # Pango names a synthesised bold or italic after the family ("...-Bold").
        family = next((f for f in _FAMILIES if name == f or name.startswith(f + "-")), None)
        if family is None:
            result.foreign[name] = "not one of shared.printing.FONTS: the machine's choice"
            return cls(name, False, None, {})
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            result.foreign[name] = f"not a CID font with Identity-H: {font.get('/Encoding')}"
            return cls(name, False, None, {})
        part = font["/DescendantFonts"][0].get_object()
        to_unicode = {}
        if "/ToUnicode" in font:
            to_unicode = _cmap(font["/ToUnicode"].get_object().get_data())
        descriptor = part["/FontDescriptor"].get_object()
        if part.get("/CIDToGIDMap", "/Identity") != "/Identity":
            result.foreign[name] = "glyphs not mapped by identity"
        elif "/FontFile2" not in descriptor:
            result.foreign[name] = "no embedded TrueType program"
        if name in result.foreign:
            return cls(name, False, None, to_unicode)
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        postscript = program["name"].getDebugName(6) if "name" in program else None
        if postscript != _FAMILIES[family].postscript_name:
            result.foreign[name] = f"embeds {postscript}, not {_FAMILIES[family].postscript_name}"
        return cls(name, name not in result.foreign, program, to_unicode)

    def glyph_ids(self, codes: bytes) -> Iterator[int]:
        for i in range(0, len(codes) - 1, 2):  # Identity-H: two bytes a glyph
            yield codes[i] << 8 | codes[i + 1]

    def has_outline(self, gid: int, char: str) -> bool:
        assert self.program is not None
        order = self.program.getGlyphOrder()
        if gid >= len(order):
            return False
        glyph = self.program["glyf"][order[gid]]
        return char.isspace() or glyph.numberOfContours != 0


def _shown(content: Any, resources: Any, reader: PdfReader) -> Iterator[tuple[Any, bytes]]:
    """(font reference, the string's bytes) for each string a content stream shows, forms
    (XObjects) included, the font as set by Tf and kept by q/Q."""
    if content is None:
        return
    resources = resources.get_object() if resources is not None else DictionaryObject()
    fonts = resources.get("/Font", DictionaryObject()).get_object()
    xobjects = resources.get("/XObject", DictionaryObject()).get_object()
    current: Any = None
    saved: list[Any] = []
    stream = content if isinstance(content, ContentStream) else ContentStream(content, reader)
    for operands, operator in stream.operations:
        if operator == b"q":
            saved.append(current)
        elif operator == b"Q" and saved:
            current = saved.pop()
        elif operator == b"Tf":
            current = fonts.raw_get(operands[0])
        elif operator in (b"Tj", b"'", b'"'):
            yield current, _bytes(operands[-1])
        elif operator == b"TJ":
            for part in operands[0]:
                if not isinstance(part, int | float):
                    yield current, _bytes(part)
        elif operator == b"Do":
            form = xobjects[operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                yield from _shown(form, form.get("/Resources", resources), reader)


def _bytes(string: Any) -> bytes:
    return bytes(getattr(string, "original_bytes", string))


_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _cmap(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's glyph -> text (bfchar and bfrange, as WeasyPrint writes them)."""
    table: dict[int, str] = {}

    def text(hex_: bytes) -> str:
        return bytes.fromhex(hex_.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        values = _HEX.findall(block)
        for source, target in zip(values[::2], values[1::2], strict=True):
            table[int(source, 16)] = text(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.strip().splitlines():
            values = _HEX.findall(line)
            low, high = int(values[0], 16), int(values[1], 16)
            if b"[" in line:
                for n, target in enumerate(values[2:]):
                    table[low + n] = text(target)
            else:
                start = int(values[2], 16)
                for n in range(high - low + 1):
                    table[low + n] = chr(start + n)
    return table


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
