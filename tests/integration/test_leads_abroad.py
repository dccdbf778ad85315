"""Leads abroad (issue #25 item 5), through intake's and screening's HTTP entrypoints on real
PostgreSQL and RabbitMQ (`stack_fixtures`): `lead.country` (ISO 3166-1 alpha-2, absent: CN);
a GB/T 2260 code only for a lead in China. 二(二)1 (国内外企业牵头) accepts a promotion led by a
foreign enterprise; 二(一)2 still wants an achievement led from Sichuan, and one led from
abroad fails citing the clause."""

from __future__ import annotations

from typing import Any

from tests.entries import full_body
from tests.integration import stack_fixtures
from tests.integration.helpers import wait_until
from tests.integration.stack_fixtures import Stack

stack = stack_fixtures.stack  # the fixture, used by name below

ENTRIES = "/api/v1/submissions"
SCREENINGS = "/api/v1/screenings"


def abroad(category: str, **lead: Any) -> dict[str, Any]:
    body = full_body(category) | {"call_id": "open-call"}
    kept = {k: v for k, v in body["lead"].items() if k != "region_code"}
    return body | {"lead": kept | {"country": "DE", "affiliation": "Fraunhofer"} | lead}


def submitted(stack: Stack, body: dict[str, Any]) -> str:
    created = stack.intake.call("POST", ENTRIES, json=body)
    assert created.status_code == 201, created.text
    entry = created.json()["id"]
    for kind in ("promo_video", "introduction", "proof"):
        stack.feed.material(entry, kind)
    answer = stack.intake.call("POST", f"{ENTRIES}/{entry}/submit")
    assert answer.status_code == 200, answer.text
    return str(entry)


def screening(stack: Stack, entry: str, rule: str) -> dict[str, Any]:
    def shown() -> dict[str, Any] | None:
        answer = stack.screening.call("GET", f"{SCREENINGS}/{entry}", role="staff").json()
        if answer.get("state") in (None, "pending"):
            return None
        found = [f for f in answer["findings"] if f["rule"] == rule]
        return answer | {"finding": found[0]} if found else None

    return wait_until(shown, timeout=30, message=f"{entry} screened")  # type: ignore[no-any-return]


def test_a_promotion_led_by_a_foreign_enterprise_is_entered_and_passes_two_two_one(
    stack: Stack,
) -> None:
    body = abroad("promotion")
    body["lead_enterprise"] = {"name": "Siemens AG", "type": "enterprise"}
    entry = submitted(stack, body)
    shown = stack.intake.call("GET", f"{ENTRIES}/{entry}").json()
    assert shown["lead"]["country"] == "DE" and "region_code" not in shown["lead"]
    judged = screening(stack, entry, "promotion.enterprise_led")
    assert judged["finding"]["outcome"] == "pass" and judged["finding"]["clause"] == "二(二)1"
    assert judged["state"] != "ineligible", judged["findings"]


def test_an_achievement_led_from_abroad_fails_two_one_two(stack: Stack) -> None:
    entry = submitted(stack, abroad("achievement"))
    judged = screening(stack, entry, "achievement.led_from_sichuan")
    assert judged["state"] == "ineligible"
    assert judged["finding"]["outcome"] == "fail" and judged["finding"]["clause"] == "二(一)2"


def test_a_lead_in_china_still_gives_its_place_code(stack: Stack) -> None:
    body = full_body("achievement") | {"call_id": "open-call"}
    body["lead"] = {k: v for k, v in body["lead"].items() if k != "region_code"}
    created = stack.intake.call("POST", ENTRIES, json=body)
    assert created.status_code == 201, created.text
    refused = stack.intake.call("POST", f"{ENTRIES}/{created.json()['id']}/submit")
    assert refused.status_code == 422, refused.text
    assert "lead.region_code" in refused.json()["error"]["fields"]
    wrong = stack.intake.call("POST", ENTRIES, json=abroad("achievement", country="Germany"))
    assert wrong.status_code == 422 and "lead.country" in wrong.json()["error"]["fields"]
