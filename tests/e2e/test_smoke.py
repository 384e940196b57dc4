"""Browser smoke tests in a real Chromium against `streamlit run app.py`."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, logout, wait_idle

pytestmark = pytest.mark.e2e
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("role", ["enterprise", "staff", "expert", "admin"])
def test_each_demo_role_logs_in_and_sees_its_home(live_server, page, role):
    login(page, live_server, role)
    expect(page.get_by_role("heading", name=i18n.t(f"home.title.{role}", "zh"))).to_be_visible(timeout=TIMEOUT)
    if role == "staff":
        DOCS.mkdir(exist_ok=True)
        page.wait_for_timeout(1500)  # let the tiles and tables settle before the README screenshot
        page.screenshot(path=str(DOCS / "screenshot-home.png"))
    logout(page)


def test_wrong_password_gets_the_generic_message(live_server, page):
    page.goto(live_server + "/")
    form = page.get_by_test_id("stForm")
    form.locator("input").nth(0).fill("staff")
    form.locator("input").nth(1).fill("not the password")
    form.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    expect(page.get_by_text(i18n.t("login.failed", "zh"))).to_be_visible(timeout=TIMEOUT)


def test_language_switch_changes_the_ui(live_server, page):
    login(page, live_server, "enterprise")
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name=i18n.t("home.title.enterprise", "en"))).to_be_visible(timeout=TIMEOUT)
