"""What offices type is shown as text, never run as markup: a title carrying an HTML payload
appears verbatim in the staff's list and detail, and nothing in it executes."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import expect

from ops.client import Client
from tests.browser.conftest import Console
from tests.browser.entries_by_api import draft
from tests.front_door import token


def test_an_html_payload_in_a_title_is_shown_as_text(
    console: Callable[..., Console], base_url: str
) -> None:
    marker = uuid.uuid4().hex[:8]
    title = f'<img src=x onerror="window.__xss=1">标题{marker}'
    entry = draft(
        Client(base_url, token("--role", "office", "--district", "通江县")), "finance", title
    )

    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "staff"))
    page.goto(f"{base_url}/#/entry/{entry}")
    expect(page.get_by_text(title).first).to_be_visible()
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("window.__xss") is None
    tab.shot("detail")
    assert not tab.errors, tab.errors


def test_hostile_return_reasons_are_shown_as_text_in_the_office_pages(
    console: Callable[..., Console], base_url: str
) -> None:
    """Staff's words reach the office too: a return's reasons carrying markup and a bidi
    override appear verbatim above the form, beside the field and in the inbox."""
    marker = uuid.uuid4().hex[:8]
    title = f"<script>window.__xss=1</script>标题{marker}"
    reasons = f'<img src=x onerror="window.__xss=1">\u202e请补充{marker}'
    office = Client(base_url, token("--role", "office", "--district", "平昌县"))
    entry = draft(office, "finance", title)
    office.submit(entry)
    staff = Client(base_url, token("--role", "staff"))
    body = {"reasons": reasons, "fields": ["title"], "due": "2030-06-30T18:00:00+08:00"}
    assert staff.call("POST", f"/api/v1/submissions/{entry}/return", json=body).ok

    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "office", "--district", "平昌县"))
    page.goto(f"{base_url}/#/entries/{entry}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=reasons)).to_be_visible()
    expect(page.get_by_role("note")).to_have_text(f"已退回修改：{reasons}")
    page.get_by_role("link", name="通知").click()
    expect(page.locator("li.notice", has_text=reasons).first).to_be_visible()
    tab.shot("office-returned")
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("main script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert not tab.errors, tab.errors
