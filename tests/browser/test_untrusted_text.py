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
