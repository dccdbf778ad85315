"""GB/T 4754-2017 as shipped: 20 门类 and 97 大类 with their names, each 大类 in its 门类."""

from services.intake.catalog import catalog
from shared import industries


def test_the_standard_has_twenty_sections_and_ninety_seven_divisions() -> None:
    assert list(industries.sections()) == list("ABCDEFGHIJKLMNOPQRST")
    assert list(industries.divisions()) == [f"{n:02d}" for n in range(1, 98)]
    assert all(name.strip() == name and name for name in industries.divisions().values())


def test_divisions_sit_in_their_sections_and_are_named() -> None:
    assert industries.section_of("01") == "A" and industries.section_of("13") == "C"
    assert industries.section_of("65") == "I" and industries.section_of("97") == "T"
    assert industries.section_of("98") is None and industries.section_of("1") is None
    assert industries.label("65") == "软件和信息技术服务业（大类 65）"
    assert industries.label("I") == "信息传输、软件和信息技术服务业"
    assert not industries.is_known("00") and industries.is_known("96")


def test_the_catalog_offers_each_section_followed_by_its_divisions() -> None:
    offered = catalog()["industries"]
    assert len(offered) == 117
    assert offered[:3] == [
        {"code": "A", "name": "农、林、牧、渔业"},
        {"code": "01", "name": "农业", "section": "A"},
        {"code": "02", "name": "林业", "section": "A"},
    ]
