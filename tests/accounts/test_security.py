"""Accounts and audit hardening: a password change ends the user's other sessions; refused
changes are audited; SSO needs a verified e-mail; the audit filter's period is in UTC dates
and its user filter takes % and _ literally (on SQLite and PostgreSQL)."""

from datetime import date, datetime, timedelta, timezone

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from ipoverseas.core import errors
from ipoverseas.audit import trail, query
from ipoverseas.accounts import password_change, sessions, users
from ipoverseas.core import db, localtime
from ipoverseas.audit.query import AuditFilter
from ipoverseas.core.models import AuditEvent, UserSession

PASSWORD = "ipoverseas-demo"


def _events(action, user_id):
    with db.read_session() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity_id == user_id)
                         .order_by(AuditEvent.id)).all()


# --- gap 2: changing one's own password ends the other sessions ---------------------------


def test_changing_my_password_ends_my_other_sessions_only(demo_database, principal):
    here = sessions.login("enterprise", PASSWORD)
    laptop = sessions.login("enterprise", PASSWORD)
    phone = sessions.login("enterprise", PASSWORD)
    someone_else = sessions.login("staff", PASSWORD)
    ended = password_change.change_own_password(here.principal, PASSWORD, "a long new sentence", keep_token_hash=here.token_hash)
    assert ended == 2
    assert sessions.check(here.token_hash) is not None            # the session the change was made in
    assert sessions.check(laptop.token_hash) is None
    assert sessions.resume(phone.token) is None
    assert sessions.check(someone_else.token_hash) is not None    # nobody else's
    [event] = _events("password.change", here.principal.id)
    assert event.detail["sessions_ended"] == 2
    assert sessions.login("enterprise", "a long new sentence") is not None


def test_changing_my_password_without_a_session_ends_them_all(demo_database):
    login = sessions.login("enterprise", PASSWORD)
    assert password_change.change_own_password(login.principal, PASSWORD, "a long new sentence") == 1
    assert sessions.check(login.token_hash) is None


# --- gap 4: a refused change is audited even though its transaction rolls back ------------


@pytest.mark.parametrize("current,new,reason", [
    ("wrong password", "a long new sentence", "password.current_wrong"),
    (PASSWORD, "short", "password.too_short"),
    (PASSWORD, "password123", "password.too_common"),
    (PASSWORD, PASSWORD, "password.same_as_old"),
])
def test_a_refused_password_change_is_audited_and_changes_nothing(demo_database, principal, current, new, reason):
    user = principal("enterprise")
    other = sessions.login("enterprise", PASSWORD)
    with pytest.raises(errors.Invalid) as raised:
        password_change.change_own_password(user, current, new)
    assert str(raised.value) == reason
    [event] = _events("password.change_refused", user.id)
    counted = {"before": {"failed_logins": 0, "locked_until": None}, "after": {"failed_logins": 1, "locked_until": None}}
    assert event.detail == {"reason": reason, **(counted if reason == "password.current_wrong" else {})}
    assert event.username == "enterprise"
    assert not _events("password.change", user.id)
    assert sessions.check(other.token_hash) is not None          # nothing else happened
    assert sessions.login("enterprise", PASSWORD) is not None     # the old password still works


# --- gap 3: SSO maps only a verified e-mail ---------------------------------------------


@pytest.fixture
def sso_staff(demo_database, principal):
    users.update_user(principal("admin"), principal("staff").id, email="wang.xiao@zj.example.cn")
    return principal("staff")


@pytest.mark.parametrize("verified", [True, "true", "TRUE"])
def test_sso_maps_a_verified_email(sso_staff, verified):
    login = sessions.login_oidc({"email": "Wang.Xiao@zj.example.cn", "email_verified": verified, "sub": "x"})
    assert isinstance(login, sessions.Login) and login.principal.username == "staff"
    assert sessions.check(login.token_hash).id == sso_staff.id


@pytest.mark.parametrize("claims", [
    {"email": "wang.xiao@zj.example.cn"},                                   # no claim at all
    {"email": "wang.xiao@zj.example.cn", "email_verified": False},
    {"email": "wang.xiao@zj.example.cn", "email_verified": "false"},
    {"email": "wang.xiao@zj.example.cn", "email_verified": None},
    {"email": "wang.xiao@zj.example.cn", "email_verified": 1},              # not a boolean true
    {"email": "wang.xiao@zj.example.cn", "email_verified": "yes"},
])
def test_sso_refuses_an_unverified_email(sso_staff, claims):
    assert sessions.login_oidc(claims) == sessions.SSO_UNVERIFIED
    with db.read_session() as s:
        assert not s.scalar(select(func.count()).select_from(UserSession))
        last = s.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert last.action == "login.refused" and last.detail["reason"] == "email not verified"
    assert last.detail["method"] == "sso"


def test_sso_makes_a_temporary_password_unusable(demo_database, principal):
    user_id, temporary = users.create_user(principal("admin"), username="sso.newcomer", role="enterprise",
                                           email="newcomer@example.cn")
    other_id, other_temporary = users.create_user(principal("admin"), username="pw.newcomer", role="enterprise")
    login = sessions.login_oidc({"email": "newcomer@example.cn", "email_verified": True})
    assert isinstance(login, sessions.Login) and not login.principal.must_change_password
    assert sessions.login("sso.newcomer", temporary) is None          # the temporary password is dead
    assert sessions.login("pw.newcomer", other_temporary) is not None  # (another account's still works)
    [event] = [e for e in _events("login.success", user_id)]
    assert event.detail == {"method": "sso", "temporary_password": "made unusable",
                            "before": {"must_change_password": True},
                            "after": {"must_change_password": False, "password": "unusable"}}
    again = sessions.login_oidc({"email": "newcomer@example.cn", "email_verified": True})  # SSO goes on working
    assert isinstance(again, sessions.Login)
    assert _events("login.success", user_id)[-1].detail == {"method": "sso"}
    users.reset_password(principal("admin"), user_id)  # a local password again only through a reset
    with db.read_session() as s:
        from ipoverseas.core.models import User
        assert s.get(User, user_id).must_change_password


def test_sso_verified_but_unknown_email_is_refused(sso_staff):
    assert sessions.login_oidc({"email": "nobody@example.cn", "email_verified": True}) == sessions.SSO_UNKNOWN
    assert sessions.login_oidc({"email_verified": True}) == sessions.SSO_UNKNOWN


def test_sso_messages_exist_in_both_languages():
    from ipoverseas.core import i18n

    for lang in ("zh", "en"):
        for key in (sessions.SSO_UNVERIFIED, sessions.SSO_UNKNOWN):
            text = i18n.t(key, lang, email="a@b.cn")
            assert text != key and "a@b.cn" in text


# --- gap 5: the period is in the users' dates (Beijing time) ---------------------------------------------------


def _event_at(at: datetime, username: str = "someone") -> int:
    with db.write_session() as s:
        event = trail.record(s, None, "test.boundary", "test", None, detail={"at": at.isoformat()})
        event.at = at
        event.username = username
        s.flush()
        return event.id


def test_period_filter_cuts_at_midnight_beijing_time(demo_database, principal):
    admin = principal("admin")
    day = date(2026, 3, 1)
    late = _event_at(datetime(2026, 3, 1, 15, 59, 59, 999000))   # 23:59:59 on 1 March in Beijing
    early = _event_at(datetime(2026, 3, 1, 16, 0, 0))            # 00:00 on 2 March in Beijing

    def ids(**kw):
        rows, _ = query.search(admin, AuditFilter(action="test.boundary", **kw), limit=10)
        return {r["id"] for r in rows}

    assert ids(since=day, until=day) == {late}
    assert ids(since=day + timedelta(days=1), until=day + timedelta(days=1)) == {early}
    assert ids(since=day, until=day + timedelta(days=1)) == {late, early}
    assert ids(until=day - timedelta(days=1)) == set()


def test_the_audit_page_s_today_ignores_the_server_time_zone(monkeypatch):
    import time

    now = datetime.now(timezone.utc)
    # pick a zone whose local date differs from the UTC date right now
    zone = "Etc/GMT-14" if now.hour >= 12 else "Etc/GMT+12"
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert date.today() != now.date() or datetime.now(timezone.utc).date() != now.date()
        assert localtime.today() == datetime.now(ZoneInfo("Asia/Shanghai")).date()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_audit_page_defaults_to_the_beijing_date(sqlite_demo_database, principal, monkeypatch):
    import time

    from tests.pages.apptest import run_page

    now = datetime.now(timezone.utc)
    monkeypatch.setenv("TZ", "Etc/GMT-14" if now.hour >= 12 else "Etc/GMT+12")
    time.tzset()
    try:
        at = run_page("audit_log", principal("admin"))
        assert not at.exception
        [period] = [d for d in at.date_input if d.key == "audit_period"]
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        assert period.value[1] == today
        assert "Beijing time" in period.help and today.isoformat() in period.help
    finally:
        monkeypatch.undo()
        time.tzset()


# --- gap 6: % and _ are literal in the user filter ----------------------------------------


def test_user_filter_takes_underscore_and_percent_literally(demo_database, principal):
    admin = principal("admin")
    wanted = {_event_at(datetime(2026, 5, 1, 12), "li_na"), _event_at(datetime(2026, 5, 1, 12), "50%off")}
    _event_at(datetime(2026, 5, 1, 12), "lixna")      # "_" as a wildcard would match this
    _event_at(datetime(2026, 5, 1, 12), "50xoff")     # "%" as a wildcard would match this
    _event_at(datetime(2026, 5, 1, 12), "a\\b")       # a backslash is literal too

    def names(text):
        rows, _ = query.search(admin, AuditFilter(user=text, action="test.boundary"), limit=50)
        return {r["username"] for r in rows}

    assert names("i_n") == {"li_na"}
    assert names("LI_NA") == {"li_na"}
    assert names("0%o") == {"50%off"}
    assert names("%") == {"50%off"}
    assert names("_") == {"li_na"}
    assert names("\\") == {"a\\b"}
    assert names("xna") == {"lixna"}
    assert len(wanted) == 2


def test_user_list_search_takes_underscore_literally(demo_database, principal):
    admin = principal("admin")
    users.create_user(admin, username="zhao_li", role="enterprise", display_name="Zhao")
    users.create_user(admin, username="zhaoxli", role="enterprise", display_name="Zhao X")
    rows, total = users.list_users(admin, text="o_l")
    assert [r["username"] for r in rows] == ["zhao_li"] and total == 1
    assert users.list_users(admin, text="%")[1] == 0
