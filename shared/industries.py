"""Industries as GB/T 4754-2017 codes: a 门类 (section) letter A–T or a 大类 (division) two-digit
code 01–97, with their Chinese names from `shared/data/industries.csv` (see the README beside
it). Each division belongs to the section whose fixed range holds it.

Matching reads codes, never names: two entries in the same division are closer than two that
share only the section.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "industries.csv"

# The first and last division of each section, as the standard numbers them (01–97, no gaps).
_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}  # fmt: skip


@functools.cache
def _names() -> dict[str, str]:
    with DATA.open(encoding="utf-8", newline="") as file:
        lines = (line for line in file if not line.startswith("#"))
        return {row["code"]: row["name"] for row in csv.DictReader(lines)}


@functools.cache
def sections() -> dict[str, str]:
    """门类 letter -> Chinese name, in the standard's order."""
    return {code: name for code, name in _names().items() if code.isalpha()}


@functools.cache
def divisions() -> dict[str, str]:
    """大类 two-digit code -> Chinese name, in the standard's order."""
    return {code: name for code, name in _names().items() if code.isdigit()}


def section_of(code: str) -> str | None:
    """The 门类 of a section or division code; None for anything else."""
    if code in sections():
        return code
    if code in divisions():
        number = int(code)
        for letter, (first, last) in _DIVISIONS.items():
            if first <= number <= last:
                return letter
    return None


def name_of(code: str) -> str | None:
    """The Chinese name of a section or division code; None for anything else."""
    return sections().get(code) or divisions().get(code)


def is_known(code: object) -> bool:
    return isinstance(code, str) and section_of(code) is not None


def label(code: str) -> str:
    """How an explanation names the code: its name, a division's with its code."""
    name = name_of(code)
    if name is None:
        return code
    return name if code in sections() else f"{name}（大类 {code}）"
