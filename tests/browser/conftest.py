"""The web console in headless Chromium (Debian's /usr/bin/chromium, never a downloaded
browser) against the stack `make up` started, through the front door. Tokens come from the
operator's CLI as in tests/e2e; each page the tests visit is kept as a screenshot in
test-output/screenshots/<test>-<page>.png."""

from __future__ import annotations

import mimetypes
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.browser import unpatched_asyncio
from tests.front_door import front_door

if unpatched_asyncio.needed():
    unpatched_asyncio.install()

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def base_url() -> str:
    """The front door of the stack `make up` started, serving the console from web/."""
    url = front_door()
    if "/vendor/" not in requests.get(f"{url}/", timeout=5).text:
        pytest.fail(f"{url}/ does not serve the console from web/")
    return url


# Package-scoped: Playwright's asyncio loop stays "running" on the main thread until it is
# stopped, and a later asyncio user in the same run (the notices' SMTP server, aiosmtpd) would
# refuse to start its own loop ("Cannot run the event loop while another loop is running").
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make up` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


def serve_console_from(context: BrowserContext, base_url: str, web: Path) -> None:
    """Answer the console's own files (js/, css/) from `web` rather than the stack's: a
    branch's console is tried against the running API before it is merged
    (KECHUANG_CONSOLE_DIR=web pytest tests/browser ...)."""

    def local(route: Route) -> None:
        path = (web / route.request.url.removeprefix(base_url + "/").split("?")[0]).resolve()
        if not path.is_file() or web.resolve() not in path.parents:
            return route.fallback()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=kind)

    for folder in ("js", "css"):
        context.route(f"{base_url}/{folder}/**", local)


class Console:
    """One signed-in browser tab (its own context: its own sessionStorage)."""

    def __init__(self, page: Page, base_url: str, test_name: str) -> None:
        self.page, self.base_url, self.test_name = page, base_url, test_name
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # What the front door's Content-Security-Policy blocked (an inline style or script, a
        # library from elsewhere) is an error of the page too.
        page.on("console", lambda message: message.type == "error"
                and "Content Security Policy" in message.text
                and self.errors.append(message.text))  # fmt: skip

    def sign_in(self, bearer: str) -> None:
        self.page.goto(self.base_url + "/")
        # The first screen signs people in with a password; tokens are behind this link.
        self.page.get_by_role("link", name="使用服务令牌登录").click()
        self.page.get_by_label("访问令牌").fill(bearer)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.locator("#topbar")).to_be_visible()

    def shot(self, name: str, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("window.scrollTo(0, 0)")  # sticky bars sit where they belong
        path = SCREENSHOTS / f"{self.test_name}-{name}.png"
        self.page.screenshot(path=path, full_page=full_page)


@pytest.fixture
def console(
    browser: Browser, base_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Console]]:
    """console(width=1280) opens a fresh tab; every tab is closed after the test."""
    contexts = []
    name = re.sub(r"^test_", "", request.node.name)

    def open_tab(width: int = 1280, height: int = 900) -> Console:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
        )
        contexts.append(context)
        if os.environ.get("KECHUANG_CONSOLE_DIR"):
            serve_console_from(context, base_url, Path(os.environ["KECHUANG_CONSOLE_DIR"]))
        return Console(context.new_page(), base_url, name)

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def promo_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real video: 2 s of ffmpeg's test pattern, H.264 in MP4."""
    path = tmp_path_factory.mktemp("media") / "推介视频.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=size=320x240:rate=25", "-t", "2",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return path
