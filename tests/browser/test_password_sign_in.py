"""A clerk signs in to the console with a username and password (#19): the operator adds the
account with `kechuang user add`, the first sign-in forces a new password, the top bar names
the person, and signing out ends the session on the server."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.conftest import Console

INITIAL = "初始密码-2024a"
CHOSEN = "巴州科协-2025b"


def _add_account(username: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "ops.cli", "user", "add", username, "--name", "王小明",
         "--role", "office", "--district", "巴州区"],
        input=INITIAL + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip


def test_a_clerk_signs_in_with_a_password(console: Callable[..., Console]) -> None:
    username = f"clerk-{uuid.uuid4().hex[:8]}"
    _add_account(username)
    tab = console()
    page = tab.page
    page.goto(tab.base_url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill("wrong-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    page.get_by_label("密码", exact=True).fill(INITIAL)
    page.get_by_role("button", name="登录").click()
    # The initial password must be changed first.
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    tab.shot("change-password")
    page.get_by_label("初始密码").fill(INITIAL)
    page.get_by_label("新密码", exact=True).fill(CHOSEN)
    page.get_by_label("再次输入新密码").fill(CHOSEN)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("#topbar")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("王小明")
    tab.shot("signed-in")
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_visible()
    assert not tab.errors, tab.errors
