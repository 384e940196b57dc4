"""Risk guides in a real Chromium: the map draws offline, a click on a country lists its guides,
and a hostile article stays inert."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, wait_idle

pytestmark = pytest.mark.e2e


def _open_guides(page, base):
    page.goto(base + "/guides")
    wait_idle(page)
    expect(page.get_by_role("heading", name=i18n.t("guides.title", "zh"))).to_be_visible(timeout=TIMEOUT)


def test_map_draws_without_the_network_and_a_click_lists_a_country(live_server, page):
    outside: list[str] = []
    # Streamlit itself fetches a material-icon favicon from fonts.gstatic.com (app-wide, not
    # the map's doing); everything else must stay on the machine.
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", "fonts.gstatic.com", None)
            and not r.url.startswith("data:") else None)
    login(page, live_server, "enterprise")
    _open_guides(page, live_server)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible(timeout=TIMEOUT)
    canvas = chart.locator("canvas, svg").first
    expect(canvas).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    # the map is drawn: the canvas has many non-blank pixels (a missing TopoJSON draws nothing)
    painted = canvas.evaluate("""c => {
        if (c.tagName.toLowerCase() !== 'canvas') return c.querySelectorAll('path').length * 1000;
        const ctx = c.getContext('2d'); const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert painted > 10_000
    assert outside == [], f"requests left the machine: {outside[:5]}"

    # click on the United States (equal-Earth projection, 940x380 canvas at 1280 px wide)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.30, box["y"] + box["height"] * 0.20)
    page.wait_for_timeout(800)
    wait_idle(page)
    expect(page.get_by_text("美国：共", exact=False)).to_be_visible(timeout=TIMEOUT)


def test_hostile_article_is_inert_in_the_browser(live_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, live_server, "admin")
    page.goto(live_server + "/guides?edit=new")
    wait_idle(page)
    form = page.get_by_test_id("stForm")
    expect(form).to_be_visible(timeout=TIMEOUT)
    form.get_by_role("textbox", name=i18n.t("guides.field.title_zh", "zh")).fill("恶意文章")
    form.get_by_role("textbox", name=i18n.t("guides.field.source", "zh"), exact=True).fill("test")
    form.get_by_role("textbox", name=i18n.t("guides.field.body", "zh")).fill(
        "<script>window.__pwned = 1; alert('x')</script>\n\n<img src=x onerror=\"window.__pwned=2\">\n\n"
        "[click](javascript:window.__pwned=3)\n\n![pixel](https://evil.example/p.png)\n\n[ok](https://www.wipo.int/)")
    form.get_by_role("button", name=i18n.t("guides.editor.save_publish", "zh")).click()
    wait_idle(page)
    page.get_by_role("button", name=i18n.t("guides.editor.view", "zh")).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="恶意文章")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    assert page.evaluate("() => window.__pwned === undefined")
    assert dialogs == []
    article = page.locator(".ipo-article")
    expect(article.get_by_role("link", name="ok")).to_have_attribute("href", "https://www.wipo.int/")
    assert article.locator("img").count() == 0
    assert article.locator("a[href^='javascript']").count() == 0
