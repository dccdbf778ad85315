"""The vocabulary the console shows (`GET /api/v1/catalog`): categories, material kinds and
the reports' states with their Chinese labels, per category the receipt form's fields, and
Sichuan's places (GB/T 2260 code and full name) for the form's region pickers, and the
industries (GB/T 4754-2017 门类 and 大类) for its industry picker.

Codes come from where they are declared (intake's categories, media's kinds); the labels are
the ones the reports print, so the console and the 汇总表 say the same words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from services.intake import receipt
from shared import industries, regions
from shared.catalog.vocabulary import (
    CATEGORIES,
    CATEGORY_LABELS,
    MATERIAL_KIND_LABELS,
    MATERIAL_KINDS,
    STATE_LABELS,
)


def _labelled(codes: Iterable[str], names: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": names[code]} for code in codes]


@functools.cache  # derived from declarations fixed at start
def catalog() -> dict[str, Any]:
    return {
        "categories": _labelled(CATEGORIES, CATEGORY_LABELS),
        "material_kinds": _labelled(MATERIAL_KINDS, MATERIAL_KIND_LABELS),
        "states": _labelled(STATE_LABELS, STATE_LABELS),
        "forms": {category: receipt.form(category) for category in CATEGORIES},
        # Offered by the pickers of `region` fields; a code elsewhere may still be typed.
        "regions": [{"code": code, "name": name} for code, name in regions.places_within()],
        # Offered by the pickers of `industry` fields: GB/T 4754-2017's 门类, each followed
        # by its 大类 (which name their 门类).
        "industries": _industries(),
    }


def _industries() -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for section, name in industries.sections().items():
        found.append({"code": section, "name": name})
        found.extend(
            {"code": code, "name": division, "section": section}
            for code, division in industries.divisions().items()
            if industries.section_of(code) == section
        )
    return found
