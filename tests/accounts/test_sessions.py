"""Server-side sessions: hashed tokens, idle timeout, absolute lifetime, logout, and the
admin changes that end them; the cookie hand-over route; and the shell checking the session
at every interaction (AppTest of app.py)."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from ipoverseas.accounts import authentication, routes, sessions, users
from ipoverseas.ui import server
from ipoverseas.core import db, i18n
from ipoverseas.core.models import AuditEvent, UserSession, utcnow

PASSWORD = "ipoverseas-demo"


def _actions():
    with db.read_session() as s:
        return s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_login_stores_only_the_token_hash(demo_database):
    login = sessions.login("staff", PASSWORD, user_agent="pytest")
    assert login is not None and login.principal.username == "staff"
    with db.read_session() as s:
        rows = s.scalars(select(UserSession)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.token_hash == sessions.hash_token(login.token) != login.token
    assert login.token not in (row.token_hash, row.user_agent)
    assert row.expires_at - row.created_at == timedelta(hours=8)
    assert sessions.resume(login.token)[0].username == "staff"
    assert _actions()[-1] == "login.success"


def test_failed_login_opens_no_session_and_says_nothing_more(demo_database):
    assert sessions.login("staff", "wrong password") is None
    assert sessions.login("no-such-user", "wrong password") is None
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(UserSession)) == 0
    assert _actions()[-2:] == ["login.failed", "login.failed"]


def test_idle_timeout_ends_the_session(demo_database):
    login = sessions.login("expert", PASSWORD)
    now = utcnow()
    assert sessions.check(login.token_hash, now=now + timedelta(minutes=29)) is not None
    # that interaction counted: 29 more minutes are fine again
    assert sessions.check(login.token_hash, now=now + timedelta(minutes=58)) is not None
    assert sessions.check(login.token_hash, now=now + timedelta(minutes=88, seconds=1)) is None
    assert sessions.check(login.token_hash, now=now + timedelta(minutes=89)) is None  # stays ended
    assert _actions()[-1] == "session.expired"


def test_absolute_lifetime_even_when_active(demo_database):
    login = sessions.login("expert", PASSWORD)
    now = utcnow()
    for minutes in range(20, 8 * 60, 20):
        assert sessions.check(login.token_hash, now=now + timedelta(minutes=minutes)) is not None
    assert sessions.check(login.token_hash, now=now + timedelta(hours=8, seconds=1)) is None


def test_settings_change_the_timeouts(demo_database, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_SESSION_IDLE_MINUTES", "0.05")  # 3 seconds
    login = sessions.login("expert", PASSWORD)
    assert sessions.check(login.token_hash, now=utcnow() + timedelta(seconds=4)) is None


def test_logout_ends_the_session_at_once(demo_database):
    login = sessions.login("enterprise", PASSWORD)
    assert sessions.end(login.token_hash, login.principal) is True
    assert sessions.resume(login.token) is None
    assert sessions.end(login.token_hash, login.principal) is False
    assert _actions()[-1] == "logout"


@pytest.mark.parametrize("change", ["disable", "role", "sub_centre", "reset"])
def test_admin_changes_end_the_users_sessions(demo_database, principal, change):
    admin = principal("admin")
    first, second = sessions.login("staff", PASSWORD), sessions.login("staff", PASSWORD)
    staff_id = first.principal.id
    if change == "disable":
        users.set_active(admin, staff_id, False)
    elif change == "role":
        users.update_user(admin, staff_id, role="expert")
    elif change == "sub_centre":
        users.update_user(admin, staff_id, sub_centre_code="GD")
    else:
        users.reset_password(admin, staff_id)
    assert sessions.check(first.token_hash) is None
    assert sessions.check(second.token_hash) is None
    assert sessions.open_sessions(staff_id) == 0


def test_a_name_change_keeps_the_session(demo_database, principal):
    login = sessions.login("staff", PASSWORD)
    users.update_user(principal("admin"), login.principal.id, display_name="王晓（新）")
    fresh = sessions.check(login.token_hash)
    assert fresh is not None and fresh.display_name == "王晓（新）"


def test_sso_maps_an_email_to_the_local_account(demo_database, principal):
    admin = principal("admin")
    users.update_user(admin, principal("staff").id, email="Wang.Xiao@ZJ.example.cn")
    mapped = authentication.principal_for_email(" wang.xiao@zj.example.cn ")
    assert mapped is not None and mapped.username == "staff" and mapped.role == "staff"
    assert authentication.principal_for_email("nobody@example.cn") is None
    assert authentication.principal_for_email("") is None and authentication.principal_for_email(None) is None
    login = sessions.login_sso("wang.xiao@zj.example.cn")
    assert login is not None and login.principal.username == "staff"
    assert sessions.login_sso("nobody@example.cn") is None
    users.set_active(admin, principal("staff").id, False)
    assert authentication.principal_for_email("wang.xiao@zj.example.cn") is None


def test_sso_refuses_an_ambiguous_email(demo_database, principal):
    admin = principal("admin")
    users.update_user(admin, principal("staff").id, email="shared@example.cn")
    users.update_user(admin, principal("enterprise").id, email="shared@example.cn")
    assert authentication.principal_for_email("shared@example.cn") is None


# --- the HTTP hand-over ---------------------------------------------------------------------


class _Response:
    def __init__(self, status, headers, body):
        self.status_code, self.headers, self.text = status, headers, body.decode()


class _Client:
    """A minimal ASGI client (starlette's TestClient needs a package we do not ship)."""

    def __init__(self):
        self.app = Starlette(routes=server.routes())

    def request(self, method, path, content="", headers=None):
        import asyncio

        body = content.encode()
        hdrs = [(b"host", b"localhost")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": hdrs, "scheme": "http", "server": ("localhost", 80), "client": ("127.0.0.1", 1),
                 "root_path": "", "http_version": "1.1"}
        sent, got = [], {"done": False}

        async def receive():
            if got["done"]:
                return {"type": "http.disconnect"}
            got["done"] = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)

        # In its own thread: with the browser tests on, Playwright keeps an event loop
        # running in the main thread, where asyncio.run() is refused.
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                asyncio.run(self.app(scope, receive, send))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                failure.append(exc)

        worker = threading.Thread(target=serve)
        worker.start()
        worker.join()
        if failure:
            raise failure[0]
        start = next(m for m in sent if m["type"] == "http.response.start")
        headers_out = {}
        for k, v in start["headers"]:
            headers_out.setdefault(k.decode().lower(), v.decode())
        payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return _Response(start["status"], headers_out, payload)

    def post(self, path, content="", headers=None):
        return self.request("POST", path, content, headers)

    def get(self, path, headers=None):
        return self.request("GET", path, "", headers)


@pytest.fixture
def client():
    return _Client()


def test_claim_sets_an_httponly_samesite_cookie_once(demo_database, client):
    login = sessions.login("staff", PASSWORD)
    ticket = sessions.issue_ticket(login)
    response = client.post(routes.CLAIM_PATH, content=ticket, headers={"Origin": "http://localhost"})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}={login.token};")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered and "max-age=" in lowered
    assert "secure" not in lowered  # plain http in this test
    assert login.token not in response.text
    again = client.post(routes.CLAIM_PATH, content=ticket)
    assert again.status_code == 400 and "set-cookie" not in again.headers


def test_claim_behind_https_proxy_sets_secure(demo_database, client):
    ticket = sessions.issue_ticket(sessions.login("staff", PASSWORD))
    response = client.post(routes.CLAIM_PATH, content=ticket, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in response.headers["set-cookie"].lower()


def test_claim_refuses_another_origin_and_unknown_tickets(demo_database, client):
    ticket = sessions.issue_ticket(sessions.login("staff", PASSWORD))
    assert client.post(routes.CLAIM_PATH, content=ticket, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(routes.CLAIM_PATH, content="made-up").status_code == 400
    assert client.get(routes.CLAIM_PATH).status_code == 405  # never by GET, so never from a URL


def test_forget_deletes_the_cookie(client):
    response = client.post(routes.FORGET_PATH)
    assert response.status_code == 200
    assert 'ipo_session="";' in response.headers["set-cookie"] or "max-age=0" in response.headers["set-cookie"].lower()


# --- the shell checks the server session at every interaction ---------------------------------


def _app(login=None, token_hash=None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["ui_lang"] = "en"
    if login is not None:
        at.session_state["auth_user"] = login.principal
        at.session_state["auth_session"] = token_hash or login.token_hash
    return at


def submit_login(at, username: str, password: str):
    """Fill in and send the login form of an AppTest of app.py; the run after it."""
    at.text_input(key="login_username").set_value(username)
    at.text_input(key="login_password").set_value(password)
    at.button[0].click()
    return at.run()


def test_shell_shows_the_login_form_without_a_session(sqlite_demo_database):
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == i18n.t("app.name", "en")        # the system's name, not only "Log in"
    assert at.subheader[0].value == i18n.t("login.title", "en")
    assert at.text_input(key="login_username") is not None


def test_shell_logs_out_at_the_next_interaction_after_disable(sqlite_demo_database, principal):
    login = sessions.login("staff", PASSWORD)
    at = _app(login).run()
    assert not at.exception
    assert at.title[0].value == i18n.t("home.title.staff", "en")
    users.set_active(principal("admin"), login.principal.id, False)
    at.run()
    assert at.subheader[0].value == i18n.t("login.title", "en")
    assert i18n.t("login.session_ended", "en") in [i.value for i in at.info]
    assert "auth_user" not in at.session_state


def test_shell_refuses_a_principal_without_a_live_session(sqlite_demo_database, principal):
    at = _app()
    at.session_state["auth_user"] = principal("admin")  # no server session behind it
    at.run()
    assert at.subheader[0].value == i18n.t("login.title", "en")


def test_shell_login_form_opens_a_server_session(sqlite_demo_database):
    at = submit_login(_app().run(), "admin", PASSWORD)
    assert not at.exception
    assert at.title[0].value == i18n.t("home.title.admin", "en")
    token_hash = at.session_state["auth_session"]
    assert sessions.check(token_hash) is not None
    # (the logout button is exercised in the real browser: tests/e2e/test_sessions.py)


def test_shell_wrong_password_and_unknown_user_look_the_same(sqlite_demo_database):
    messages = []
    for username in ("admin", "nobody-here"):
        at = submit_login(_app().run(), username, "wrong password")
        messages.append([e.value for e in at.error])
    assert messages[0] == messages[1] == [i18n.t("login.failed", "en")]


def test_forced_password_change_shows_only_the_account_page(sqlite_demo_database, principal):
    staff = principal("staff")
    users.reset_password(principal("admin"), staff.id, "a temporary sentence")
    login = sessions.login("staff", "a temporary sentence")
    assert login.principal.must_change_password
    at = _app(login).run()
    assert not at.exception
    assert at.title[0].value == i18n.t("account.title", "en")


def test_claim_refuses_a_host_outside_allowed_hosts(demo_database, client):
    from streamlit import config as st_config

    ticket = sessions.issue_ticket(sessions.login("staff", PASSWORD))
    st_config.set_option("server.allowedHosts", ["ipoverseas.example.cn"])
    try:
        response = client.post(routes.CLAIM_PATH, content=ticket)
    finally:
        st_config.set_option("server.allowedHosts", ["localhost", "127.0.0.1"])
    assert response.status_code == 403


def test_shell_lockout_keeps_the_same_generic_message(sqlite_demo_database, monkeypatch):
    """Five failures lock the account; the right password then gets the very same message."""
    seen = set()
    for password in ["wrong password"] * 5 + [PASSWORD]:
        at = submit_login(_app().run(), "enterprise2", password)
        seen.add(tuple(e.value for e in at.error))
        assert at.subheader[0].value == i18n.t("login.title", "en")
    assert seen == {(i18n.t("login.failed", "en"),)}
    from ipoverseas.core.models import User

    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == "enterprise2"))
        assert user.locked_until is not None and user.locked_until > utcnow()
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == user.id,
                                                            AuditEvent.action.like("login.%"))).all()
    assert actions.count("login.failed") == 4 and actions.count("login.locked") == 1
    assert actions.count("login.refused") == 1
