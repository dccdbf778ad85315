"""What GET /api/v1/calls answers: the calls an office may use (staff: all)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.intake.queries import calls_for
from shared import calls
from shared.auth import Principal
from shared.errors import Refused

CALLS = calls.load(str(Path(__file__).resolve().parents[2] / "deploy" / "calls.demo.yaml"))
ONLY_BAZHOU = calls.parse(
    """
calls:
  - id: bazhou
    title: 巴州区征集
    opens: 2021-09-27T00:00:00+08:00
    closes: 2021-11-02T23:59:59+08:00
    categories: [finance]
    districts: ["511902"]
"""
)
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_an_office_sees_the_calls_its_district_takes_part_in() -> None:
    both = CALLS | ONLY_BAZHOU
    office = Principal("o", "office", "恩阳区")
    assert [c["id"] for c in calls_for(office, both, NOW)] == ["tianfu-2021", "demo"]
    bazhou = Principal("o", "office", "巴州区")
    assert [c["id"] for c in calls_for(bazhou, both, NOW)] == ["tianfu-2021", "demo", "bazhou"]


def test_staff_see_every_call() -> None:
    assert len(calls_for(Principal("s", "staff"), CALLS | ONLY_BAZHOU, NOW)) == 3


def test_an_operator_token_may_not_read_calls() -> None:
    with pytest.raises(Refused) as refused:
        calls_for(Principal("x", "operator"), CALLS, NOW)
    assert refused.value.code == "forbidden"


def test_a_call_reads_with_its_window_categories_districts_and_contact() -> None:
    [closed, demo] = calls_for(Principal("s", "staff"), CALLS, NOW)
    assert closed["opens"] == "2021-09-27T00:00:00+08:00"
    assert closed["closes"] == "2021-11-02T23:59:59+08:00"
    assert closed["closes_text"] == "2021年11月2日 23:59:59（北京时间）"
    assert closed["opens_text"] == "2021年9月27日 00:00:00（北京时间）"
    assert (closed["is_open"], demo["is_open"]) == (False, True)
    assert closed["categories"][0] == {"code": "achievement", "name": "科技成果转化项目"}
    assert [c["name"] for c in closed["categories"]] == [
        "科技成果转化项目", "高新技术推广项目", "科技难题攻关项目", "科技金融创新产品",
    ]  # fmt: skip
    assert closed["districts"][0] == {"code": "511902", "name": "巴州区"}
    assert [d["code"] for d in closed["districts"]] == [
        "511902", "511903", "511921", "511922", "511923",
    ]  # fmt: skip
    # Staff see the city's contact (市科协), not a district's (issue #25 item 6).
    assert closed["contact"]["email"] == "city@example.org"


def test_each_office_sees_its_own_district_s_contact() -> None:
    """Issue #25 item 6: 四(三) names 巴州区's contact; every other district has its own."""
    [bazhou, _] = calls_for(Principal("o", "office", "巴州区"), CALLS, NOW)
    assert bazhou["contact"] == {
        "name": "陈训煜", "phone": "13541785756、0827-5223387",
        "address": "巴州区西华街2号7楼", "email": "522176313@qq.com",
    }  # fmt: skip
    [enyang, _] = calls_for(Principal("o", "office", "恩阳区"), CALLS, NOW)
    assert enyang["contact"]["email"] == "enyang@example.org"


def test_a_call_without_a_contact_says_so() -> None:
    [call] = calls_for(Principal("s", "staff"), ONLY_BAZHOU, NOW)
    assert call["contact"] is None
