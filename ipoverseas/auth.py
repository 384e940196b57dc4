"""Accounts, password hashing and the one permission policy (DESIGN.md §4).

Every service asks `can()` before it reads or writes; the UI only hides what the
policy already forbids. The policy is data (`POLICY`) so that a test can check it
cell by cell against the design table.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, config, db, passwords
from .models import SubCentre, User, utcnow

ENTERPRISE, STAFF, EXPERT, ADMIN = "enterprise", "staff", "expert", "admin"
ROLES = (ENTERPRISE, STAFF, EXPERT, ADMIN)

# Scopes: True (any record), False, or a rule checked against the record.
OWN_SUB_CENTRE = "own_sub_centre"   # record.sub_centre_id == user.sub_centre_id
OWN = "own"                         # record.enterprise_user_id == user.id
ASSIGNED = "assigned"               # record.expert_id == user.expert_id
OWN_PROFILE = "own_profile"         # the record is the user's own expert profile

POLICY: dict[str, dict[str, Any]] = {
    "read_published_articles": {ENTERPRISE: True, STAFF: True, EXPERT: True, ADMIN: True},
    "read_published_cases": {ENTERPRISE: True, STAFF: True, EXPERT: True, ADMIN: True},
    "read_unpublished_cases": {ENTERPRISE: False, STAFF: OWN_SUB_CENTRE, EXPERT: False, ADMIN: True},
    "edit_records": {ENTERPRISE: False, STAFF: OWN_SUB_CENTRE, EXPERT: OWN_PROFILE, ADMIN: True},
    "rollback_batch": {ENTERPRISE: False, STAFF: OWN_SUB_CENTRE, EXPERT: False, ADMIN: True},
    "review_cases": {ENTERPRISE: False, STAFF: False, EXPERT: False, ADMIN: True},
    "ask_consultation": {ENTERPRISE: True, STAFF: True, EXPERT: False, ADMIN: False},
    "read_consultation": {ENTERPRISE: OWN, STAFF: OWN_SUB_CENTRE, EXPERT: ASSIGNED, ADMIN: True},
    "answer_consultation": {ENTERPRISE: False, STAFF: False, EXPERT: ASSIGNED, ADMIN: False},
    "see_expert_contact": {ENTERPRISE: False, STAFF: True, EXPERT: OWN_PROFILE, ADMIN: True},
    "manage_users": {ENTERPRISE: False, STAFF: False, EXPERT: False, ADMIN: True},
    "read_audit_log": {ENTERPRISE: False, STAFF: False, EXPERT: False, ADMIN: True},
}


@dataclass(frozen=True)
class Principal:
    """Who is acting: a detached snapshot of a user, safe to keep in a UI session."""

    id: int
    username: str
    display_name: str
    role: str
    sub_centre_id: int | None = None
    expert_id: int | None = None
    organisation: str | None = None
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> "Principal":
        return cls(user.id, user.username, user.display_name or user.username, user.role,
                   user.sub_centre_id, user.expert_id, user.organisation, user.must_change_password)


class PermissionDenied(Exception):
    """Raised by services when the policy forbids an action."""


def can(user: Principal | None, action: str, record: Any = None) -> bool:
    """May `user` do `action` (on `record`, when given)?

    Without a record, a scoped rule answers "yes, for some records": that is what
    the UI needs to decide whether to show a page at all.
    """
    if user is None:
        return False
    rule = POLICY[action].get(user.role, False)
    if rule is True or rule is False:
        return rule
    if record is None:
        return True
    if rule == OWN_SUB_CENTRE:
        return user.sub_centre_id is not None and _attr(record, "sub_centre_id") == user.sub_centre_id
    if rule == OWN:
        return _attr(record, "enterprise_user_id") == user.id
    if rule == ASSIGNED:
        return user.expert_id is not None and _attr(record, "expert_id") == user.expert_id
    if rule == OWN_PROFILE:
        return user.expert_id is not None and _is_expert_record(record) and _attr(record, "id") == user.expert_id
    raise ValueError(f"unknown scope {rule!r}")


def require(user: Principal | None, action: str, record: Any = None) -> None:
    if not can(user, action, record):
        raise PermissionDenied(action)


def _attr(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def _is_expert_record(record: Any) -> bool:
    if isinstance(record, dict):
        return record.get("entity") == "expert"
    return type(record).__name__ == "Expert"


# --- passwords and accounts ------------------------------------------------------

MIN_PASSWORD, MAX_PASSWORD = passwords.MIN_LENGTH, passwords.MAX_LENGTH


def hash_password(password: str) -> str:
    return passwords.hash_password(password)


def password_problem(password: str, username: str | None = None) -> str | None:
    """An i18n key saying what is wrong with a new password, or None."""
    return passwords.problem(password, username=username)


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip().lower()


_normalize_username = normalize_username  # the old name


@dataclass
class NewAccount:
    """One account to add (see `create_users`): a chosen `password`, or a generated `temporary` one."""

    username: str
    role: str
    password: str = ""
    display_name: str = ""
    sub_centre_code: str | None = None
    organisation: str | None = None
    email: str | None = None
    expert_id: int | None = None
    is_demo: bool = False
    must_change_password: bool = False
    # A `passwords.new_temporary()`: its light hash is stored (made beforehand, outside the write
    # transaction), and the account must change it at the first login.
    temporary: passwords.Temporary | None = None


class AccountError(ValueError):
    """A refused account; `index` is its place in the list given to `create_users`."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.index = index


def create_user(session: Session, *, username: str, password: str = "", role: str,
                display_name: str = "", sub_centre_code: str | None = None,
                organisation: str | None = None, email: str | None = None,
                expert_id: int | None = None, is_demo: bool = False,
                must_change_password: bool = False, temporary: passwords.Temporary | None = None,
                actor: Principal | None = None) -> User:
    """Add one account (audited as `user.create`); ValueError when it is refused."""
    account = NewAccount(username=username, password=password, role=role, display_name=display_name,
                         sub_centre_code=sub_centre_code, organisation=organisation, email=email,
                         expert_id=expert_id, is_demo=is_demo, must_change_password=must_change_password,
                         temporary=temporary)
    return create_users(session, [account], actor=actor)[0]


def create_users(session: Session, accounts: list[NewAccount], *, actor: Principal | None = None) -> list[User]:
    """Add accounts in the caller's transaction, each audited as `user.create`.

    Two look-ups for the whole list (usernames taken, sub-centre codes) and batched inserts, so
    a bulk creation holds the write lock briefly. Raises `AccountError` (a ValueError) for the
    first refused account; the caller's transaction then rolls back, adding none.
    """
    names = [normalize_username(a.username) for a in accounts]
    codes = sorted({a.sub_centre_code for a in accounts if a.sub_centre_code})
    centres = dict(session.execute(select(SubCentre.code, SubCentre.id).where(SubCentre.code.in_(codes))).all()) \
        if codes else {}
    taken: set[str] = set()
    for start in range(0, len(names), 500):
        taken.update(session.scalars(select(User.username).where(User.username.in_(names[start:start + 500]))))
    rows: list[User] = []
    for index, (account, username) in enumerate(zip(accounts, names)):
        if account.role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}", index)
        if account.temporary is not None and not isinstance(account.temporary, passwords.Temporary):
            raise AccountError("a temporary password must come from passwords.new_temporary()", index)
        problem = None if account.temporary is not None else password_problem(account.password, username)
        if problem:
            raise AccountError(problem, index)
        if not username:
            raise AccountError("username is empty", index)
        if username in taken:
            raise AccountError(f"user {username!r} already exists", index)
        taken.add(username)
        sub_centre_id = centres.get(account.sub_centre_code) if account.sub_centre_code else None
        if account.sub_centre_code and sub_centre_id is None:
            raise AccountError(f"no sub-centre with code {account.sub_centre_code!r}", index)
        if account.role == STAFF and sub_centre_id is None:
            raise AccountError("staff accounts need a sub-centre", index)
        password_hash = account.temporary.hash if account.temporary is not None else hash_password(account.password)
        rows.append(User(username=username, password_hash=password_hash, role=account.role,
                         display_name=account.display_name or username, sub_centre_id=sub_centre_id,
                         organisation=account.organisation, email=(account.email or "").strip().lower() or None,
                         expert_id=account.expert_id, is_demo=account.is_demo,
                         must_change_password=account.must_change_password or account.temporary is not None))
    session.add_all(rows)
    session.flush()
    for user in rows:
        audit.record(session, actor, "user.create", "user", user.id, after=user_snapshot(user))
    return rows


def user_snapshot(user: User) -> dict[str, Any]:
    """What the audit trail records of an account (never the password hash)."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "sub_centre_id": user.sub_centre_id, "expert_id": user.expert_id,
            "organisation": user.organisation, "email": user.email, "active": bool(user.active),
            "must_change_password": bool(user.must_change_password),
            "locked_until": user.locked_until}


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
        audit.record(session, None, "login.failed", "user", None, detail={"username": name[:80], "reason": "unknown"})
        return None
    if not user.active or (user.locked_until and user.locked_until > now):
        passwords.dummy_verify(password)
        audit.record(session, None, "login.refused", "user", user.id,
                     detail={"username": name, "reason": "disabled" if not user.active else "locked"})
        return None
    if temporary_password_expired(session, user, now):
        passwords.dummy_verify(password)
        audit.record(session, None, "login.refused", "user", user.id,
                     detail={"username": name, "reason": "temporary password expired"})
        return None
    if not passwords.verify(user.password_hash, password):
        before, after, locked = _count_failure(user, now)
        audit.record(session, None, "login.locked" if locked else "login.failed", "user", user.id,
                     detail={"username": name, "reason": "password"}, before=before, after=after)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    principal = Principal.of(user)
    audit.record(session, principal, "login.success", "user", user.id, detail=detail)
    return principal


def _count_failure(user: User, now: datetime) -> tuple[dict, dict, bool]:
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
    from .models import AuditEvent  # the events that set the password say when

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


class CurrentPasswordRefused(ValueError):
    """The current password was not accepted: wrong, expired, or the account is locked. One message
    (`password.current_wrong`) for every reason, as at the login."""

    def __init__(self, reason: str):
        super().__init__("password.current_wrong")
        self.reason = reason


def change_own_password(user: Principal, current: str, new: str, *, keep_token_hash: str | None = None,
                        now: datetime | None = None) -> int:
    """A user changes their own password; clears "must change at next login".

    Ends the user's other sessions (all but the one `keep_token_hash` names: the session the
    change is made in) in the same transaction, and returns how many it ended.
    Raises ValueError with an i18n key: the current password is refused, or the new one is weak.
    A wrong current password counts towards the same lockout as a wrong login, and while the
    account is locked every attempt is refused with the same message.
    A refused attempt is audited too (`password.change_refused`), in a transaction of its own,
    since the change's own transaction rolls back.
    """
    from . import sessions  # sessions imports this module

    now = now or utcnow()
    try:
        with db.write_session() as session:
            row = session.get(User, user.id)
            if row is None or not row.active:
                raise PermissionDenied("change_password")
            if row.locked_until and row.locked_until > now:
                passwords.dummy_verify(current)
                raise CurrentPasswordRefused("locked")
            if temporary_password_expired(session, row, now):
                passwords.dummy_verify(current)
                raise CurrentPasswordRefused("temporary password expired")
            if not passwords.verify(row.password_hash, current):
                raise CurrentPasswordRefused("password.current_wrong")
            problem = password_problem(new, row.username)
            if problem:
                raise ValueError(problem)
            if passwords.verify(row.password_hash, new):
                raise ValueError("password.same_as_old")
            before = {"must_change_password": bool(row.must_change_password)}
            row.password_hash = hash_password(new)
            row.must_change_password = False
            row.failed_logins = 0
            ended = sessions.end_all_for_user(session, row.id, keep_token_hash=keep_token_hash)
            audit.record(session, user, "password.change", "user", row.id, before=before,
                         after={"must_change_password": False},
                         detail={"sessions_ended": ended} if ended else None)
            return ended
    except ValueError as exc:
        reason = exc.reason if isinstance(exc, CurrentPasswordRefused) else str(exc)
        with db.write_session() as session:
            detail, before, after = {"reason": reason}, None, None
            if reason == "password.current_wrong":  # a guess: it counts (a locked account's does not)
                before, after, locked = _count_failure(session.get(User, user.id), now)
                if locked:
                    detail["locked"] = True
            audit.record(session, user, "password.change_refused", "user", user.id, detail=detail,
                         before=before, after=after)
        raise


def _hasher_dummy_verify(password: str) -> None:  # kept for callers of the old name
    passwords.dummy_verify(password)


def get_principal(user_id: int) -> Principal | None:
    """The current snapshot of an active user, or None (disabled or deleted)."""
    with db.read_session() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return Principal.of(user)


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
