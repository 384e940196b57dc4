"""Steps shared by the browser journeys (Playwright against a live server)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

TIMEOUT = 20_000


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def login(page: Page, base_url: str, username: str, password: str = "ipoverseas-demo") -> None:
    page.goto(base_url + "/")
    form = page.get_by_test_id("stForm")
    expect(form).to_be_visible(timeout=TIMEOUT)
    form.locator("input").nth(0).fill(username)
    form.locator("input").nth(1).fill(password)
    form.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    expect(page.get_by_test_id("stForm")).to_have_count(0, timeout=TIMEOUT)
    wait_idle(page)


def logout(page: Page) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name="退出登录").or_(
        page.get_by_test_id("stSidebar").get_by_role("button", name="Log out")).click()
    expect(page.get_by_test_id("stForm")).to_be_visible(timeout=TIMEOUT)
