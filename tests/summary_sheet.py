"""Reading the 汇总表 sheet of the xlsx as a table: its header row and its entries, without
the title rows above them and the signing line below (services/reporting/adapters/export.py)."""

from __future__ import annotations

from typing import Any

from services.reporting.adapters.export import HEADER_ROW


def table(sheet: Any, values_only: bool = True) -> list[Any]:
    """The header row, then one row per entry (values, or cells with `values_only=False`)."""
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=values_only))
    first = (lambda row: row[0]) if values_only else (lambda row: row[0].value)
    end = next((n for n, row in enumerate(rows) if n and first(row) is None), len(rows))
    return rows[:end]
