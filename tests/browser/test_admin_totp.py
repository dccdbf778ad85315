"""A staff admin's first sign-in in the console (#24): the initial password is changed, then
the authenticator app is enrolled (admins must use TOTP) before anything else; the accounts
page then opens an office's account. The front door's CSP blocks nothing the console does."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import Console

INITIAL = "初始密码-2024a"
CHOSEN = "市科协管理-2025b"


def test_a_staff_admin_enrols_totp_before_managing_accounts(
    console: Callable[..., Console],
) -> None:
    username = f"admin-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [sys.executable, "-m", "ops.cli", "user", "add", username, "--name", "李管理",
         "--role", "staff", "--admin"],
        input=INITIAL + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    tab = console()
    page = tab.page
    page.goto(tab.base_url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(INITIAL)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("初始密码").fill(INITIAL)
    page.get_by_label("新密码", exact=True).fill(CHOSEN)
    page.get_by_label("再次输入新密码").fill(CHOSEN)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("heading", name="启用动态验证码")).to_be_visible()
    tab.shot("enrol-totp")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="启用").click()
    expect(page.locator("#who")).to_contain_text("李管理")
    page.goto(tab.base_url + "/#/accounts")
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    office = f"clerk-{uuid.uuid4().hex[:8]}"
    page.locator("#new-username").fill(office)
    page.locator("#new-name").fill("王小明")
    page.locator("#new-district").fill("巴州区")
    page.locator("#new-initial-password").fill(INITIAL)
    page.get_by_role("button", name="开设账号").click()
    expect(page.get_by_role("table")).to_contain_text(office)
    assert not tab.errors, tab.errors
