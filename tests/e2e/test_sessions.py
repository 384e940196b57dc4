"""Sessions in the real browser: a refresh and a new tab keep the user logged in; logout,
disabling the user, a role change and the idle timeout each end the session; changing one's
own password ends one's other sessions and keeps this one.

The server runs with a 15-second idle timeout (IPOVERSEAS_SESSION_IDLE_MINUTES=0.25) on a
database this module can also reach, so a test can disable a user as an admin would.
"""

import shutil

import pytest
from playwright.sync_api import expect

from ipoverseas.core import i18n
from tests.e2e.helpers import TIMEOUT, login, logout, wait_idle

pytestmark = pytest.mark.e2e
IDLE_SECONDS = 15


@pytest.fixture(scope="module")
def live_db(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-sessions") / "live.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def live_server_env(live_db):
    return {"IPOVERSEAS_DATABASE_URL": live_db, "IPOVERSEAS_SESSION_IDLE_MINUTES": str(IDLE_SECONDS / 60)}


@pytest.fixture
def on_live_db(live_db, monkeypatch):
    """Run services in this process against the live server's database."""
    from ipoverseas.core import db

    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", live_db)
    yield
    db.dispose_all()


def _session_cookie(context):
    cookies = [c for c in context.cookies() if c["name"] == "ipo_session"]
    return cookies[0] if cookies else None


def _wait_for_cookie(page):
    for _ in range(50):
        cookie = _session_cookie(page.context)
        if cookie:
            return cookie
        page.wait_for_timeout(100)
    raise AssertionError("the server never set the session cookie")


def _expect_home(page, role):
    expect(page.get_by_role("heading", name=i18n.t(f"home.title.{role}", "zh"))).to_be_visible(timeout=TIMEOUT)


def _expect_login(page):
    expect(page.get_by_test_id("stForm")).to_be_visible(timeout=TIMEOUT)


def _interact(page):
    """One click in the app: open the account page from the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_text(i18n.t("nav.account", "zh")).click()


def test_refresh_and_a_new_tab_keep_the_user_logged_in(live_server, page):
    login(page, live_server, "staff")
    cookie = _wait_for_cookie(page)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert "ipo_session" not in page.evaluate("document.cookie")          # JavaScript cannot read it
    assert cookie["value"] not in page.url                                  # never in the URL
    storage = page.evaluate("JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
    assert cookie["value"] not in storage
    page.reload()
    wait_idle(page)
    _expect_home(page, "staff")
    assert page.get_by_test_id("stForm").count() == 0
    tab = page.context.new_page()
    tab.goto(live_server + "/account")
    wait_idle(tab)
    expect(tab.get_by_role("heading", name=i18n.t("account.title", "zh"))).to_be_visible(timeout=TIMEOUT)
    tab.close()


def test_logout_ends_the_session_on_the_server(live_server, page, browser):
    login(page, live_server, "expert")
    cookie = _wait_for_cookie(page)
    logout(page)
    expect(page.get_by_text(i18n.t("login.logged_out", "zh"))).to_be_visible(timeout=TIMEOUT)
    page.reload()
    wait_idle(page)
    _expect_login(page)
    # the old token, replayed in another browser, no longer opens anything
    other = browser.new_context(locale="zh-CN")
    other.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
    replay = other.new_page()
    replay.goto(live_server + "/")
    wait_idle(replay)
    _expect_login(replay)
    other.close()


@pytest.mark.parametrize("change", ["disable", "role"])
def test_an_admin_change_ends_the_session_at_the_next_click(live_server, page, on_live_db, change):
    from sqlalchemy import select

    from ipoverseas.access import policy
    from ipoverseas.core import db
    from ipoverseas.accounts import users
    from ipoverseas.core.models import User

    username = {"disable": "enterprise2", "role": "enterprise3"}[change]
    login(page, live_server, username)
    _expect_home(page, "enterprise")
    _wait_for_cookie(page)
    with db.read_session() as s:
        admin = policy.Principal.of(s.scalar(select(User).where(User.username == "admin")))
        target = s.scalar(select(User.id).where(User.username == username))
    if change == "disable":
        users.set_active(admin, target, False)
    else:
        users.update_user(admin, target, role="expert")
    _interact(page)
    _expect_login(page)
    expect(page.get_by_text(i18n.t("login.session_ended", "zh"))).to_be_visible(timeout=TIMEOUT)
    page.reload()
    wait_idle(page)
    _expect_login(page)


def test_the_idle_timeout_ends_the_session(live_server, page):
    login(page, live_server, "enterprise")
    _wait_for_cookie(page)
    _interact(page)  # activity keeps the session alive
    expect(page.get_by_role("heading", name=i18n.t("account.title", "zh"))).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout((IDLE_SECONDS + 3) * 1000)
    page.get_by_test_id("stSidebarNav").get_by_text(i18n.t("nav.home", "zh")).click()
    _expect_login(page)
    expect(page.get_by_text(i18n.t("login.session_ended", "zh"))).to_be_visible(timeout=TIMEOUT)
    page.reload()
    wait_idle(page)
    _expect_login(page)


def test_changing_my_password_ends_my_other_sessions(live_server, page, browser):
    login(page, live_server, "enterprise5")
    _wait_for_cookie(page)
    other = browser.new_context(locale="zh-CN")
    elsewhere = other.new_page()
    login(elsewhere, live_server, "enterprise5")
    _expect_home(elsewhere, "enterprise")
    _interact(page)
    form = page.get_by_test_id("stForm")
    expect(form).to_be_visible(timeout=TIMEOUT)
    fields = form.locator("input[type=password]")
    fields.nth(0).fill("ipoverseas-demo")
    fields.nth(1).fill("a brand new sentence")
    fields.nth(2).fill("a brand new sentence")
    form.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    expect(page.get_by_text(i18n.t("account.changed", "zh"))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(i18n.t("account.others_ended", "zh", count=1))).to_be_visible(timeout=TIMEOUT)
    page.reload()                                   # this session stays
    wait_idle(page)
    expect(page.get_by_role("heading", name=i18n.t("account.title", "zh"))).to_be_visible(timeout=TIMEOUT)
    elsewhere.get_by_test_id("stSidebarNav").get_by_text(i18n.t("nav.account", "zh")).click()
    _expect_login(elsewhere)                        # the other one has ended
    expect(elsewhere.get_by_text(i18n.t("login.session_ended", "zh"))).to_be_visible(timeout=TIMEOUT)
    other.close()
