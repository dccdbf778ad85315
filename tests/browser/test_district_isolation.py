"""A second office, of another district, signs in with the keyboard alone and sees none of
巴州区's entries: not in its list, not by the entry's address, not in its export."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from ops.client import Client
from tests.browser.conftest import Console
from tests.browser.entries_by_api import draft
from tests.front_door import token


def test_another_districts_office_sees_none_of_it(
    console: Callable[..., Console], base_url: str, tmp_path: Path
) -> None:
    title = f"巴州区的草稿（浏览器测试 {uuid.uuid4().hex[:8]}）"
    entry = draft(
        Client(base_url, token("--role", "office", "--district", "巴州区")), "finance", title
    )

    tab = console()
    page = tab.page
    page.goto(base_url + "/")
    # Keyboard only: the sign-in page has the username focused; Tab reaches the link to the
    # service token screen past the form, Enter opens it, and the token field has focus.
    expect(page.get_by_label("用户名")).to_be_focused()
    link = page.get_by_role("link", name="使用服务令牌登录")
    for _ in range(6):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    # Tab reaches the sign-in button, Enter presses it.
    expect(page.get_by_label("访问令牌")).to_be_focused()
    page.keyboard.insert_text(token("--role", "office", "--district", "恩阳区"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="登录")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="恩阳区 · 申报项目")).to_be_visible()
    expect(page.locator("#topbar")).to_contain_text("区县科协 · 恩阳区")
    expect(page.locator("#main .pager, #main p.muted").first).to_be_visible()  # the list loaded
    expect(page.get_by_text(title)).to_have_count(0)
    tab.shot("list")

    page.goto(f"{base_url}/#/entries/{entry}")
    expect(page.get_by_role("alert")).to_contain_text("申报项目不存在")
    expect(page.get_by_text(title)).to_have_count(0)
    tab.shot("entry-not-found")

    page.goto(f"{base_url}/#/entries")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出本区汇总表（xlsx）").click()
    saved = tmp_path / "恩阳区.xlsx"
    download_info.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    cells = {str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None}
    assert title not in cells and "巴州区" not in cells
    assert not tab.errors, tab.errors
