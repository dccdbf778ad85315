"""Places as GB/T 2260 administrative division codes (six digits: 51 四川省, 5119 巴中市,
511902 巴州区), with their names for display. The table is `shared/data/regions.csv` (its
source and licence in the README beside it), read once on first use.

Codes decide; names are only derived or, for entries written before codes, mapped once to a
code (`code_from_names`) and never compared as free text again: "四川" and "四川省 " are the same
province, and a name that does not map gives no code rather than a guess.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "regions.csv"
SICHUAN = "51"

# Rows GB/T 2260 keeps for grouping, not places anyone names ("重庆市县城口县" is wrong).
_GROUPINGS = frozenset({"县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# What a short spelling may leave off a name: "四川" for 四川省, "巴中" for 巴中市,
# "广西" for 广西壮族自治区, "通江" for 通江县.
_SUFFIXES = (
    "省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区",
    "地区", "盟", "自治州", "区", "县", "自治县", "旗",
)  # fmt: skip


@functools.cache
def _table() -> dict[str, str]:
    with DATA.open(encoding="utf-8", newline="") as file:
        lines = (line for line in file if not line.startswith("#"))
        return {row["code"]: row["name"] for row in csv.DictReader(lines)}


def is_known(code: object) -> bool:
    return isinstance(code, str) and code in _table()


def name_of(code: str) -> str | None:
    """巴州区 for 511902; None for a code not in the table."""
    return _table().get(code) if isinstance(code, str) else None


def full_name(code: str) -> str | None:
    """四川省巴中市巴州区 for 511902, 四川省巴中市 for 511900, 四川省 for 510000."""
    if not is_known(code):
        return None
    levels = dict.fromkeys((code[:2] + "0000", code[:4] + "00", code))  # ordered, no repeats
    names = (_table().get(level) for level in levels)
    return "".join(name for name in names if name and name not in _GROUPINGS)


def places_within(prefix: str = SICHUAN) -> list[tuple[str, str]]:
    """Every place whose code starts with `prefix` (the province, its prefectures and
    counties), as (code, full name) in code order: what a picker offers."""
    return [
        (code, name)
        for code in sorted(_table())
        if code.startswith(prefix) and _table()[code] not in _GROUPINGS
        for name in (full_name(code),)
        if name
    ]


def in_sichuan(code: str) -> bool | None:
    """Whether the place is in 四川省; None when the code is unknown (a `review`, not a fail)."""
    return code.startswith(SICHUAN) if is_known(code) else None


def _is_county(code: str) -> bool:
    return code[4:] != "00"


def _is_prefecture(code: str) -> bool:
    return code[2:] != "0000" and code[4:] == "00"


def _is_province(code: str) -> bool:
    return code[2:] == "0000"


def _spelled(given: str, name: str) -> bool:
    return given == name or (name.startswith(given) and name[len(given) :] in _SUFFIXES)


def _one(given: object, codes: list[str]) -> str | None:
    """The one code among `codes` whose name `given` spells (trimmed, maybe short); None when
    none or several do."""
    if not isinstance(given, str) or not given.strip():
        return None
    wanted = given.strip()
    table = _table()
    exact = [code for code in codes if table[code] == wanted]
    found = exact or [code for code in codes if _spelled(wanted, table[code])]
    return found[0] if len(found) == 1 else None


def code_of_district(name: str, within: str = "5119") -> str | None:
    """The county-level code named `name` whose code starts with `within` (巴州区 -> 511902)."""
    codes = [code for code in _table() if code.startswith(within) and _is_county(code)]
    return _one(name, codes)


def code_from_names(
    province: str | None, city: str | None, district: str | None = None
) -> str | None:
    """The code the names map to, at the finest level given (a blank district gives the
    prefecture's code). Tolerant of spaces and of short spellings; None when they do not map.
    A municipality's districts are found with the city written as the province (北京市 北京市
    东城区), since GB/T 2260 gives them no prefecture of their own."""
    table = _table()
    province_code = _one(province, [code for code in table if _is_province(code)])
    if province_code is None:
        return None
    within = province_code[:2]
    prefectures = [code for code in table if code.startswith(within) and _is_prefecture(code)]
    city_code = _one(city, prefectures)
    if city_code is None and _one(city, [province_code]):
        city_code = province_code  # a municipality: its districts sit under the province
    if city_code is None:
        return None
    if not isinstance(district, str) or not district.strip():
        return city_code
    prefix = city_code[:4] if city_code != province_code else within
    return code_of_district(district, within=prefix)
