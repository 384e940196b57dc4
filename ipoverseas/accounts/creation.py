"""Adding accounts: one or many in the caller's transaction, each checked and audited."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipoverseas.core import errors
from ipoverseas.access.policy import ROLES, STAFF, Principal
from ipoverseas.accounts import passwords
from ipoverseas.audit import trail
from ipoverseas.core.models import SubCentre, User


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip().lower()


@dataclass
class NewAccount:
    """One account to add (see `add_accounts`): a chosen `password`, or a generated `temporary` one."""

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


class AccountError(errors.Invalid):
    """A refused account; `index` is its place in the list given to `add_accounts`."""

    def __init__(self, key: str, index: int, field: str = "username", **values: Any):
        super().__init__(key, field=field, **values)
        self.index = index


def add_account(session: Session, *, username: str, password: str = "", role: str,
                display_name: str = "", sub_centre_code: str | None = None,
                organisation: str | None = None, email: str | None = None,
                expert_id: int | None = None, is_demo: bool = False,
                must_change_password: bool = False, temporary: passwords.Temporary | None = None,
                actor: Principal | None = None) -> User:
    """Add one account (audited as `user.create`); `AccountError` when it is refused."""
    account = NewAccount(username=username, password=password, role=role, display_name=display_name,
                         sub_centre_code=sub_centre_code, organisation=organisation, email=email,
                         expert_id=expert_id, is_demo=is_demo, must_change_password=must_change_password,
                         temporary=temporary)
    return add_accounts(session, [account], actor=actor)[0]


def add_accounts(session: Session, accounts: list[NewAccount], *, actor: Principal | None = None) -> list[User]:
    """Add accounts in the caller's transaction, each audited as `user.create`.

    Two look-ups for the whole list (usernames taken, sub-centre codes) and batched inserts, so
    a bulk creation holds the write lock briefly. Raises `AccountError` (an `errors.Invalid`) for the
    first refused account; the caller's transaction then rolls back, adding none.
    """
    names = [normalize_username(a.username) for a in accounts]
    codes = sorted({a.sub_centre_code for a in accounts if a.sub_centre_code})
    centres = dict(session.execute(select(SubCentre.code, SubCentre.id).where(SubCentre.code.in_(codes))).all()) \
        if codes else {}
    taken = taken_usernames(session, names)
    rows: list[User] = []
    for index, (account, username) in enumerate(zip(accounts, names)):
        if account.role not in ROLES:
            raise AccountError("admin.error.role", index)
        if account.temporary is not None and not isinstance(account.temporary, passwords.Temporary):
            raise TypeError("a temporary password must come from passwords.new_temporary()")
        problem = None if account.temporary is not None else passwords.problem(account.password, username=username)
        if problem:
            raise AccountError(problem, index, field="password")
        if not username:
            raise AccountError("admin.error.username_empty", index)
        if username in taken:
            raise AccountError("admin.error.duplicate", index)
        taken.add(username)
        sub_centre_id = centres.get(account.sub_centre_code) if account.sub_centre_code else None
        if account.sub_centre_code and sub_centre_id is None:
            raise AccountError("admin.error.no_sub_centre", index, code=account.sub_centre_code)
        if account.role == STAFF and sub_centre_id is None:
            raise AccountError("admin.error.staff_needs_sub_centre", index)
        password_hash = account.temporary.hash if account.temporary is not None else passwords.hash_password(account.password)
        rows.append(User(username=username, password_hash=password_hash, role=account.role,
                         display_name=account.display_name or username, sub_centre_id=sub_centre_id,
                         organisation=account.organisation, email=(account.email or "").strip().lower() or None,
                         expert_id=account.expert_id, is_demo=account.is_demo,
                         must_change_password=account.must_change_password or account.temporary is not None))
    session.add_all(rows)
    session.flush()
    for user in rows:
        trail.record(session, actor, "user.create", "user", user.id, after=user_snapshot(user))
    return rows


def taken_usernames(session: Session, usernames: list[str]) -> set[str]:
    """Which of these (normalised) usernames an account has already, in keyed look-ups of 500."""
    taken: set[str] = set()
    for start in range(0, len(usernames), 500):
        taken.update(session.scalars(select(User.username).where(User.username.in_(usernames[start:start + 500]))))
    return taken


def user_snapshot(user: User) -> dict[str, Any]:
    """What the audit trail records of an account (never the password hash)."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "sub_centre_id": user.sub_centre_id, "expert_id": user.expert_id,
            "organisation": user.organisation, "email": user.email, "active": bool(user.active),
            "must_change_password": bool(user.must_change_password),
            "locked_until": user.locked_until}
