"""The account and administration pages, through AppTest, for every role."""

import pytest
from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.accounts import authentication
from ipoverseas.core import db, i18n
from ipoverseas.core.models import AuditEvent, SubCentre, User
from tests.pages.apptest import run_page, texts

ROLE_USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}
ADMIN_PAGES = {"users": "admin.users.title", "sub_centres": "admin.sub_centres.title",
               "audit_log": "audit.title"}


@pytest.mark.parametrize("module,title", ADMIN_PAGES.items())
@pytest.mark.parametrize("role", policy.ROLES)
def test_admin_pages_only_for_admin(sqlite_demo_database, principal, role, module, title):
    at = run_page(module, principal(ROLE_USERS[role]))
    assert not at.exception
    if role == "admin":
        assert at.title[0].value == i18n.t(title, "en")
        assert not at.warning or all(w.value != i18n.t("errors.not_allowed", "en") for w in at.warning)
    else:
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert not at.title and not at.dataframe


@pytest.mark.parametrize("module", [*ADMIN_PAGES, "account"])
def test_nobody_gets_the_guard(sqlite_demo_database, module):
    at = run_page(module, None)
    assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
    assert not at.title


@pytest.mark.parametrize("role", policy.ROLES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_account_page_for_every_role(sqlite_demo_database, principal, role, lang):
    at = run_page("account", principal(ROLE_USERS[role]), lang=lang)
    assert not at.exception
    assert at.title[0].value == i18n.t("account.title", lang)


def test_account_page_changes_the_password(sqlite_demo_database, principal):
    user = principal("enterprise")
    at = run_page("account", user)
    at.text_input(key="account_current").set_value("ipoverseas-demo")
    at.text_input(key="account_new").set_value("a long and new sentence")
    at.text_input(key="account_again").set_value("a long and new sentence")
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    assert i18n.t("account.changed", "en") in texts(at)
    assert authentication.authenticate("enterprise", "a long and new sentence") is not None


@pytest.mark.parametrize("new,again,key", [
    ("password123", "password123", "password.too_common"),
    ("short", "short", "password.too_short"),
    ("a long and new sentence", "a different sentence", "password.mismatch"),
])
def test_account_page_refuses_bad_new_passwords(sqlite_demo_database, principal, new, again, key):
    at = run_page("account", principal("expert"))
    at.text_input(key="account_current").set_value("ipoverseas-demo")
    at.text_input(key="account_new").set_value(new)
    at.text_input(key="account_again").set_value(again)
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == [i18n.t(key, "en")]
    assert authentication.authenticate("expert", "ipoverseas-demo") is not None


def test_account_page_wrong_current_password(sqlite_demo_database, principal):
    at = run_page("account", principal("staff"))
    at.text_input(key="account_current").set_value("not my password")
    at.text_input(key="account_new").set_value("a long and new sentence")
    at.text_input(key="account_again").set_value("a long and new sentence")
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == [i18n.t("password.current_wrong", "en")]


def test_forced_change_is_announced(sqlite_demo_database, principal):
    with db.write_session() as s:
        s.scalar(select(User).where(User.username == "staff")).must_change_password = True
    at = run_page("account", principal("staff"))
    assert i18n.t("account.must_change", "en") in texts(at)


def test_admin_users_lists_and_opens_a_user_from_the_query(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("users", principal("admin"), query={"user": str(staff.id)})
    assert not at.exception
    assert at.dataframe
    assert i18n.t("admin.users.edit", "en", username="staff") in texts(at)


def test_admin_users_refuses_a_user_id_in_the_query_to_non_admins(sqlite_demo_database, principal):
    admin = principal("admin")
    for role in ("enterprise", "staff", "expert"):
        at = run_page("users", principal(role), query={"user": str(admin.id)})
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert "admin" not in texts(at).replace(i18n.t("errors.not_allowed", "en"), "")


def test_admin_creates_a_user_through_the_page(sqlite_demo_database, principal):
    at = run_page("users", principal("admin"))
    at.text_input(key="admin_users_new_username").set_value("New.Person")
    at.text_input(key="admin_users_new_name").set_value("New Person")
    next(b for b in at.button if b.label == i18n.t("admin.users.create", "en")).click()
    at.run()
    assert not at.exception
    assert i18n.t("admin.users.created", "en", username="new.person") in texts(at)
    assert i18n.t("admin.users.temp_password", "en", username="new.person", days=7) in texts(at)  # how long it works
    with db.read_session() as s:
        user = s.scalar(select(User).where(User.username == "new.person"))
        assert user is not None and user.must_change_password
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "user.create",
                                                 AuditEvent.entity_id == user.id)) is not None


def test_admin_user_form_shows_a_clear_error(sqlite_demo_database, principal):
    at = run_page("users", principal("admin"))
    at.text_input(key="admin_users_new_username").set_value("lonely.staff")
    at.text_input(key="admin_users_new_name").set_value("No Centre")
    at.session_state["admin_users_new_role"] = "staff"
    next(b for b in at.button if b.label == i18n.t("admin.users.create", "en")).click()
    at.run()
    assert [e.value for e in at.error] == [i18n.t("admin.error.staff_needs_sub_centre", "en")]


def test_admin_sub_centres_page_creates_one(sqlite_demo_database, principal):
    at = run_page("sub_centres", principal("admin"))
    assert len(at.dataframe[0].value) >= 12
    at.text_input(key="admin_sub_centres_new_code").set_value("xj")
    at.text_input(key="admin_sub_centres_new_zh").set_value("新疆分中心")
    next(b for b in at.button if b.label == i18n.t("admin.sub_centres.create", "en")).click()
    at.run()
    assert not at.exception
    with db.read_session() as s:
        assert s.scalar(select(SubCentre).where(SubCentre.code == "XJ")).name_zh == "新疆分中心"


def test_audit_page_filters_and_exports(sqlite_demo_database, principal):
    authentication.authenticate("nobody", "whatever1")
    at = run_page("audit_log", principal("admin"))
    assert not at.exception
    at.session_state["audit_action"] = "login.failed"
    at.run()
    table = at.dataframe[0].value
    assert len(table) >= 1 and set(table[i18n.t("audit.action", "en")]) == {"Login failed"}
    assert set(table[i18n.t("audit.entity", "en")]) == {"User"}
    assert "Reason: unknown username" in table[i18n.t("audit.details", "en")].iloc[0]
    next(b for b in at.button if b.key == "audit_prepare").click()
    at.run()
    assert not at.exception
    assert at.get("download_button")


def test_admin_users_page_shows_an_expired_temporary_password(sqlite_demo_database, principal, monkeypatch):
    from ipoverseas.accounts import users

    users.create_user(principal("admin"), username="expired.temp", role="enterprise")
    monkeypatch.setenv("IPOVERSEAS_TEMPORARY_PASSWORD_DAYS", "0")
    at = run_page("users", principal("admin"))
    at.text_input(key="admin_users_text").set_value("expired.temp").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table[i18n.t("admin.users.status", "en")]) == [
        i18n.t("admin.status.active", "en") + " · " + i18n.t("admin.status.temporary_expired", "en")]


def test_times_on_the_users_and_audit_pages_are_beijing_time_labelled_once(sqlite_demo_database, principal):
    """Stored UTC is shown as Beijing time; the zone is named in the column header; no `None`."""
    from datetime import datetime

    from sqlalchemy import update

    from ipoverseas.core import db
    from ipoverseas.core.models import User

    with db.write_session() as s:
        s.execute(update(User).where(User.username == "staff").values(last_login_at=datetime(2026, 12, 2, 18, 18)))
        s.execute(update(User).where(User.username == "expert").values(last_login_at=None))
    at = run_page("users", principal("admin"), lang="zh")
    table = at.dataframe[0].value
    column = "最近登录（北京时间）"
    assert column in table.columns, list(table.columns)
    shown = dict(zip(table["用户名"], table[column]))
    assert shown["staff"] == "2026-12-03 02:18"
    assert shown["expert"] == "从未登录"
    audit = run_page("audit_log", principal("admin"), lang="zh").dataframe[0].value
    assert any("北京时间" in c for c in audit.columns) and "None" not in audit.to_string()


def test_the_audit_trail_speaks_chinese(sqlite_demo_database, principal):
    """No raw action code, entity code or JSON in the Chinese audit trail (issue 12)."""
    authentication.authenticate("staff", "ipoverseas-demo")
    authentication.authenticate("staff", "wrong-password")
    at = run_page("audit_log", principal("admin"), lang="zh")
    assert not at.exception
    table = at.dataframe[0].value
    actions, entities = set(table["操作"]), set(table["记录类型"])
    assert {"登录成功", "登录失败"} <= actions and "用户" in entities
    assert not {a for a in actions if "." in a or a.isascii()}, actions
    details = " ".join(table["内容"])
    assert "原因: 密码" in details and "连续登录失败次数: 0 → 1" in details
    assert "浙江分中心" in set(table["分中心"]), set(table["分中心"])   # its name, not its code
    assert "{" not in details and '"' not in details
    assert at.selectbox(key="audit_action").format_func("login.") == "登录（全部）"


def test_every_row_of_the_users_list_links_to_its_account(sqlite_demo_database, principal):
    at = run_page("users", principal("admin"), lang="zh")
    links = at.dataframe[0].value["#"]
    assert len(links) and links.str.fullmatch(r"admin-users\?user=\d+").all()
