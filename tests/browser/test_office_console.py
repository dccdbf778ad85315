"""A district office's whole job in the browser: sign in, fill the receipt form (the API's
Chinese messages shown next to the fields), save, submit, upload the promo video through the
presigned URL with a progress bar, see it stored and screening's findings follow."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Route, expect

from ops.client import Client
from tests.browser.conftest import Console
from tests.browser.entries_by_api import draft
from tests.front_door import token


def test_an_office_fills_submits_and_uploads_a_video_that_is_stored(
    console: Callable[..., Console], promo_video: Path
) -> None:
    tab = console()
    page = tab.page
    title = f"秸秆综合利用难题（浏览器测试 {uuid.uuid4().hex[:8]}）"

    page.goto(tab.base_url + "/")
    expect(page.get_by_label("用户名")).to_be_focused()  # the sign-in page (person accounts)
    tab.shot("signin")
    tab.sign_in(token("--role", "office", "--district", "巴州区"))
    expect(page.get_by_role("heading", name="巴州区 · 申报项目")).to_be_visible()
    expect(page.locator("#topbar")).to_contain_text("区县科协 · 巴州区")
    tab.shot("list")

    # A category first; its form shows only that category's fields.
    page.get_by_role("link", name="新建项目").first.click()
    tab.shot("choose-category")
    page.get_by_role("link", name=re.compile("科技难题攻关项目")).click()
    form = page.locator("form[data-category=challenge]")
    expect(form.get_by_label("合作方式")).to_be_visible()
    expect(form.get_by_label("技术水平")).to_have_count(0)  # achievement/promotion only
    expect(form.get_by_label("发布机构")).to_have_count(0)  # finance only

    form.get_by_label("项目名称").fill(title)
    form.get_by_label("项目简介").fill("秸秆还田与饲料化利用的关键技术难题。")
    form.get_by_label("效益（经济、社会或生态效益）").fill("年处理秸秆 5 万吨")
    form.get_by_label("天府科技云平台发布编号").fill("TFY-2021_B001")
    form.get_by_label("单位名称").fill("巴中某农业科技有限公司")
    form.get_by_label("单位类型").select_option(label="企业")
    form.get_by_label("所在省份").fill("四川省")
    form.get_by_label("所在市（州）").fill("巴中市")
    form.get_by_label("所在区县").fill("巴州区")
    form.get_by_label("姓名").fill("张三")
    form.get_by_label("联系电话").fill("12345")  # not a phone number: the API says so
    form.get_by_label("符合法律法规和社会公德，不危害公共利益、环境和资源").select_option("true")
    form.get_by_label("涉及国家秘密").select_option("false")
    form.get_by_label("该难题已攻克").select_option("false")
    form.get_by_label("合作方式").select_option(label="联合开发")
    page.get_by_role("button", name="保存草稿").click()

    # The entry was created; the bad phone is refused with the API's message beside it.
    phone_error = page.locator('[data-error-for="contact.phone"]')
    expect(phone_error).to_contain_text("请填写有效的手机号")
    expect(form.get_by_label("联系电话")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[role=alert]")).to_contain_text("项目信息有误")
    expect(page).to_have_url(re.compile(r"#/entries/[0-9a-f-]{36}$"))
    tab.shot("form-errors")

    form.get_by_label("联系电话").fill("0827-5223387")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存", exact=True)).to_be_visible()
    expect(phone_error).to_be_empty()

    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("项目已提交，系统正在按征集标准筛查。")).to_be_visible()
    expect(page.locator(".page-head [data-state=submitted]")).to_have_text("已提交")

    # Screening's findings with their clauses: the promo video is still missing.
    video_finding = page.locator("#screening tr", has_text="大会推介视频")
    expect(video_finding).to_contain_text("二(三)4⑥")
    expect(video_finding.locator(".badge")).to_have_text("缺材料")
    expect(page.locator("#screening")).to_contain_text("待补充材料")
    tab.shot("submitted")

    # The promo video goes straight to the bucket and is verified by media.
    video_box = page.locator("#materials [data-kind=promo_video]")
    video_box.get_by_label("选择推介视频文件").set_input_files(promo_video)
    video_box.get_by_role("button", name="上传").click()
    expect(video_box.locator(".badge", has_text="已存储")).to_be_visible(timeout=60_000)
    expect(video_box.locator("progress")).to_have_js_property("value", 100)
    player = video_box.locator("video")
    expect(player).to_have_attribute("src", re.compile(r"/kechuang-media/"))
    expect(video_box).to_contain_text("320×240")
    expect(video_box).to_contain_text("h264")
    # The browser can really play what it uploaded (same origin, presigned GET).
    page.wait_for_function(
        "() => document.querySelector('#materials [data-kind=promo_video] video').readyState >= 1"
    )
    assert player.evaluate("v => v.duration") > 1.5

    # Screening sees the stored video: that clause now passes (the panel refreshes itself).
    expect(video_finding.locator(".badge")).to_have_text("通过", timeout=30_000)
    tab.shot("video-stored")

    # The list shows the entry with its badges; and the console fits a phone's width.
    page.get_by_role("link", name="本区项目").click()
    row = page.locator("#main tr", has_text=title)
    expect(row.locator("[data-state=submitted]")).to_have_text("已提交")
    expect(row.locator("[data-state=incomplete]")).to_have_text("待补充材料")
    phone = console(width=390, height=844)
    phone.sign_in(token("--role", "office", "--district", "巴州区"))
    expect(phone.page.locator("#main tr", has_text=title)).to_be_visible()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("list-phone", full_page=False)
    assert not tab.errors and not phone.errors, tab.errors + phone.errors


def test_a_large_upload_cut_off_mid_way_resumes_with_only_the_missing_part(
    console: Callable[..., Console], base_url: str, tmp_path: Path
) -> None:
    office = Client(base_url, token("--role", "office", "--district", "南江县"))
    entry = draft(office, "challenge", f"大文件续传（浏览器测试 {uuid.uuid4().hex[:8]}）")
    big = tmp_path / "项目介绍.pdf"  # over 64 MiB: a multipart upload in 16 MiB parts
    big.write_bytes(b"%PDF-1.4\n" + os.urandom(70 * 1024 * 1024))

    tab = console()
    page = tab.page
    tab.sign_in(token("--role", "office", "--district", "南江县"))
    page.goto(f"{base_url}/#/entries/{entry}")
    # The network drops every attempt at part 2 until it "comes back".
    network = {"down": True}
    parts_sent: list[str] = []

    def bucket(route: Route) -> None:
        if "partNumber=" in route.request.url:
            parts_sent.append(re.search(r"partNumber=(\d+)", route.request.url)[1])  # type: ignore[index]
        if network["down"] and "partNumber=2&" in route.request.url + "&":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/kechuang-media/"), bucket)
    box = page.locator("#materials [data-kind=introduction]")
    box.get_by_label("选择项目介绍资料文件").set_input_files(big)
    box.get_by_role("button", name="上传").click()
    resume = box.get_by_role("button", name="继续上传")
    expect(resume).to_be_visible(timeout=60_000)  # after part 2's retries
    expect(box).to_contain_text("第 2 个分片")
    tab.shot("upload-cut-off")
    assert set(parts_sent) == {"1", "2", "3", "4", "5"}

    network["down"], parts_sent[:] = False, []
    with page.expect_response(re.compile(r"/api/v1/materials/[^/]+/upload$")) as asked:
        resume.click()
    assert asked.value.status == 200  # fresh URLs and the parts the bucket holds
    expect(box.locator(".badge", has_text="已存储")).to_be_visible(timeout=90_000)
    assert parts_sent == ["2"], "only the missing part is sent again"
    tab.shot("upload-resumed")
    assert not tab.errors, tab.errors
