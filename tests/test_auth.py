"""Accounts: hashing, the one generic login failure, lockout, and create-user."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from ipoverseas import auth, db
from ipoverseas.models import AuditEvent, User, utcnow


def _make(username="alice", password="correct horse", role="admin", **kw):
    with db.write_session() as s:
        auth.create_user(s, username=username, password=password, role=role, **kw)


def test_hash_is_argon2id_and_login_works(database):
    _make()
    with db.read_session() as s:
        assert s.scalar(select(User.password_hash)).startswith("$argon2id$")
    user = auth.authenticate("Alice ", "correct horse")
    assert user is not None and user.role == "admin"


def test_unknown_user_and_wrong_password_look_the_same(database):
    _make()
    assert auth.authenticate("alice", "wrong password") is None
    assert auth.authenticate("nobody", "whatever1") is None
    with db.read_session() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("login.failed") == 2


def test_lockout_after_repeated_failures(database, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_LOCKOUT_ATTEMPTS", "3")
    _make()
    for _ in range(3):
        assert auth.authenticate("alice", "nope nope") is None
    assert auth.authenticate("alice", "correct horse") is None  # locked, even with the right password
    later = utcnow() + timedelta(minutes=16)
    assert auth.authenticate("alice", "correct horse", now=later) is not None


def test_disabled_user_cannot_log_in_and_loses_the_principal(database):
    _make()
    user = auth.authenticate("alice", "correct horse")
    with db.write_session() as s:
        s.scalar(select(User).where(User.username == "alice")).active = False
    assert auth.authenticate("alice", "correct horse") is None
    assert auth.get_principal(user.id) is None


def test_old_hash_parameters_are_renewed_at_login(database):
    from argon2 import PasswordHasher
    _make()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    with db.write_session() as s:
        s.scalar(select(User)).password_hash = weak
    assert auth.authenticate("alice", "correct horse") is not None
    with db.read_session() as s:
        assert s.scalar(select(User.password_hash)) != weak


@pytest.mark.parametrize("kwargs,message", [
    ({"password": "short"}, "password.too_short"),
    ({"role": "boss"}, "role must be"),
    ({"role": "staff"}, "need a sub-centre"),
    ({"role": "staff", "sub_centre_code": "NOPE"}, "no sub-centre"),
])
def test_create_user_refuses_bad_input(database, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _make(**kwargs)


def test_duplicate_username_refused(database):
    _make()
    with pytest.raises(ValueError, match="already exists"):
        _make(username="ALICE")


def test_newaccount_is_built_with_keywords_only(database):
    """create_user passes every field by name: a field moved in NewAccount cannot shift the others."""
    with db.write_session() as s:
        user = auth.create_user(s, username="kw", password="correct horse", role="enterprise", display_name="K W",
                                organisation="Org", email="KW@Example.cn", is_demo=True, must_change_password=True)
        assert (user.display_name, user.organisation, user.email, user.is_demo, user.must_change_password) == (
            "K W", "Org", "kw@example.cn", True, True)


# --- guessing the current password on the change form counts towards the lockout -------------


def test_wrong_current_passwords_lock_the_account_like_wrong_logins(demo_database, principal):
    from ipoverseas import sessions

    user = principal("enterprise")
    for _ in range(2):
        assert auth.authenticate("enterprise", "wrong guess") is None
    for _ in range(2):
        with pytest.raises(ValueError, match="^password.current_wrong$"):
            auth.change_own_password(user, "wrong guess", "a long new sentence")
    with db.read_session() as s:
        assert s.get(User, user.id).failed_logins == 4 and s.get(User, user.id).locked_until is None
    with pytest.raises(ValueError, match="^password.current_wrong$"):   # the 5th: locked
        auth.change_own_password(user, "wrong guess", "a long new sentence")
    with pytest.raises(ValueError, match="^password.current_wrong$"):   # the same message, right password too
        auth.change_own_password(user, "ipoverseas-demo", "a long new sentence")
    assert sessions.login("enterprise", "ipoverseas-demo") is None      # the login is locked as well
    with db.read_session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "password.change_refused",
                                                    AuditEvent.entity_id == user.id).order_by(AuditEvent.id)).all()
    assert [e.detail["reason"] for e in events] == ["password.current_wrong"] * 3 + ["locked"]
    assert events[2].detail["locked"] is True and events[2].detail["after"]["locked_until"]
    later = utcnow() + timedelta(minutes=16)
    assert auth.change_own_password(user, "ipoverseas-demo", "a long new sentence", now=later) == 0
    assert auth.authenticate("enterprise", "a long new sentence", now=later) is not None


def test_lockout_settings_apply_to_the_change_form(demo_database, principal, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_LOCKOUT_ATTEMPTS", "2")
    monkeypatch.setenv("IPOVERSEAS_LOCKOUT_MINUTES", "1")
    user = principal("enterprise")
    for _ in range(2):
        with pytest.raises(ValueError):
            auth.change_own_password(user, "wrong guess", "a long new sentence")
    assert auth.authenticate("enterprise", "ipoverseas-demo") is None
    assert auth.authenticate("enterprise", "ipoverseas-demo", now=utcnow() + timedelta(minutes=2)) is not None
