"""Countries as ISO 3166-1 alpha-2 codes (CN, DE, US), with their Chinese names for display.
The table is `shared/data/countries.csv` (its source in the README beside it), read once on
first use. A lead (项目负责人) in China gives a GB/T 2260 place (`shared.regions`); a lead
elsewhere gives the country only (二(二)1: 国内外企业牵头)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "countries.csv"
CHINA = "CN"


@functools.cache
def _table() -> dict[str, str]:
    with DATA.open(encoding="utf-8", newline="") as file:
        return {row["code"]: row["name_zh"] for row in csv.DictReader(file)}


def is_known(code: object) -> bool:
    return isinstance(code, str) and code in _table()


def name_of(code: str) -> str | None:
    """德国 for DE; None for a code not in the table."""
    return _table().get(code) if isinstance(code, str) else None


def codes() -> list[str]:
    return sorted(_table())
