"""供需对接 in the browser: a district's technical challenge and another district's achievement
that answers it; city staff see the achievement among the challenge's offers, with why, and the
office sees it on its own challenge. The achievement's title is hostile (markup and a bidi
override): it is shown as the text it is and nothing in it runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import expect

from ops.client import Client, wait_until
from tests.browser.conftest import Console
from tests.browser.entries_by_api import draft
from tests.front_door import token


def test_staff_see_the_offers_found_for_a_challenge(
    console: Callable[..., Console], base_url: str
) -> None:
    marker = uuid.uuid4().hex[:8]
    keywords = [f"魔芋软腐病{marker}", "魔芋", "生物防治"]
    challenger = Client(base_url, token("--role", "office", "--district", "通江县"))
    title = f"魔芋软腐病防治难题（对接测试 {marker}）"
    challenge = draft(challenger, "challenge", title, keywords=keywords)
    offer_title = f"<script>window.__xss=1</script>\u202e魔芋软腐病生物防治技术{marker}"
    offerer = Client(base_url, token("--role", "office", "--district", "南江县"))
    offer = draft(offerer, "achievement", offer_title, keywords=keywords)
    challenger.submit(challenge)
    offerer.submit(offer)
    staff_api = Client(base_url, token("--role", "staff"))

    def offers() -> list[str]:
        found = staff_api.call("GET", f"/api/v1/matches/{challenge}?limit=5")
        if found.status_code == 404:  # matching has not heard of the challenge yet
            return []
        return [m["submission_id"] for m in found.json()["items"]]

    wait_until(lambda: offer in offers(), 30, "matching to find the achievement")
    # The page lists the challenges as the reports do, newest first.
    wait_until(lambda: staff_api.report_rows(q=title), 30, "the challenge reported")

    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "staff"))
    page.get_by_role("link", name="供需对接").click()
    card = page.locator("article", has_text=f"对接测试 {marker}")
    found = card.get_by_role("listitem").filter(has_text=f"魔芋软腐病生物防治技术{marker}")
    expect(found).to_contain_text("南江县")
    expect(found.get_by_role("link", name=offer_title)).to_be_visible()  # verbatim
    expect(found.get_by_role("button", name="确认对接成功")).to_be_visible()
    tab.shot("offers")
    assert page.evaluate("window.__xss") is None

    # The office sees what was found on its own challenge.
    clerk = console()
    clerk.sign_in(token("--role", "office", "--district", "通江县"))
    clerk.page.goto(f"{base_url}/#/entries/{challenge}")
    expect(clerk.page.locator("#offers-found")).to_contain_text(offer_title)
    clerk.shot("office-offers")
    assert clerk.page.evaluate("window.__xss") is None
    assert not tab.errors and not clerk.errors, tab.errors + clerk.errors
