"""The home page in a real Chromium (issue 12): what looks like a link is one. The enterprise
opens a risk alert, a case and a consultation from the home page in one click and lands on the
record; screenshots of the home pages, the audit trail, a review history and the heatmap."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipoverseas.core import i18n, vocab
from tests.e2e.helpers import TIMEOUT, login, logout, wait_idle

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("IPOVERSEAS_SCREENSHOTS", "/tmp/shots-h-b"))


@pytest.fixture(scope="module")
def live_server_env(_templates, tmp_path_factory):
    """A copy of the demo with one upload of the staff's sub-centre applied and rolled back."""
    path = tmp_path_factory.mktemp("home-links") / "home.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPOVERSEAS_DATABASE_URL", url)
        from ipoverseas.access.policy import Principal
        from ipoverseas.core import db
        from ipoverseas.core.models import User
        from ipoverseas.imports import service
        from tests.imports.helpers import FILES, sub_centre_id

        with db.read_session() as s:
            staff = Principal.of(s.scalar(select(User).where(User.username == "staff")))
        upload = FILES / "messy" / "two_row_header.xlsx"
        _, result = service.run(upload, upload.name, "cases", staff, sub_centre_id("ZJ"))
        service.rollback(result.batch_id, staff)
        service.run(upload, "second-" + upload.name, "cases", staff, sub_centre_id("ZJ"))
    db.dispose_all()
    return {"IPOVERSEAS_DATABASE_URL": url}


def zh(key: str, **values) -> str:
    return i18n.t(key, "zh", **values)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _home(page, base) -> None:
    page.goto(base + "/")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("home.alerts"))).to_be_visible(timeout=TIMEOUT)


def _click_first_row(page, heading_key: str) -> None:
    """Pick the first row of the table under the heading: its selection box, left of the row."""
    column = page.get_by_test_id("stColumn").filter(has=page.get_by_role("heading", name=zh(heading_key)))
    grid = column.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)


def test_enterprise_opens_an_alert_a_case_and_a_consultation_from_home(live_server, page):
    login(page, live_server, "enterprise")
    _home(page, live_server)
    _shot(page, "home-enterprise")
    main = page.get_by_test_id("stMain")
    assert "演示数据)" not in main.inner_text() and "None" not in main.inner_text()

    # A risk alert is a link: one click opens the alert on the guides page.
    alert = main.get_by_test_id("stPageLink").first
    title = alert.inner_text().strip()
    alert.click()
    page.wait_for_url(re.compile(r".*/guides\?article=\d+$"), timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=TIMEOUT)

    # A newest case: one click on its row opens the case.
    _home(page, live_server)
    _click_first_row(page, "home.newest_cases")
    page.wait_for_url(re.compile(r".*/cases\?case=\d+$"), timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("cases.details"))).to_be_visible(timeout=TIMEOUT)

    # A consultation of mine: one click opens it on my consultations page.
    _home(page, live_server)
    _click_first_row(page, "home.consultations.enterprise")
    page.wait_for_url(re.compile(r".*/my-consultations\?consultation=\d+$"), timeout=TIMEOUT)
    opened = int(page.url.rsplit("=", 1)[1])
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("service.detail.title", id=opened))).to_be_visible(timeout=TIMEOUT)
    # ...and back home, the page does not jump to it again.
    _home(page, live_server)
    page.wait_for_timeout(1000)
    assert "consultation" not in page.url, page.url
    logout(page)


@pytest.mark.parametrize("username", ["staff", "admin"])
def test_screenshots_of_the_staff_and_admin_home(live_server, page, username):
    login(page, live_server, username)
    _home(page, live_server)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(zh("home.recent_imports"))).to_be_visible(timeout=TIMEOUT)
    assert "None" not in main.inner_text() and "演示数据)" not in main.inner_text()
    _shot(page, f"home-{username}")
    imports = main.get_by_text(zh("home.recent_imports"))
    imports.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"home-{username}-lower.png"))
    logout(page)


def test_screenshots_of_the_audit_trail_the_review_history_and_the_heatmap(live_server, page):
    login(page, live_server, "admin")
    page.goto(live_server + "/audit")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("audit.title"))).to_be_visible(timeout=TIMEOUT)
    _shot(page, "audit-trail")
    page.goto(live_server + "/review")
    wait_idle(page)
    page.get_by_role("button", name=zh("cases.review.approve")).first.click()
    done_text = re.compile(r"已完成：.*（案例 #(\d+)）")
    done = page.get_by_text(done_text)
    expect(done).to_be_visible(timeout=TIMEOUT)
    case_id = done_text.search(done.inner_text()).group(1)
    wait_idle(page)
    page.get_by_test_id("stRadio").first.get_by_text(vocab.REVIEW_STATUSES.label("approved", "zh"), exact=True).click()
    wait_idle(page)
    # The approved queue is newest first: the case just approved is the one opened, with its history.
    expect(page.get_by_role("combobox", name=zh("cases.review.pick"))).to_have_value(
        re.compile(rf"^#{case_id} "), timeout=TIMEOUT)
    page.get_by_text(zh("cases.review.history")).first.click()
    page.wait_for_timeout(800)
    _shot(page, "review-history")
    page.goto(live_server + "/analytics")
    wait_idle(page)
    expect(page.get_by_role("heading", name=zh("analytics.chart.heatmap"))).to_be_visible(timeout=TIMEOUT)
    # The heatmap: the visible charts are the map, the trend, then the heatmap.
    heatmap = page.locator("[data-testid='stVegaLiteChart']:visible").nth(2)
    heatmap.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    heatmap.screenshot(path=str(SHOTS / "analytics-heatmap.png"))
    labels = heatmap.evaluate("c => [...c.querySelectorAll('text')].map(t => t.textContent)")
    assert zh("analytics.other_countries") in labels or not labels, labels[:40]
    logout(page)
