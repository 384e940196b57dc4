"""Browser journeys of issue 12: back from a record, the list is as the user left it.

The case library: a search, a facet, a sort, rows per page and a page; the guides: a country.
Open a record, come back by the page's own link and by the browser's Back: same list.
Also the case list opens a row in one click, and the experts directory opens a profile by a link.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, pick, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("IPOVERSEAS_SCREENSHOTS", "/tmp/ipoverseas-shots"))


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _params(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _settle(page) -> None:
    page.wait_for_timeout(400)
    wait_idle(page)


def _multiselect(page, label: str, option_start: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label).first
    box.get_by_role("combobox").click()
    page.keyboard.type(option_start)
    page.get_by_role("option", name=re.compile("^" + re.escape(option_start))).first.click(timeout=TIMEOUT)
    page.keyboard.press("Escape")
    _settle(page)


def _open_filters(page) -> None:
    """Open the (closed) filter panel; a click that lands while the page re-renders is lost, so retried."""
    summary = page.get_by_test_id("stMain").get_by_test_id("stExpander").locator("summary").first
    for _ in range(10):
        if summary.evaluate("s => s.parentElement.open"):
            return
        summary.click()
        page.wait_for_timeout(500)
    raise AssertionError("the filter panel does not open")


def _case_list_state(page) -> dict:
    """What the user sees of the case list: query, rows per page, sort, page, count, URL."""
    main = page.get_by_test_id("stMain")
    return {
        "q": main.get_by_role("textbox", name=zh("cases.search")).input_value(),
        "size": page.get_by_test_id("stSelectbox").filter(has_text=zh("cases.page_size")).get_by_role(
            "combobox").input_value(),
        "sort": page.get_by_test_id("stSelectbox").filter(has_text=zh("cases.sort")).first.get_by_role(
            "combobox").input_value(),
        "page": main.get_by_role("spinbutton").input_value(),
        "found": page.get_by_test_id("stMetricValue").first.inner_text(),
        "url": _params(page.url),
    }


def _until_state(page, wanted: dict) -> None:
    """Wait for the case list to show `wanted`: the rerun after a click may still be drawing it."""
    seen = None
    for _ in range(TIMEOUT // 250):
        seen = _case_list_state(page)
        if seen == wanted:
            return
        page.wait_for_timeout(250)
    assert seen == wanted


def _open_first_case(page) -> None:
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=TIMEOUT)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)      # the first row's selection box: one click
    page.wait_for_url(re.compile(r".*[?&]case=\d+"), timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_role("link", name=zh("cases.back"))).to_be_visible(timeout=TIMEOUT)


def test_back_from_a_case_keeps_the_search(live_server, page):
    login(page, live_server, "enterprise")
    page.goto(live_server + "/cases")
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    search = main.get_by_role("textbox", name=zh("cases.search"))
    search.fill("专利")
    search.press("Enter")
    _settle(page)
    # a query sorts by relevance by default, and the filter panel stays closed
    expect(page.get_by_test_id("stSelectbox").filter(has_text=zh("cases.sort")).first.get_by_role(
        "combobox")).to_have_value(zh("cases.sort.relevance"))
    _shot(page, "cases-query-zh")
    # all 50 rows of the page show, with no scroll box inside the page (a box shows about ten)
    assert page.get_by_test_id("stDataFrame").first.bounding_box()["height"] > 40 * 35
    pick(page, zh("cases.page_size"), "25")
    _settle(page)
    assert not page.get_by_test_id("stMain").get_by_test_id("stExpander").locator("summary").first.evaluate("s => s.parentElement.open")
    _open_filters(page)
    _multiselect(page, zh("cases.facet.country"), "美国")
    pick(page, zh("cases.sort"), zh("cases.sort.title"))
    _settle(page)
    spin = main.get_by_role("spinbutton")
    spin.fill("2")
    spin.press("Enter")
    _settle(page)
    before = _case_list_state(page)
    assert before["url"] == {"q": "专利", "country": "US", "sort": "title", "n": "25", "p": "2"}, before
    assert before["q"] == "专利" and before["size"] == "25" and before["page"] == "2"
    assert before["sort"] == zh("cases.sort.title")

    _open_first_case(page)
    _shot(page, "case-detail-zh")
    page.get_by_role("link", name=zh("cases.back")).click()
    _settle(page)
    expect(main.get_by_role("textbox", name=zh("cases.search"))).to_have_value("专利", timeout=TIMEOUT)
    _until_state(page, before)

    _open_first_case(page)
    page.go_back()
    _settle(page)
    expect(main.get_by_role("textbox", name=zh("cases.search"))).to_have_value("专利", timeout=TIMEOUT)
    _until_state(page, before)


def test_back_from_an_article_keeps_the_country(live_server, page):
    login(page, live_server, "enterprise")
    page.goto(live_server + "/guides")
    wait_idle(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text=zh("guides.facet.country")).first
    box.get_by_role("combobox").click()
    page.keyboard.type("美国")
    page.get_by_role("option", name=re.compile("^美国")).first.click(timeout=TIMEOUT)
    _settle(page)
    heading = page.get_by_role("heading", name=re.compile("^美国：共"))
    expect(heading).to_be_visible(timeout=TIMEOUT)
    listed = heading.inner_text()
    _shot(page, "guides-list-zh")
    url = _params(page.url)
    assert url.get("country") == "US"

    results = page.get_by_test_id("stMain").get_by_test_id("stPageLink")
    for back in ("link", "browser"):
        results.first.get_by_role("link").click()
        page.wait_for_url(re.compile(r".*[?&]article=\d+"), timeout=TIMEOUT)
        wait_idle(page)
        if back == "link":
            _shot(page, "guide-article-zh")
            page.get_by_role("link", name=zh("guides.back")).click()
        else:
            page.go_back()
        _settle(page)
        expect(page.get_by_role("heading", name=re.compile("^美国：共"))).to_have_text(listed, timeout=TIMEOUT)
        assert _params(page.url) == url
        expect(box.get_by_role("combobox")).to_have_value(re.compile("^美国"))


def test_a_case_page_links_its_similar_cases_and_articles(live_server, page):
    login(page, live_server, "enterprise")
    page.goto(live_server + "/cases?q=337")
    wait_idle(page)
    _open_first_case(page)
    # Waited for, not read once: the sections come one after the other, and CI once read the
    # links while the similar cases were in and the articles not yet.
    links = page.get_by_test_id("stMain").get_by_test_id("stPageLink")
    expect(links.locator('a[href^="cases?case="]').first).to_be_visible(timeout=TIMEOUT)
    expect(links.locator('a[href^="guides?article="]').first).to_be_visible(timeout=TIMEOUT)
    for link in links.locator('a[href^="cases?case="], a[href^="guides?article="]').all():
        href = link.get_attribute("href")
        assert re.fullmatch(r"cases\?case=\d+(&q=337)?|guides\?article=\d+", href), href


def test_the_experts_directory_opens_a_profile_by_a_link(live_server, page):
    login(page, live_server, "enterprise")
    page.goto(live_server + "/experts")
    wait_idle(page)
    _shot(page, "experts-zh")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=TIMEOUT)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r".*/experts\?expert=\d+$"), timeout=TIMEOUT)
    wait_idle(page)
    expert = page.url.rsplit("=", 1)[1]
    expect(page.get_by_role("button", name=zh("service.back"))).to_be_visible(timeout=TIMEOUT)
    heading = page.get_by_test_id("stMain").get_by_role("heading", level=1)
    expect(heading).not_to_have_text(zh("service.experts.title"), timeout=TIMEOUT)
    title = heading.inner_text()
    _shot(page, "expert-profile-zh")
    page.go_back()
    _settle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{live_server}/experts?expert={expert}")            # a bookmark
    wait_idle(page)
    expect(page.get_by_test_id("stMain").get_by_role("heading", level=1)).to_have_text(title, timeout=TIMEOUT)


@pytest.mark.parametrize("start, back, kept", [
    ("/reports?year=2026&state=missing&duty=3", "reports.back", {"year": "2026", "state": "missing"}),
    ("/activities?year=2026&kind=training&activity=2", "activities.back", {"year": "2026", "kind": "training"}),
])
def test_the_way_back_from_a_report_or_an_activity_drops_the_record_from_the_address(live_server, page, start,
                                                                                      back, kept):
    # A link to the page already open runs it with the link's params but left the browser's address
    # naming the record: a reload or a bookmark then reopened the record, not the list.
    login(page, live_server, "admin")
    page.goto(live_server + start)
    wait_idle(page)
    page.get_by_role("link", name=zh(back)).first.click()
    page.wait_for_function("() => !location.search.includes('duty=') && !location.search.includes('activity=')",
                           timeout=TIMEOUT)
    assert _params(page.url) == kept
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("link", name=zh(back))).to_have_count(0, timeout=TIMEOUT)   # the list, not the record
