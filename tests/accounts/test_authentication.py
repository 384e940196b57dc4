"""Accounts: hashing, the one generic login failure, lockout, and create-user."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from ipoverseas.core import errors
from ipoverseas.accounts import authentication, creation, password_change, passwords
from ipoverseas.core import db
from ipoverseas.core.models import AuditEvent, User, utcnow


def _make(username="alice", password="correct horse", role="admin", **kw):
    with db.write_session() as s:
        creation.add_account(s, username=username, password=password, role=role, **kw)


def test_hash_is_argon2id_and_login_works(database):
    _make()
    with db.read_session() as s:
        assert s.scalar(select(User.password_hash)).startswith("$argon2id$")
    user = authentication.authenticate("Alice ", "correct horse")
    assert user is not None and user.role == "admin"


def test_unknown_user_and_wrong_password_look_the_same(database):
    _make()
    assert authentication.authenticate("alice", "wrong password") is None
    assert authentication.authenticate("nobody", "whatever1") is None
    with db.read_session() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("login.failed") == 2


def test_lockout_after_repeated_failures(database, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_LOCKOUT_ATTEMPTS", "3")
    _make()
    for _ in range(3):
        assert authentication.authenticate("alice", "nope nope") is None
    assert authentication.authenticate("alice", "correct horse") is None  # locked, even with the right password
    later = utcnow() + timedelta(minutes=16)
    assert authentication.authenticate("alice", "correct horse", now=later) is not None


def test_disabled_user_cannot_log_in_and_loses_the_principal(database):
    _make()
    user = authentication.authenticate("alice", "correct horse")
    with db.write_session() as s:
        s.scalar(select(User).where(User.username == "alice")).active = False
    assert authentication.authenticate("alice", "correct horse") is None
    assert authentication.get_principal(user.id) is None


def test_old_hash_parameters_are_renewed_at_login(database):
    from argon2 import PasswordHasher
    _make()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    with db.write_session() as s:
        s.scalar(select(User)).password_hash = weak
    assert authentication.authenticate("alice", "correct horse") is not None
    with db.read_session() as s:
        assert s.scalar(select(User.password_hash)) != weak


@pytest.mark.parametrize("kwargs,message", [
    ({"password": "short"}, "password.too_short"),
    ({"role": "boss"}, "admin.error.role"),
    ({"role": "staff"}, "admin.error.staff_needs_sub_centre"),
    ({"role": "staff", "sub_centre_code": "NOPE"}, "admin.error.no_sub_centre"),
])
def test_create_user_refuses_bad_input(database, kwargs, message):
    with pytest.raises(errors.Invalid, match=message):
        _make(**kwargs)


def test_duplicate_username_refused(database):
    _make()
    with pytest.raises(errors.Invalid, match="admin.error.duplicate"):
        _make(username="ALICE")


def test_newaccount_is_built_with_keywords_only(database):
    """create_user passes every field by name: a field moved in NewAccount cannot shift the others."""
    with db.write_session() as s:
        user = creation.add_account(s, username="kw", password="correct horse", role="enterprise", display_name="K W",
                                organisation="Org", email="KW@Example.cn", is_demo=True, must_change_password=True)
        assert (user.display_name, user.organisation, user.email, user.is_demo, user.must_change_password) == (
            "K W", "Org", "kw@example.cn", True, True)


# --- temporary passwords expire ------------------------------------------------------------


def _refusals(user_id):
    with db.read_session() as s:
        return [e.detail["reason"] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "login.refused", AuditEvent.entity_id == user_id).order_by(AuditEvent.id))]


def test_a_temporary_password_expires_and_a_reset_gives_a_new_one(demo_database, principal):
    from ipoverseas.accounts import users

    admin = principal("admin")
    user_id, temporary = users.create_user(admin, username="temp.user", role="enterprise")
    now = utcnow()
    assert authentication.authenticate("temp.user", temporary, now=now + timedelta(days=6, hours=23)) is not None
    assert authentication.authenticate("temp.user", temporary, now=now + timedelta(days=7, minutes=1)) is None
    assert _refusals(user_id) == ["temporary password expired"]
    with db.read_session() as s:  # a refusal, not a guess: it does not count towards the lockout
        assert s.get(User, user_id).failed_logins == 0
    with pytest.raises(errors.Invalid, match="password.current_wrong"):  # nor can it be changed any more
        password_change.change_own_password(principal("temp.user"), temporary, "my own long sentence",
                                 now=now + timedelta(days=8))
    again = users.reset_password(admin, user_id)       # the admin resets: a new week
    assert authentication.authenticate("temp.user", again, now=now + timedelta(days=6)) is not None
    assert authentication.authenticate("temp.user", again, now=now + timedelta(days=8)) is None
    password_change.change_own_password(principal("temp.user"), again, "my own long sentence")
    assert authentication.authenticate("temp.user", "my own long sentence", now=now + timedelta(days=365)) is not None


def test_bulk_and_admin_chosen_temporary_passwords_expire_too_after_the_setting(demo_database, principal,
                                                                                monkeypatch):
    from ipoverseas.accounts import users

    monkeypatch.setenv("IPOVERSEAS_TEMPORARY_PASSWORD_DAYS", "2")
    admin = principal("admin")
    user_id, _ = users.create_user(admin, username="chosen.temp", role="enterprise",
                                   password="a chosen first password")
    now = utcnow()
    assert authentication.authenticate("chosen.temp", "a chosen first password", now=now + timedelta(days=1)) is not None
    assert authentication.authenticate("chosen.temp", "a chosen first password", now=now + timedelta(days=2, minutes=1)) is None
    with db.write_session() as s:
        [user] = creation.add_accounts(s, [creation.NewAccount(username="bulk.temp", role="expert",
                                                       temporary=passwords.new_temporary())])
        hashed = user.password_hash
    with db.write_session() as s:  # the same expiry whatever its hash
        user = s.scalar(select(User).where(User.username == "bulk.temp"))
        assert user.password_hash == hashed and user.must_change_password
        assert authentication.temporary_password_expiry(s, user) > now + timedelta(days=1, hours=23)
        assert authentication.temporary_password_expired(s, user, now + timedelta(days=2, minutes=1))
        own = s.scalar(select(User).where(User.username == "admin"))
        assert authentication.temporary_password_expiry(s, own) is None  # an own password never expires


# --- guessing the current password on the change form counts towards the lockout -------------


def test_wrong_current_passwords_lock_the_account_like_wrong_logins(demo_database, principal):
    from ipoverseas.accounts import sessions

    user = principal("enterprise")
    for _ in range(2):
        assert authentication.authenticate("enterprise", "wrong guess") is None
    for _ in range(2):
        with pytest.raises(errors.Invalid, match="^password.current_wrong$"):
            password_change.change_own_password(user, "wrong guess", "a long new sentence")
    with db.read_session() as s:
        assert s.get(User, user.id).failed_logins == 4 and s.get(User, user.id).locked_until is None
    with pytest.raises(errors.Invalid, match="^password.current_wrong$"):   # the 5th: locked
        password_change.change_own_password(user, "wrong guess", "a long new sentence")
    with pytest.raises(errors.Invalid, match="^password.current_wrong$"):   # the same message, right password too
        password_change.change_own_password(user, "ipoverseas-demo", "a long new sentence")
    assert sessions.login("enterprise", "ipoverseas-demo") is None      # the login is locked as well
    with db.read_session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "password.change_refused",
                                                    AuditEvent.entity_id == user.id).order_by(AuditEvent.id)).all()
    assert [e.detail["reason"] for e in events] == ["password.current_wrong"] * 3 + ["locked"]
    assert events[2].detail["locked"] is True and events[2].detail["after"]["locked_until"]
    later = utcnow() + timedelta(minutes=16)
    assert password_change.change_own_password(user, "ipoverseas-demo", "a long new sentence", now=later) == 0
    assert authentication.authenticate("enterprise", "a long new sentence", now=later) is not None


def test_lockout_settings_apply_to_the_change_form(demo_database, principal, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_LOCKOUT_ATTEMPTS", "2")
    monkeypatch.setenv("IPOVERSEAS_LOCKOUT_MINUTES", "1")
    user = principal("enterprise")
    for _ in range(2):
        with pytest.raises(errors.Invalid):
            password_change.change_own_password(user, "wrong guess", "a long new sentence")
    assert authentication.authenticate("enterprise", "ipoverseas-demo") is None
    assert authentication.authenticate("enterprise", "ipoverseas-demo", now=utcnow() + timedelta(minutes=2)) is not None


def test_the_admin_list_says_which_temporary_passwords_expired(demo_database, principal, monkeypatch):
    from ipoverseas.accounts import users

    admin = principal("admin")
    users.create_user(admin, username="waiting.one", role="enterprise")
    [row] = users.list_users(admin, text="waiting.one")[0]
    assert row["must_change_password"] and not row["temporary_expired"]
    monkeypatch.setenv("IPOVERSEAS_TEMPORARY_PASSWORD_DAYS", "0")
    [row] = users.list_users(admin, text="waiting.one")[0]
    assert row["temporary_expired"]
    assert not any(r["temporary_expired"] for r in users.list_users(admin, text="enterprise")[0])
