"""Signing in and out of a password: the login check, the lockout, temporary passwords, and a user
changing their own password. One generic failure message for every reason; every attempt audited.

A login never waits for a busy database: the account is read, the password checked outside any
transaction, and the outcome written by `deferred` (at once, or as soon as the database is free)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Iterable

from sqlalchemy import func, inspect as sa_inspect, select
from sqlalchemy.orm import Session

from ipoverseas.access.policy import Principal
from ipoverseas.accounts import deferred, passwords
from ipoverseas.accounts.creation import normalize_username
from ipoverseas.core import config, db
from ipoverseas.core.models import AuditEvent, User, UserSession, utcnow


def authenticate(username: str, password: str, *, now: datetime | None = None) -> Principal | None:
    """Check a login. None for every kind of failure, so the UI shows one message.

    Failed attempts count towards a temporary lockout; every attempt is audited;
    a hash made with old parameters is renewed on success.
    """
    return attempt(username, password, now=now)


@dataclass(frozen=True)
class Opening:
    """The session a successful login opens, in the login's own transaction (`sessions.login`)."""

    token_hash: str
    expires_at: datetime
    user_agent: str | None

    def add(self, session: Session, user_id: int, at: datetime) -> None:
        session.add(UserSession(token_hash=self.token_hash, user_id=user_id, created_at=at, last_seen_at=at,
                                expires_at=self.expires_at, user_agent=self.user_agent))

    def view(self, token_hash: str, row: Any | None, user_id: int, at: datetime) -> Any | None:
        """`Event.on_session` of the login that opens it: the session exists from then on."""
        if row is None and token_hash == self.token_hash:
            return SimpleNamespace(id=None, token_hash=token_hash, user_id=user_id, created_at=at, last_seen_at=at,
                                   expires_at=self.expires_at, ended_at=None)
        return row


def attempt(username: str, password: str, *, now: datetime | None = None, detail: dict | None = None,
            opening: Opening | None = None) -> Principal | None:
    """A password login: the principal, or None for every kind of failure.

    The account is read (never blocked), the password checked with Argon2 outside any transaction,
    and then the outcome written (`deferred.write`: at once, or queued while the database is busy
    with an import, and counted at once in this process all the same).
    """
    now = now or utcnow()
    name = normalize_username(username)
    user = read_account(name=name, now=now)
    event = _judge(user, name, password, now, detail, opening)
    written, principal = deferred.write(event)
    if not isinstance(event, LoginSucceeded):
        return None
    if written:
        return principal
    event.on_user(user)
    return Principal.of(user)


def _judge(user: Any | None, name: str, password: str, now: datetime, detail: dict | None,
           opening: Opening | None) -> deferred.Event:
    """What a login attempt comes to, from a snapshot of the account (`read_account`)."""
    if user is None:
        passwords.dummy_verify(password)
        return LoginFailed(now, None, name, "unknown")
    refused = ("disabled" if not user.active else "locked" if user.locked_until and user.locked_until > now
               else "temporary password expired" if user.temporary_expired else None)
    if refused:
        passwords.dummy_verify(password)
        return deferred.Audited(now, None, "login.refused", "user", user.id, {"username": name, "reason": refused})
    if not passwords.verify(user.password_hash, password):
        return LoginFailed(now, user.id, name, "password")
    new_hash = passwords.hash_password(password) if passwords.needs_rehash(user.password_hash) else None
    return LoginSucceeded(now, user.id, user.password_hash, new_hash, detail, opening)


def read_account(*, name: str | None = None, user_id: int | None = None, now: datetime | None = None,
                 expiry: bool = True) -> Any | None:
    """A snapshot of an account (User's attributes, detached) as it stands with this process's
    queued writes (`deferred`), and `temporary_expired` (when `expiry`); None when there is none."""
    def read():
        with db.read_session() as session:
            where = User.username == name if name is not None else User.id == user_id
            row = session.scalar(select(User).where(where))
            if row is None:
                return None
            snap = SimpleNamespace(**{attr.key: getattr(row, attr.key) for attr in sa_inspect(User).column_attrs})
            snap.temporary_expiry = temporary_password_expiry(session, row) if expiry else None
            # Principal.of reads the sub-centre's province (cases concerning their region)
            snap.sub_centre = (SimpleNamespace(province=row.sub_centre.province)
                               if row.sub_centre is not None else None)
            return snap

    user, events = deferred.pending(read)
    if user is None:
        return None
    deferred.replay_user(user, events)
    user.temporary_expired = bool(user.must_change_password and user.temporary_expiry is not None
                                  and user.temporary_expiry <= (now or utcnow()))
    return user


@dataclass
class LoginFailed(deferred.Event):
    """An unknown username, or a wrong password (which counts towards the lockout)."""

    user_id: int | None
    username: str
    reason: str

    def write(self, session: Session) -> None:
        user = session.get(User, self.user_id) if self.user_id is not None else None
        if user is None:
            self.audit(session, None, "login.failed", "user", None,
                       detail={"username": self.username[:80], "reason": self.reason})
            return
        before, after, locked = count_failure(user, self.at)
        self.audit(session, None, "login.locked" if locked else "login.failed", "user", user.id,
                   detail={"username": self.username, "reason": self.reason}, before=before, after=after)

    def on_user(self, user: Any) -> None:
        if self.user_id is not None and user.id == self.user_id:
            count_failure(user, self.at)


@dataclass
class LoginSucceeded(deferred.Event):
    """The right password: reset the failures, renew an old hash, open the session (if any)."""

    user_id: int
    verified_hash: str
    new_hash: str | None
    detail: dict | None
    opening: Opening | None

    def write(self, session: Session) -> Principal | None:
        user = session.get(User, self.user_id)
        if user is None or not user.active or (user.locked_until and user.locked_until > self.at) \
                or user.password_hash != self.verified_hash:   # changed since it was read: refused
            self.audit(session, None, "login.refused", "user", self.user_id, detail={"reason": "changed meanwhile"})
            return None
        self.on_user(user)
        principal = Principal.of(user)
        self.audit(session, principal, "login.success", "user", user.id, detail=self.detail)
        if self.opening is not None:
            self.opening.add(session, user.id, self.at)
        return principal

    def on_user(self, user: Any) -> None:
        if user.id == self.user_id:
            if self.new_hash:
                user.password_hash = self.new_hash
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = self.at

    def on_session(self, token_hash: str, row: Any | None) -> Any | None:
        return self.opening.view(token_hash, row, self.user_id, self.at) if self.opening is not None else row


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
