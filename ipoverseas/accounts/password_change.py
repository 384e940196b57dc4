"""A user changes their own password (the Account page): checked like a login, audited, and the
user's other sessions ended in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ipoverseas.access.policy import Principal
from ipoverseas.accounts import authentication, deferred, passwords, sessions
from ipoverseas.core import errors
from ipoverseas.core.models import User, utcnow


class CurrentPasswordRefused(errors.Invalid):
    """The current password was not accepted: wrong, expired, or the account is locked. One message
    (`password.current_wrong`) for every reason, as at the login; `reason` is for the audit trail."""

    def __init__(self, reason: str):
        super().__init__("password.current_wrong", field="current_password")
        self.reason = reason


def change_own_password(user: Principal, current: str, new: str, *, keep_token_hash: str | None = None,
                        now: datetime | None = None) -> int:
    """A user changes their own password; clears "must change at next login".

    Ends the user's other sessions (all but the one `keep_token_hash` names: the session the
    change is made in) in the same transaction, and returns how many it ended (when the database
    is busy and the change waits in `deferred`: how many were open).
    Raises `errors.Invalid`: the current password is refused, or the new one is weak.
    A wrong current password counts towards the same lockout as a wrong login, and while the
    account is locked every attempt is refused with the same message.
    A refused attempt is audited too (`password.change_refused`).
    The passwords are checked and hashed outside any transaction, and the change never waits for
    a busy database: `deferred` writes it at once or as soon as the database is free, and this
    process uses the new password and ends the other sessions at once.
    """
    now = now or utcnow()
    row = authentication.read_account(user_id=user.id, now=now)
    if row is None or not row.active:
        raise errors.Denied(action="change_password")
    try:
        if row.locked_until and row.locked_until > now:
            passwords.dummy_verify(current)
            raise CurrentPasswordRefused("locked")
        if row.temporary_expired:
            passwords.dummy_verify(current)
            raise CurrentPasswordRefused("temporary password expired")
        if not passwords.verify(row.password_hash, current):
            raise CurrentPasswordRefused("password.current_wrong")
        problem = passwords.problem(new, username=row.username)
        if problem:
            raise errors.Invalid(problem, field="new_password")
        if new == current or passwords.normalize(new) == passwords.normalize(current):
            # the current password matched the hash: the same text would match it too (no third Argon2)
            raise errors.Invalid("password.same_as_old", field="new_password")
    except errors.Invalid as exc:
        reason = exc.reason if isinstance(exc, CurrentPasswordRefused) else exc.key
        deferred.write(PasswordRefused(now, user, reason))
        raise
    open_before = sessions.open_sessions(user.id, except_token_hash=keep_token_hash)
    event = PasswordChanged(now, user, row.password_hash, passwords.hash_password(new), keep_token_hash)
    written, ended = deferred.write(event)
    return ended if written else open_before


@dataclass
class PasswordChanged(deferred.Event):
    user: Principal
    verified_hash: str   # the hash the current password was checked against
    new_hash: str
    keep_token_hash: str | None

    def write(self, session: Session) -> int:
        row = session.get(User, self.user.id)
        if row is None or not row.active or row.password_hash != self.verified_hash:
            raise errors.Stale()   # changed since it was read (another tab, an admin's reset): try again
        before = {"must_change_password": bool(row.must_change_password)}
        self.on_user(row)
        ended = sessions.end_all_for_user(session, row.id, now=self.at, keep_token_hash=self.keep_token_hash)
        self.audit(session, self.user, "password.change", "user", row.id, before=before,
                   after={"must_change_password": False}, detail={"sessions_ended": ended} if ended else None)
        return ended

    def on_user(self, user: Any) -> None:
        if user.id == self.user.id:
            user.password_hash = self.new_hash
            user.must_change_password = False
            user.failed_logins = 0

    def on_session(self, token_hash: str, row: Any | None) -> Any | None:
        if row is not None and row.user_id == self.user.id and row.ended_at is None \
                and token_hash != self.keep_token_hash:
            row.ended_at = self.at
        return row


@dataclass
class PasswordRefused(deferred.Event):
    """A refused change, audited; a wrong current password counts as a guess (a locked account's does not)."""

    user: Principal
    reason: str

    def write(self, session: Session) -> None:
        detail, before, after = {"reason": self.reason}, None, None
        if self.reason == "password.current_wrong":
            before, after, locked = authentication.count_failure(session.get(User, self.user.id), self.at)
            if locked:
                detail["locked"] = True
        self.audit(session, self.user, "password.change_refused", "user", self.user.id, detail=detail,
                   before=before, after=after)

    def on_user(self, user: Any) -> None:
        if self.reason == "password.current_wrong" and user.id == self.user.id:
            authentication.count_failure(user, self.at)
