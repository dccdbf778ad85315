"""Places as GB/T 2260 codes: the shipped table and what `shared.regions` reads from it."""

import csv
import re

import pytest

from shared import regions


def test_the_table_holds_six_digit_codes_with_names_and_no_placeholder_rows() -> None:
    lines = [line for line in regions.DATA.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]  # fmt: skip
    rows = list(csv.DictReader(lines))
    assert len(rows) > 3000
    assert all(re.fullmatch(r"\d{6}", row["code"]) and row["name"] for row in rows)
    assert len({row["code"] for row in rows}) == len(rows)
    assert "市辖区" not in {row["name"] for row in rows}


def test_the_table_says_where_it_comes_from() -> None:
    head = regions.DATA.read_text(encoding="utf-8")[:600]
    assert "cpca 0.5.5" in head and "MIT" in head


@pytest.mark.parametrize(
    ("code", "name"),
    [("510000", "四川省"), ("511900", "巴中市"), ("511902", "巴州区"), ("511903", "恩阳区"),
     ("511921", "通江县"), ("511922", "南江县"), ("511923", "平昌县"), ("510117", "郫都区"),
     ("510124", "郫县")],
)  # fmt: skip
def test_name_of_a_known_code(code: str, name: str) -> None:
    assert regions.name_of(code) == name
    assert regions.is_known(code)


@pytest.mark.parametrize(
    "code", ["511999", "51190", "5119020", "", "abcdef", "511901", None, 511902]
)
def test_an_unknown_code_has_no_name(code: object) -> None:
    assert regions.name_of(code) is None  # type: ignore[arg-type]
    assert regions.full_name(code) is None  # type: ignore[arg-type]
    assert regions.in_sichuan(code) is None  # type: ignore[arg-type]
    assert not regions.is_known(code)


@pytest.mark.parametrize(
    ("code", "full"),
    [
        ("511902", "四川省巴中市巴州区"),
        ("511900", "四川省巴中市"),
        ("510000", "四川省"),
        ("510117", "四川省成都市郫都区"),
        ("110101", "北京市东城区"),  # a municipality: no prefecture between
        ("500229", "重庆市城口县"),  # GB/T 2260's "县" grouping is not a place
        ("429004", "湖北省仙桃市"),  # nor is "省直辖县级行政区划"
    ],
)
def test_full_name_joins_the_levels_a_person_reads(code: str, full: str) -> None:
    assert regions.full_name(code) == full


@pytest.mark.parametrize(("code", "inside"), [("511902", True), ("510000", True),
                                              ("500101", False), ("110101", False)])  # fmt: skip
def test_in_sichuan_reads_the_code_not_a_name(code: str, inside: bool) -> None:
    assert regions.in_sichuan(code) is inside


@pytest.mark.parametrize(
    ("name", "within", "code"),
    [("巴州区", "5119", "511902"), (" 恩阳区 ", "5119", "511903"), ("通江县", "5119", "511921"),
     ("南江", "5119", "511922"), ("郫都区", "5101", "510117"), ("郫县", "5101", "510124")],
)  # fmt: skip
def test_code_of_district_finds_a_county_within_its_prefecture(
    name: str, within: str, code: str
) -> None:
    assert regions.code_of_district(name, within) == code


def test_code_of_district_defaults_to_bazhong() -> None:
    assert regions.code_of_district("平昌县") == "511923"


@pytest.mark.parametrize(
    ("name", "within"),
    [("巴州区", "5101"), ("锦江区", "5119"), ("巴中市", "5119"), ("", "5119"), ("某某区", "5119")],
)
def test_code_of_district_is_none_outside_its_prefecture_or_for_unknown_names(
    name: str, within: str
) -> None:
    assert regions.code_of_district(name, within) is None


@pytest.mark.parametrize(
    ("province", "city", "district", "code"),
    [
        ("四川省", "巴中市", "巴州区", "511902"),
        ("四川", "巴中", "巴州区", "511902"),
        ("四川省 ", " 巴中市", " 恩阳区\u3000", "511903"),
        ("四川省", "巴中市", None, "511900"),
        ("四川省", "巴中市", "", "511900"),
        ("北京市", "北京市", "朝阳区", "110105"),
        ("重庆", "重庆市", "城口县", "500229"),
        ("广西", "南宁市", "青秀区", "450103"),
    ],
)
def test_code_from_names_maps_spellings_people_write(
    province: str, city: str, district: str | None, code: str
) -> None:
    assert regions.code_from_names(province, city, district) == code


@pytest.mark.parametrize(
    ("province", "city", "district"),
    [
        ("四川省", "巴中市", "朝阳区"),  # not in 巴中市
        ("四川省", "成都市", "巴州区"),
        ("重庆市", "巴中市", "巴州区"),
        ("四", "巴中市", "巴州区"),  # too short to be a spelling
        ("", "巴中市", "巴州区"),
        (None, None, None),
        ("四川省", "巴中市", "巴中经济开发区"),
    ],
)
def test_code_from_names_is_none_when_the_names_do_not_map(
    province: str | None, city: str | None, district: str | None
) -> None:
    assert regions.code_from_names(province, city, district) is None
