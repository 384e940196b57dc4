"""Security smoke test: a freshly started server, opened by URL before anyone logged in.

This module gets its own server (the `live_server` fixture is per module), so the first
request really reaches a server on which no script has run st.navigation yet.
"""

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, wait_idle

pytestmark = pytest.mark.e2e

PROTECTED = ["/home", "/cases", "/upload", "/admin-users", "/audit", "/consultations", "/home?case=1"]


def _assert_only_login(page) -> None:
    expect(page.get_by_test_id("stForm")).to_be_visible(timeout=TIMEOUT)
    body = page.locator('[data-testid="stMain"]').inner_text()
    for role in ("enterprise", "staff", "expert", "admin"):
        assert i18n.t(f"home.title.{role}", "zh") not in body
    assert i18n.t("home.alerts", "zh") not in body
    assert i18n.t("errors.unexpected", "zh") not in body


def test_first_request_to_a_page_file_url_shows_the_login_page(live_server, browser):
    """Before the first st.navigation call Streamlit runs pages/<name>.py for /<name> (its legacy
    folder mode). The page modules live in sub-folders of pages/, out of its reach, and carry no
    footer: the very first request by URL must still run app.py and show only the login page."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/home")  # the very first request to this server
    wait_idle(page)
    _assert_only_login(page)
    context.close()


@pytest.mark.parametrize("path", PROTECTED)
def test_protected_urls_show_only_the_login_page(live_server, browser, path):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + path)
    wait_idle(page)
    _assert_only_login(page)
    context.close()
