"""End to end in a real browser: Debian's chromium driven by Playwright, against a real server on loopback.

Without /usr/bin/chromium these tests are skipped, unless TWOSOURCE_REQUIRE_BROWSER is set (``.ci/run`` sets it
after installing chromium), when they fail instead. Set TWOSOURCE_SCREENSHOTS=DIR to keep screenshots of the
report page, as it opens and with a claim's evidence open (the README's come from here).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from twosource.web import create_app, in_background

from ..conftest import SEED

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not CHROMIUM.exists():
    if os.environ.get("TWOSOURCE_REQUIRE_BROWSER"):
        raise RuntimeError(f"the browser tests need {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no {CHROMIUM}: the browser tests need Debian's chromium", allow_module_level=True)

#: Article text that runs script if any page fails to escape it: each would set window.__xss or open a dialog.
XSS = (
    '<script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> '
    '<a href="javascript:window.__xss=3">link</a> <svg onload="window.__xss=4"><circle r=9></circle></svg> '
    '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe> "><b onmouseover=alert(6)>bold '
    '<details open ontoggle="window.__xss=7"> <style>body{display:none}</style> </textarea><script>alert(8)</script>'
)
STORY = "The army said on Monday that 40 fighters were killed near the border town of Arsal in Lebanon. "
#: Elements and attributes that must never come out of article text.
INJECTED = (
    "script, body style, img, iframe, object, embed, "
    "[onerror], [onload], [onclick], [onmouseover], [ontoggle], a[href^='javascript:' i]"
)


@pytest.fixture(scope="module")
def server(fakes_index_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = Path(shutil.copy(fakes_index_path, tmp_path_factory.mktemp("browser") / "index.sqlite"))
    with in_background(create_app(index)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server: str) -> Iterator:
    """A fresh page that records what would betray executed script: dialogs and CSP refusals."""
    context = browser.new_context(base_url=server, accept_downloads=True, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.alarms = []
    opened.on("dialog", lambda dialog: (opened.alarms.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    opened.on(
        "console",
        lambda message: "Content Security Policy" in message.text and opened.alarms.append(message.text),
    )
    yield opened
    context.close()


def check_in_the_form(page, text: str, outlet: str = "", date: str = "") -> None:
    """Paste ``text`` into the home page's form and submit it; wait for the report page."""
    page.goto("/")
    page.fill("#text", text)
    page.fill("#outlet", outlet)
    if date:
        page.fill("#date", date)
    page.click("button[type=submit]")
    page.wait_for_url("**/reports/*", timeout=120_000)


def test_paste_the_seed_see_its_claims_open_evidence_and_download_the_json(page, server: str):
    check_in_the_form(page, SEED.read_text(encoding="utf-8"), "Veterans Today", "2015-05-13")
    report_id = page.url.rsplit("/", 1)[1]
    assert page.locator("mark.v-corroborated").count() >= 1
    assert page.locator("mark a[href^='#claim-']").count() >= 10
    screenshots = os.environ.get("TWOSOURCE_SCREENSHOTS")
    if screenshots:
        page.screenshot(path=Path(screenshots) / "report.png")

    # A claim's evidence is closed until its highlighted sentence is clicked.
    corroborated = page.locator("mark.v-corroborated a").first
    target = corroborated.get_attribute("href")
    evidence = page.locator(target)
    assert not evidence.is_visible()
    corroborated.click()
    evidence.wait_for(state="visible")
    assert evidence.evaluate("e => e.closest('details').open")
    assert evidence.locator("mark.hit").count() >= 1  # the words it shares with the claim are marked
    assert page.locator("svg[role=img]").count() == 1  # the timeline of evidence dates
    if screenshots:
        page.screenshot(path=Path(screenshots) / "evidence.png")

    with page.expect_download() as download:
        page.click(f"a[href='/reports/{report_id}.json']")
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["id"] == report_id and saved["article"]["outlet"] == "Veterans Today"
    assert saved == httpx.get(f"{server}/api/reports/{report_id}").json()
    assert page.alarms == []


def test_claims_open_from_the_keyboard(page):
    check_in_the_form(page, SEED.read_text(encoding="utf-8"), "Veterans Today", "2015-05-13")
    first = page.locator("mark a[href^='#claim-']").first
    evidence = page.locator(first.get_attribute("href"))
    first.focus()
    page.keyboard.press("Enter")
    evidence.wait_for(state="visible")
    assert evidence.evaluate("e => e.closest('details').open")


def test_upload_a_page_in_the_form(page):
    page.goto("/")
    page.set_input_files("#file", str(SEED))
    page.fill("#outlet", "Veterans Today")
    page.click("button[type=submit]")
    page.wait_for_url("**/reports/*", timeout=120_000)
    assert "Qalamoun" in page.locator("h1").inner_text()
    assert page.locator("mark.v-corroborated").count() >= 1


def test_the_report_fits_a_phone(browser, server: str):
    context = browser.new_context(base_url=server, viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    check_in_the_form(phone, SEED.read_text(encoding="utf-8"), "Veterans Today", "2015-05-13")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.goto("/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_hostile_article_text_runs_nowhere(page, server: str):
    text = STORY * 3 + XSS + " " + STORY * 2
    check_in_the_form(page, text, outlet="<img src=x onerror=window.__xss=9>")
    pages = [page.url]
    # The same text, indexed, through the index pages: search results and the article page.
    with httpx.Client(base_url=server, timeout=120) as api:
        job = api.post(
            "/api/ingest",
            json={"articles": [{"text": text, "title": XSS[:80], "outlet": "<svg onload=alert(10)>", "url": XSS}]},
        ).json()["id"]
        while (state := api.get(f"/api/jobs/{job}").json())["state"] not in ("done", "failed"):
            page.wait_for_timeout(100)
        assert state["state"] == "done" and state["result"]["added"] == 1, state
        hit = api.get("/api/search", params={"q": "fighters killed near Arsal", "limit": 50}).json()["results"]
        article = next(r["article_id"] for r in hit if "<svg" in r["outlet"])
    pages += [f"{server}/search?q=window.__xss fighters Arsal", f"{server}/articles/{article}"]
    for address in pages:
        page.goto(address)
        page.wait_for_load_state("load")
        page.mouse.move(200, 300)  # hover handlers, if any had survived
        assert page.evaluate("window.__xss") is None, address
        assert page.locator(INJECTED).count() == 0, (address, page.locator(INJECTED).first.evaluate("e=>e.outerHTML"))
        assert page.get_by_text("window.__xss=1", exact=False).first.is_visible(), address  # shown, as text
    assert page.alarms == []  # no dialog, and nothing the CSP had to refuse: nothing got as far as trying
