"""A user changes their own password (the Account page): checked like a login, audited, and the
user's other sessions ended in the same transaction."""

from __future__ import annotations

from datetime import datetime

from ipoverseas.access.policy import Principal
from ipoverseas.accounts import authentication, passwords, sessions
from ipoverseas.audit import trail
from ipoverseas.core import db, errors
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
    change is made in) in the same transaction, and returns how many it ended.
    Raises `errors.Invalid`: the current password is refused, or the new one is weak.
    A wrong current password counts towards the same lockout as a wrong login, and while the
    account is locked every attempt is refused with the same message.
    A refused attempt is audited too (`password.change_refused`), in a transaction of its own,
    since the change's own transaction rolls back.
    """
    now = now or utcnow()
    try:
        with db.write_session() as session:
            row = session.get(User, user.id)
            if row is None or not row.active:
                raise errors.Denied(action="change_password")
            if row.locked_until and row.locked_until > now:
                passwords.dummy_verify(current)
                raise CurrentPasswordRefused("locked")
            if authentication.temporary_password_expired(session, row, now):
                passwords.dummy_verify(current)
                raise CurrentPasswordRefused("temporary password expired")
            if not passwords.verify(row.password_hash, current):
                raise CurrentPasswordRefused("password.current_wrong")
            problem = passwords.problem(new, username=row.username)
            if problem:
                raise errors.Invalid(problem, field="new_password")
            if passwords.verify(row.password_hash, new):
                raise errors.Invalid("password.same_as_old", field="new_password")
            before = {"must_change_password": bool(row.must_change_password)}
            row.password_hash = passwords.hash_password(new)
            row.must_change_password = False
            row.failed_logins = 0
            ended = sessions.end_all_for_user(session, row.id, keep_token_hash=keep_token_hash)
            trail.record(session, user, "password.change", "user", row.id, before=before,
                         after={"must_change_password": False},
                         detail={"sessions_ended": ended} if ended else None)
            return ended
    except errors.Invalid as exc:
        reason = exc.reason if isinstance(exc, CurrentPasswordRefused) else exc.key
        with db.write_session() as session:
            detail, before, after = {"reason": reason}, None, None
            if reason == "password.current_wrong":  # a guess: it counts (a locked account's does not)
                before, after, locked = authentication.count_failure(session.get(User, user.id), now)
                if locked:
                    detail["locked"] = True
            trail.record(session, user, "password.change_refused", "user", user.id, detail=detail,
                         before=before, after=after)
        raise
