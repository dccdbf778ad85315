"""The chain between a district and the city, in the browser: staff return an entry for
revision with reasons and the office sees them beside the fields, edits and submits again; the
office's inbox counts the notice until it is marked read; staff grant more time (逾期补交); the
office sends its batch (汇总报送) and downloads the letter; staff recommend a selected entry
and the 推荐名单 answers its package and letter."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from ops.client import Client, wait_until
from tests.browser.conftest import Console
from tests.browser.entries_by_api import draft, entry_in_review
from tests.front_door import token

DEMO_CALL = "科创项目征集（演示）"  # the open call (its panel on 逾期补交)
CLOSED_CALL = "首届科创中国·天府科技云服务大会科创项目征集"
DUE = "2030-06-30T18:00"  # a datetime-local value
BENEFITS = re.compile("^效益")  # the field the return names


def _unread(page: Page) -> int:
    badge = page.locator("#notice-count")
    return 0 if badge.is_hidden() else int(badge.inner_text())


def _answer(page: Page, button: str, path: str) -> tuple[int, str]:
    """Click a download button; the status and content type of the request it makes."""
    with page.expect_response(lambda r: r.url.endswith(path), timeout=60_000) as answer:
        page.get_by_role("button", name=button).click()
    response = answer.value
    return response.status, response.headers.get("content-type", "")


def test_staff_return_an_entry_and_the_office_resubmits_it(
    console: Callable[..., Console], base_url: str
) -> None:
    marker = uuid.uuid4().hex[:8]
    title = f"山区茶叶采摘机械（退回测试 {marker}）"
    reasons = f"请补充项目效益的测算依据 {marker}"
    office = Client(base_url, token("--role", "office", "--district", "南江县"))
    entry = draft(office, "achievement", title)
    office.submit(entry)

    # The office is signed in before the return: its badge counts what is unread now.
    clerk = console()
    clerk.sign_in(token("--role", "office", "--district", "南江县"))
    page = clerk.page
    expect(page.locator("#topbar")).to_be_visible()
    page.wait_for_timeout(1000)  # the badge is filled by its first refresh
    unread_before = _unread(page)

    # Staff open the entry and return it, naming a field.
    staff = console()
    staff.sign_in(token("--role", "staff"))
    staff.page.goto(f"{base_url}/#/entry/{entry}")
    expect(staff.page.get_by_role("heading", name=title)).to_be_visible()
    form = staff.page.locator("#return-form")
    form.get_by_label("退回理由").fill(reasons)
    form.get_by_text("需修改的字段（可选）").click()
    form.get_by_label(BENEFITS).check()
    form.get_by_label("修改期限").fill(DUE)
    form.get_by_role("button", name="退回修改").click()
    expect(staff.page.get_by_text(f"已退回修改：{reasons}")).to_be_visible()
    staff.shot("staff-returned")

    # The office's entry says so, above the form and beside the field named.
    page.goto(f"{base_url}/#/entries/{entry}")
    expect(page.get_by_text("已退回修改", exact=True)).to_be_visible()  # the status badge
    expect(page.get_by_role("status").filter(has_text=f"已退回修改：{reasons}")).to_contain_text(
        "请于 2030-06-30 18:00:00 前修改并重新提交"  # Beijing time, as staff typed it
    )
    beside = page.get_by_role("note").filter(has_text=reasons)
    expect(beside).to_have_count(1)  # beside the one field named
    expect(page.locator('[data-field="benefits"]').get_by_role("note")).to_contain_text(reasons)
    expect(page.get_by_role("listitem").filter(has_text="退回修改")).to_contain_text("市科协")
    clerk.shot("office-returned")

    # Its inbox counts the notice; marking it read clears it.
    page.reload()
    expect(page.locator("#notice-count")).to_have_text(str(unread_before + 1))
    page.get_by_role("link", name="通知").click()
    notice = page.locator("li.notice", has_text=reasons)
    expect(notice).to_contain_text("退回修改")
    expect(notice).to_contain_text("未读")
    clerk.shot("inbox")
    notice.get_by_role("button", name="标为已读").click()
    expect(notice.get_by_role("button", name="标为已读")).to_have_count(0)
    if unread_before:
        expect(page.locator("#notice-count")).to_have_text(str(unread_before))
    else:
        expect(page.locator("#notice-count")).to_be_hidden()

    # The office edits the field and submits again.
    page.goto(f"{base_url}/#/entries/{entry}")
    page.get_by_label(BENEFITS).fill(f"年节约标准煤 1 万吨（据 2020 年能耗台账测算）{marker}")
    page.get_by_role("button", name="重新提交").click()
    expect(page.get_by_text("已提交", exact=True).first).to_be_visible()
    assert office.entry(entry)["status"] == "submitted"
    clerk.shot("resubmitted")
    assert not clerk.errors and not staff.errors, clerk.errors + staff.errors


def test_staff_grant_more_time_on_the_extensions_page(
    console: Callable[..., Console], base_url: str
) -> None:
    reason = f"受暴雨影响，材料寄送延误 {uuid.uuid4().hex[:8]}"
    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "staff"))
    page.get_by_role("link", name="逾期补交").click()
    # More time is for a call already closed (2021's); its own panel, one per call.
    panel = page.get_by_role("region", name=f"逾期补交 · {CLOSED_CALL}")
    panel.get_by_label("区县").select_option("通江县")
    panel.get_by_label("延长至").fill(DUE)
    panel.get_by_label("理由").fill(reason)
    panel.get_by_role("button", name="准予逾期补交").click()
    row = panel.get_by_role("row").filter(has_text=reason)
    expect(row).to_contain_text("通江县")
    expect(row).to_contain_text("2030-06-30 18:00:00")  # Beijing time, as typed
    expect(row).to_contain_text("全区县")
    tab.shot("granted")
    assert not tab.errors, tab.errors


def test_the_office_sends_its_batch_and_downloads_the_letter(
    console: Callable[..., Console], base_url: str
) -> None:
    title = f"林下中药材种植技术推广（报送测试 {uuid.uuid4().hex[:8]}）"
    office = Client(base_url, token("--role", "office", "--district", "恩阳区"))
    entry = draft(office, "promotion", title)
    office.submit(entry)

    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "office", "--district", "恩阳区"))
    page.get_by_role("link", name="报送批次").click()
    row = page.locator(".send", has_text=DEMO_CALL)
    send = row.get_by_role("button", name=re.compile("汇总报送"))
    expect(send).to_be_enabled()
    sent = page.get_by_role("heading", name=re.compile(r"^已报送（\d+）$"))
    before = int(re.sub(r"\D", "", sent.inner_text()))
    page.once("dialog", lambda dialog: dialog.accept())
    send.click()
    # The list is drawn again with the new batch first.
    expect(sent).to_have_text(f"已报送（{before + 1}）")
    batch = page.locator("details.batch").first
    expect(batch).to_contain_text(DEMO_CALL)
    expect(batch.locator("code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    batch.locator("summary").click()
    expect(batch.get_by_role("table", name=re.compile(r"^第\d+批的项目$"))).to_contain_text(title)
    tab.shot("sent")
    with page.expect_download() as download:
        status = _answer(page, "下载报送函", "/letter.pdf")
    assert status[0] == 200 and status[1].startswith("application/pdf"), status
    assert download.value.suggested_filename.endswith(".pdf")
    assert not tab.errors, tab.errors


def test_staff_recommend_a_selected_entry_and_download_the_package(
    console: Callable[..., Console], base_url: str, promo_video: Path
) -> None:
    title = f"秦巴山区猕猴桃溃疡病防控难题（推荐测试 {uuid.uuid4().hex[:8]}）"
    reason = "难题具有区域代表性，已有对接意向。"
    office = Client(base_url, token("--role", "office", "--district", "巴州区"))
    entry = entry_in_review(office, title, promo_video)
    city = Client(base_url, token("--role", "staff"))
    city.review(entry, "eligible", "经核实，难题真实有效。")
    office.forward("demo", entry)  # 四(二): the district forwards it first
    city.select(entry, "selected", "入选")
    wait_until(lambda: city.screening(entry)["selection"], 30, "the selection recorded")
    rank = random.randint(1000, 9999)  # ranks are unique within a call; the stack is shared

    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "staff"))
    page.goto(f"{base_url}/#/entry/{entry}")
    form = page.locator("#recommend-form")
    form.get_by_label("推荐排序").fill(str(rank))
    form.get_by_label("推荐理由").fill(reason)
    form.get_by_role("button", name="推荐省级").click()
    expect(form).to_contain_text(f"当前推荐排序：第 {rank} 位")

    page.get_by_role("link", name="推荐名单").click()
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text(str(rank))
    expect(row).to_contain_text(reason)
    expect(row).to_contain_text("巴州区")
    tab.shot("recommended")
    with page.expect_download(timeout=60_000):
        status = _answer(page, "下载推荐函", "/recommendations/letter.pdf")
    assert status[0] == 200 and status[1].startswith("application/pdf"), status
    with page.expect_download(timeout=60_000):
        status = _answer(page, "下载省级材料包", "/recommendations.zip")
    assert status[0] == 200 and status[1].startswith("application/zip"), status
    assert not tab.errors, tab.errors
