"""Entry fields of events written before issue #13 read in today's shape (shared.catalog.upcast)."""

from typing import Any

import pytest

from shared.catalog.upcast import upcast_fields
from tests.entries import full_body

PLACE = {"province": "四川省", "city": "巴中市", "district": "巴州区"}


def test_today_s_fields_come_back_unchanged() -> None:
    for category in ("achievement", "promotion", "challenge", "finance"):
        fields = full_body(category)
        assert upcast_fields(fields) is fields


@pytest.mark.parametrize(
    ("place", "code"),
    [(PLACE, "511902"), ({"province": "四川", "city": "巴中", "district": "平昌县 "}, "511923"),
     ({"province": "四川省 ", "city": "巴中市"}, "511900")],
)  # fmt: skip
def test_an_applicant_named_by_place_gains_its_code(place: dict[str, str], code: str) -> None:
    fields = {"applicant": {"name": "某公司", "type": "enterprise"} | place}
    upcast = upcast_fields(fields)
    assert upcast["applicant"] == fields["applicant"] | {"region_code": code}
    assert "region_code" not in fields["applicant"]  # the event's data is not changed


@pytest.mark.parametrize(
    "applicant",
    [{"name": "某公司", "province": "四川省", "city": "巴中市", "district": "经开区"},
     {"name": "某公司", "province": "火星"}, {"name": "某公司"}],
)  # fmt: skip
def test_an_applicant_whose_names_do_not_map_gets_no_code(applicant: dict[str, Any]) -> None:
    assert "region_code" not in upcast_fields({"applicant": applicant})["applicant"]


def test_a_code_already_there_is_never_replaced() -> None:
    fields = {"applicant": PLACE | {"region_code": "511921"}}
    assert upcast_fields(fields)["applicant"]["region_code"] == "511921"


def test_a_string_lead_enterprise_becomes_a_name_without_a_type() -> None:
    assert upcast_fields({"lead_enterprise": "巴中某科技有限公司"}) == {
        "lead_enterprise": {"name": "巴中某科技有限公司"}
    }


def test_upcasting_twice_changes_nothing_more() -> None:
    old = {"applicant": dict(PLACE), "lead_enterprise": "某公司", "title": "x"}
    once = upcast_fields(old)
    assert upcast_fields(once) == once
