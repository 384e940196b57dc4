"""Steps shared by the browser journeys (Playwright against a live server)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ipoverseas.accounts import routes

TIMEOUT = 20_000


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished running the script.

    By the app's own run state, not by the "Running..." widget alone: that widget shows only after
    a run has taken 500 ms, so a short rerun (or one not yet begun) looked idle while it went on.
    """
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def login(page: Page, base_url: str, username: str, password: str = "ipoverseas-demo", *,
          navigate: bool = True) -> None:
    """Log in through the form (`navigate=False`: on the login page already open)."""
    if navigate:
        page.goto(base_url + "/")
    form = page.get_by_test_id("stForm")
    expect(form).to_be_visible(timeout=TIMEOUT)
    form.locator("input").nth(0).fill(username)
    form.locator("input").nth(1).fill(password)
    # The session cookie is set by the page's POST to /session/claim after the login: wait for
    # it, or a navigation right after the login would load the next page without the cookie.
    with page.expect_response(lambda r: r.url.endswith(routes.CLAIM_PATH), timeout=TIMEOUT):
        form.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    expect(page.get_by_test_id("stForm")).to_have_count(0, timeout=TIMEOUT)
    wait_idle(page)


def pick(page: Page, label: str, option: str, attempts: int = 3) -> None:
    """Choose `option` in the selectbox labelled `label`.

    Retried because a click that lands while Streamlit re-renders the form
    can leave the dropdown closed, and the typed text then goes nowhere.
    """
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    for attempt in range(attempts):
        wait_idle(page)
        box.get_by_role("combobox").click()
        try:
            expect(page.get_by_role("listbox")).to_be_visible(timeout=5_000)
            page.keyboard.type(option)
            page.get_by_role("option", name=option, exact=True).first.click(timeout=5_000)
            expect(box.get_by_role("combobox")).to_have_value(option, timeout=5_000)
            return
        except (AssertionError, PlaywrightTimeout):
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def logout(page: Page) -> None:
    # Likewise the page drops the cookie with a POST to /session/forget.
    with page.expect_response(lambda r: r.url.endswith(routes.FORGET_PATH), timeout=TIMEOUT):
        page.get_by_test_id("stSidebar").get_by_role("button", name="退出登录").or_(
            page.get_by_test_id("stSidebar").get_by_role("button", name="Log out")).click()
    # The login form (the one with a password): the page's own forms may linger until the rerun ends.
    expect(page.get_by_test_id("stForm").filter(has=page.locator("input[type=password]"))).to_be_visible(
        timeout=TIMEOUT)
