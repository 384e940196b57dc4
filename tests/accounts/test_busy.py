"""Logins, logouts, password changes and session checks while another writer holds the database
(issue 15): a separate process holds the write lock, as a long import's apply does
(`tests/accounts/lockholder.py`), and releases it only when the test says so.

Every call below returns while the lock is still held, so none of them waited for it; and each is
right at once in this process (the session exists or has ended, the new password is the password,
the failures count) and is written to the database once the lock is released. How long each takes
is measured by `tests/bench/test_busy_accounts.py`.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ipoverseas.accounts import deferred, password_change, passwords, sessions
from ipoverseas.core import db, errors, i18n
from ipoverseas.core.models import AuditEvent, User, UserSession, utcnow
from tests.accounts.lockholder import holding
from tests.accounts.test_sessions import _app, submit_login

PASSWORD = "ipoverseas-demo"
NEW_PASSWORD = "a long new sentence"


@pytest.fixture(autouse=True)
def _no_leftovers():
    yield
    assert deferred.drain(30), "account writes were still queued at the end of the test"
    deferred.clear()


def _actions(entity: str | None = None) -> list[str]:
    with db.read_session() as s:
        query = select(AuditEvent.action).order_by(AuditEvent.id)
        if entity:
            query = query.where(AuditEvent.entity == entity)
        return list(s.scalars(query))


def _session_row(token_hash: str) -> UserSession | None:
    with db.read_session() as s:
        return s.scalar(select(UserSession).where(UserSession.token_hash == token_hash))


def _user(username: str) -> User:
    with db.read_session() as s:
        return s.scalar(select(User).where(User.username == username))


def test_login_while_the_database_is_held(demo_database):
    before = _actions()
    with holding(demo_database):
        login = sessions.login("staff", PASSWORD, user_agent="pytest")
        assert login is not None and login.principal.username == "staff"
        assert deferred.waiting() == 1                         # not written: the lock is held
        assert _session_row(login.token_hash) is None
        assert sessions.check(login.token_hash).username == "staff"   # and yet the session works here
        assert sessions.resume(login.token)[0].username == "staff"
        assert sessions.login("staff", "wrong password") is None
    assert deferred.drain()
    row = _session_row(login.token_hash)
    assert row is not None and row.ended_at is None and row.user_agent == "pytest"
    assert _actions()[len(before):] == ["login.success", "login.failed"]
    with db.read_session() as s:   # written with the time it happened, not the time it was written
        success = s.scalar(select(AuditEvent).where(AuditEvent.action == "login.success")
                           .order_by(AuditEvent.id.desc()))
    assert abs((success.at - row.created_at).total_seconds()) < 1
    assert _user("staff").failed_logins == 1


def test_single_sign_on_while_the_database_is_held(demo_database, principal):
    from ipoverseas.accounts import users

    users.update_user(principal("admin"), principal("staff").id, email="wang.xiao@zj.example.cn")
    with holding(demo_database):
        login = sessions.login_oidc({"email": "wang.xiao@zj.example.cn", "email_verified": True})
        assert isinstance(login, sessions.Login) and login.principal.username == "staff"
        assert sessions.check(login.token_hash).username == "staff"
        assert sessions.login_oidc({"email": "nobody@example.cn", "email_verified": True}) == sessions.SSO_UNKNOWN
        assert sessions.login_oidc({"email": "wang.xiao@zj.example.cn"}) == sessions.SSO_UNVERIFIED
        assert deferred.waiting() == 3
    assert deferred.drain()
    assert _session_row(login.token_hash) is not None
    assert _actions("user")[-3:] == ["login.success", "login.failed", "login.refused"]


def test_logout_while_the_database_is_held_ends_the_session(demo_database):
    login = sessions.login("enterprise", PASSWORD)
    with holding(demo_database):
        assert sessions.end(login.token_hash, login.principal) is True
        assert sessions.check(login.token_hash) is None          # ended here at once
        assert sessions.resume(login.token) is None
        assert sessions.end(login.token_hash, login.principal) is False
        assert _session_row(login.token_hash).ended_at is None    # the database is still held
    assert deferred.drain()
    assert _session_row(login.token_hash).ended_at is not None
    assert _actions("user_session")[-1] == "logout"


def test_login_and_logout_both_while_held_are_written_in_order(demo_database):
    with holding(demo_database):
        login = sessions.login("expert", PASSWORD)
        assert sessions.end(login.token_hash, login.principal) is True
        assert sessions.check(login.token_hash) is None
        assert deferred.waiting() == 2
    assert deferred.drain()
    row = _session_row(login.token_hash)
    assert row is not None and row.ended_at is not None
    assert _actions()[-2:] == ["login.success", "logout"]


def test_password_change_while_held(demo_database):
    here = sessions.login("enterprise", PASSWORD)
    laptop = sessions.login("enterprise", PASSWORD)
    with holding(demo_database):
        ended = password_change.change_own_password(here.principal, PASSWORD, NEW_PASSWORD,
                                                    keep_token_hash=here.token_hash)
        assert ended == 1
        assert passwords.verify(_user("enterprise").password_hash, PASSWORD)   # not written yet
        assert sessions.check(laptop.token_hash) is None                        # but in force here
        assert sessions.check(here.token_hash) is not None
        assert sessions.login("enterprise", PASSWORD) is None
        assert sessions.login("enterprise", NEW_PASSWORD) is not None
        with pytest.raises(errors.Invalid):
            password_change.change_own_password(here.principal, PASSWORD, "another long sentence")
    assert deferred.drain()
    user = _user("enterprise")
    assert passwords.verify(user.password_hash, NEW_PASSWORD) and not passwords.verify(user.password_hash, PASSWORD)
    assert _session_row(laptop.token_hash).ended_at is not None
    assert _session_row(here.token_hash).ended_at is None
    assert _actions("user")[-4:] == ["password.change", "login.failed", "login.success", "password.change_refused"]
    assert user.failed_logins == 1   # the wrong current password counted


def test_wrong_passwords_while_held_still_lock_the_account(demo_database):
    attempts = 5
    with holding(demo_database):
        for _ in range(attempts):
            assert sessions.login("enterprise2", "wrong password") is None
        assert sessions.login("enterprise2", PASSWORD) is None     # locked, here and now
    assert deferred.drain()
    user = _user("enterprise2")
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert _actions("user")[-2:] == ["login.locked", "login.refused"]
    assert sessions.login("enterprise2", PASSWORD) is None


def test_session_checks_while_held(demo_database):
    login = sessions.login("staff", PASSWORD)
    now = utcnow()
    with holding(demo_database):
        # "last seen" is due: skipped, never waited for
        assert sessions.check(login.token_hash, now=now + timedelta(minutes=5)) is not None
        assert deferred.waiting() == 0
        # past the idle timeout: refused at once; the ending is written later
        assert sessions.check(login.token_hash, now=now + timedelta(minutes=40)) is None
        assert sessions.check(login.token_hash, now=now + timedelta(minutes=41)) is None
        assert deferred.waiting() == 1
    assert deferred.drain()
    assert _session_row(login.token_hash).ended_at is not None
    assert _actions("user_session")[-1] == "session.expired"


def test_a_busy_write_is_recognised(demo_database):
    with holding(demo_database):
        with pytest.raises(Exception) as caught:
            with db.write_session(lock_wait_ms=50) as s:
                s.execute(select(func.count()).select_from(User))
                s.get(User, 1).display_name = "x"
                s.flush()
        assert db.is_busy(caught.value)
    with pytest.raises(Exception) as other:
        with db.write_session() as s:
            s.add(User(username="admin", password_hash="x", role="admin"))   # a duplicate, not a busy database
    assert not db.is_busy(other.value)


# --- the shell: the login page, the logout and "busy" in the page's place ----------------------


def test_shell_login_and_logout_while_held(sqlite_demo_database):
    at = _app().run()
    with holding(sqlite_demo_database):
        submit_login(at, "admin", PASSWORD)
        assert not at.exception
        assert at.title[0].value == i18n.t("home.title.admin", "en")
        token_hash = at.session_state["auth_session"]
        at.run()                                                  # the next interaction checks the session
        assert at.title[0].value == i18n.t("home.title.admin", "en")
        at.button(key="shell_logout").click()
        at.run()
        assert not at.exception
        assert at.subheader[0].value == i18n.t("login.title", "en")
        assert i18n.t("login.logged_out", "en") in [i.value for i in at.info]
        assert sessions.check(token_hash) is None
    assert deferred.drain()
    assert _session_row(token_hash).ended_at is not None


def _busy_page():
    from ipoverseas.core import db
    from ipoverseas.core.models import User
    from ipoverseas.ui import shell

    def page():
        with db.write_session(lock_wait_ms=50) as s:
            s.get(User, 1).display_name = "x"
            s.flush()

    shell._run_page(page)()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_busy_database_shows_try_again_in_the_page(demo_database, lang):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_busy_page, default_timeout=60)
    at.session_state["ui_lang"] = lang
    with holding(demo_database):
        at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [i18n.t("busy.retry", lang)]
    assert [b.label for b in at.button] == [i18n.t("busy.again", lang)]
    assert not at.error


def _refused_busy_page():
    from ipoverseas.core import errors
    from ipoverseas.ui import shell

    def page():
        raise errors.Busy()

    shell._run_page(page)()


def test_a_busy_refusal_shows_try_again_too(sqlite_database):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_refused_busy_page, default_timeout=60)
    at.session_state["ui_lang"] = "en"
    at.run()
    assert [w.value for w in at.warning] == [i18n.t("busy.retry", "en")]


def test_a_short_lock_wait_is_for_its_own_transaction_only(sqlite_demo_database):
    """The connection goes back to the pool with SQLite's usual busy timeout."""
    with holding(sqlite_demo_database):
        with pytest.raises(Exception) as caught:
            with db.write_session(lock_wait_ms=0) as s:
                s.get(User, 1).display_name = "x"
                s.flush()
        assert db.is_busy(caught.value)
    connections = [db.get_engine().connect() for _ in range(3)]   # the pool's connections, the used one too
    try:
        assert {c.exec_driver_sql("PRAGMA busy_timeout").scalar() for c in connections} == {db.SQLITE_BUSY_TIMEOUT_MS}
    finally:
        for c in connections:
            c.close()
