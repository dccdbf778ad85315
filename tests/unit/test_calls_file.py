"""The calls file: districts by code (names still taken from older files), the notice's contact."""

from datetime import datetime
from pathlib import Path

import pytest
from marshmallow import ValidationError

from shared import calls

ROOT = Path(__file__).resolve().parents[2]


def one(districts: str, extra: str = "") -> calls.Call:
    return calls.parse(
        f"""
calls:
  - id: c
    title: 征集
    opens: 2021-09-27T00:00:00+08:00
    closes: 2021-11-02T23:59:59+08:00
    categories: [achievement]
    districts: {districts}
{extra}"""
    )["c"]


def test_districts_given_by_code_keep_their_names_for_tokens() -> None:
    call = one('["511902", "511921"]')
    assert call.district_codes == ("511902", "511921")
    assert call.districts == ("巴州区", "通江县")


def test_districts_named_in_an_older_file_are_mapped_to_codes() -> None:
    call = one("[巴州区, 恩阳区, 通江县, 南江县, 平昌县]")
    assert call.district_codes == ("511902", "511903", "511921", "511922", "511923")
    assert call.districts == ("巴州区", "恩阳区", "通江县", "南江县", "平昌县")


def test_an_unquoted_code_is_read_as_the_code() -> None:
    assert one("[511903]").district_codes == ("511903",)


@pytest.mark.parametrize("districts", ["[某某区]", '["511999"]', '["511900"]', "[锦江区]",
                                       '["511902", 巴州区]'])  # fmt: skip
def test_an_unknown_or_repeated_district_is_an_error_at_start_up(districts: str) -> None:
    with pytest.raises(ValidationError):
        one(districts)


def test_the_contact_is_read_and_optional() -> None:
    contact = """    contact:
      name: 陈训煜
      phone: 13541785756、0827-5223387
      address: 巴州区西华街2号7楼
      email: 522176313@qq.com
"""
    assert one('["511902"]', contact).contact == calls.Contact(
        "陈训煜", "13541785756、0827-5223387", "巴州区西华街2号7楼", "522176313@qq.com"
    )
    assert one('["511902"]').contact is None


def test_a_contact_without_its_email_is_an_error() -> None:
    with pytest.raises(ValidationError):
        one('["511902"]', "    contact: {name: 陈训煜, phone: '1', address: 某地}\n")


@pytest.mark.parametrize("name", ["calls.yaml", "calls.demo.yaml"])
def test_the_shipped_calls_carry_the_notice_s_contact_and_the_five_districts(name: str) -> None:
    """四(三)'s contact is 巴州区's own, not everyone's (issue #25 item 6)."""
    shipped = calls.load(str(ROOT / "deploy" / name))
    for call in shipped.values():
        assert call.districts == ("巴州区", "恩阳区", "通江县", "南江县", "平昌县")
        contact = call.contact_of("巴州区")
        assert contact is not None
        assert (contact.name, contact.email) == ("陈训煜", "522176313@qq.com")
        assert "13541785756" in contact.phone and "0827-5223387" in contact.phone
        assert contact.address == "巴州区西华街2号7楼"
        assert call.contact is None  # no longer one contact for all
        city = call.contact_of_city()
        assert city is None or city.email != contact.email


def test_each_district_has_its_own_contact_and_the_city_its_own() -> None:
    def contact(who: str) -> str:
        return f"{{name: {who}, phone: '1', address: 某地, email: {who}@example.org}}"

    call = one(
        '["511902", "511903", "511921"]',
        f"""    city_contact: {contact("city")}
    district_contacts:
      "511902": {contact("bazhou")}
      511903: {contact("enyang")}
""",
    )
    assert call.contact_of_city().email == "city@example.org"  # type: ignore[union-attr]
    assert call.contact_of("巴州区").email == "bazhou@example.org"  # type: ignore[union-attr]
    assert call.contact_of("恩阳区").email == "enyang@example.org"  # type: ignore[union-attr]
    assert call.contact_of("通江县").email == "city@example.org"  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        one(
            '["511902"]',
            f"""    district_contacts:
      "511903": {contact("enyang")}
""",
        )  # a district the call does not list


def test_a_deadline_reads_in_beijing_time() -> None:
    call = calls.load(str(ROOT / "deploy" / "calls.yaml"))["tianfu-2021"]
    assert calls.beijing_time(call.closes) == "2021年11月2日 23:59:59（北京时间）"
    assert calls.beijing_time(datetime.fromisoformat("2021-09-26T16:00:00+00:00")) == (
        "2021年9月27日 00:00:00（北京时间）"
    )
