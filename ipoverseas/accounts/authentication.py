"""Signing in and out of a password: the login check, the lockout, temporary passwords, and a user
changing their own password. One generic failure message for every reason; every attempt audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipoverseas.access.policy import Principal
from ipoverseas.accounts import passwords
from ipoverseas.accounts.creation import normalize_username
from ipoverseas.audit import trail
from ipoverseas.core import config, db
from ipoverseas.core.models import AuditEvent, User, utcnow


def authenticate(username: str, password: str, *, now: datetime | None = None) -> Principal | None:
    """Check a login. None for every kind of failure, so the UI shows one message.

    Failed attempts count towards a temporary lockout; every attempt is audited;
    a hash made with old parameters is renewed on success.
    """
    with db.write_session() as session:
        return check_login(session, username, password, now=now)


def check_login(session: Session, username: str, password: str, *, now: datetime | None = None,
                detail: dict | None = None) -> Principal | None:
    """`authenticate` inside the caller's transaction (the session service adds its row to it)."""
    now = now or utcnow()
    name = normalize_username(username)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        passwords.dummy_verify(password)
        trail.record(session, None, "login.failed", "user", None, detail={"username": name[:80], "reason": "unknown"})
        return None
    if not user.active or (user.locked_until and user.locked_until > now):
        passwords.dummy_verify(password)
        trail.record(session, None, "login.refused", "user", user.id,
                     detail={"username": name, "reason": "disabled" if not user.active else "locked"})
        return None
    if temporary_password_expired(session, user, now):
        passwords.dummy_verify(password)
        trail.record(session, None, "login.refused", "user", user.id,
                     detail={"username": name, "reason": "temporary password expired"})
        return None
    if not passwords.verify(user.password_hash, password):
        before, after, locked = count_failure(user, now)
        trail.record(session, None, "login.locked" if locked else "login.failed", "user", user.id,
                     detail={"username": name, "reason": "password"}, before=before, after=after)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    principal = Principal.of(user)
    trail.record(session, principal, "login.success", "user", user.id, detail=detail)
    return principal


def count_failure(user: User, now: datetime) -> tuple[dict, dict, bool]:
    """One more wrong password (at the login, or as the current password of a change): after
    `lockout_attempts` in a row the account is locked for `lockout_minutes`.
    Returns (before, after, locked now)."""
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins += 1
    locked = user.failed_logins >= config.get("lockout_attempts")
    if locked:
        user.locked_until = now + timedelta(minutes=config.get("lockout_minutes"))
        user.failed_logins = 0
    return before, {"failed_logins": user.failed_logins, "locked_until": user.locked_until}, locked


# --- temporary passwords ----------------------------------------------------------------
#
# A password an admin sets (a new account's, a reset's, a bulk creation's) is temporary: the user
# must change it at the next login (`must_change_password`), and it works for
# `temporary_password_days` after it was set, the time of the audit event that set it.

TEMPORARY_PASSWORD_SET_BY = ("user.create", "user.reset_password")


def temporary_password_expiry(session: Session, user: User) -> datetime | None:
    """When the user's temporary password stops working (UTC), or None when they have their own."""
    if not user.must_change_password:
        return None
    return temporary_password_expiries(session, [(user.id, user.created_at)])[user.id]


def temporary_password_expiries(session: Session, accounts: Iterable[tuple[int, datetime]]) -> dict[int, datetime]:
    """For accounts (id, created_at) that hold a temporary password: when each stops working (one query)."""
    created = dict(accounts)
    if not created:
        return {}
    set_at = dict(session.execute(
        select(AuditEvent.entity_id, func.max(AuditEvent.at))
        .where(AuditEvent.entity == "user", AuditEvent.entity_id.in_(list(created)),
               AuditEvent.action.in_(TEMPORARY_PASSWORD_SET_BY))
        .group_by(AuditEvent.entity_id)).all())
    days = timedelta(days=config.get("temporary_password_days"))
    return {user_id: (set_at.get(user_id) or at) + days for user_id, at in created.items()}


def temporary_password_expired(session: Session, user: User, now: datetime | None = None) -> bool:
    expiry = temporary_password_expiry(session, user)
    return expiry is not None and expiry <= (now or utcnow())


def retire_temporary_password(user: User) -> tuple[dict, dict] | None:
    """A single sign-on of a user who still holds a temporary password: make it unusable (it may be
    written down somewhere) and drop "must change" (there is no password left to change: an admin
    resets one if the user needs it). Returns (before, after) for the caller's audit event, or None."""
    if not user.must_change_password:
        return None
    user.password_hash = passwords.UNUSABLE
    user.must_change_password = False
    user.failed_logins = 0
    return {"must_change_password": True}, {"must_change_password": False, "password": "unusable"}


def get_principal(user_id: int) -> Principal | None:
    """The current snapshot of an active user, or None (disabled or deleted)."""
    with db.read_session() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return Principal.of(user)


def principal_named(username: str) -> Principal | None:
    """The active account called `username` (as typed: normalised), or None. For the command line,
    which acts as a named user."""
    with db.read_session() as session:
        user = session.scalar(select(User).where(User.username == normalize_username(username)))
        return Principal.of(user) if user is not None and user.active else None


def principal_for_email(email: str | None) -> Principal | None:
    """Single sign-on: the active local account whose e-mail is `email` (case-insensitive).

    None when there is none, or when two accounts share the address (ambiguous: an admin
    must fix it), so an identity provider can never pick an account by chance.
    """
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        return None
    with db.read_session() as session:
        users = session.scalars(select(User).where(func.lower(User.email) == email, User.active.is_(True))
                                .limit(2)).all()
        if len(users) != 1:
            return None
        return Principal.of(users[0])
