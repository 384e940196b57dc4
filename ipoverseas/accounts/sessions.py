"""Server-side login sessions.

A login makes a random token. The browser holds it only in an HttpOnly, SameSite cookie
that the server sets (`ipoverseas.web`); the `user_sessions` table holds only its SHA-256.
A session ends:

- on logout (`end`), at once;
- after `session_idle_minutes` without an interaction, and never later than
  `session_max_hours` after the login (`resume`/`check` refuse it and mark it ended);
- when an admin disables the user, changes their role or sub-centre, or resets their
  password (`end_all_for_user`, called inside that change's transaction), at the user's
  next interaction;
- when the user changes their own password: every other session of theirs (the one
  they changed it in stays open).

Every interaction calls `check` (or `resume` for a new browser tab). Recording "seen at"
is bookkeeping, not a change of content: it is written without bumping the database
revision (which would empty every cache) and without an audit event, at most once per
`_touch_interval()`. Logins, logouts and expiries are audited.

None of this waits for a database busy with an import (SQLite's one write lock): a check only
reads, "seen at" is skipped while the database is busy, and a login, a logout or an expiry is
written by `deferred`, which keeps it in this process until the database is free.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.accounts import authentication, deferred
from ipoverseas.core import config, db
from ipoverseas.core.models import User, UserSession, utcnow

log = logging.getLogger(__name__)

COOKIE_NAME = "ipo_session"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def idle_timeout() -> timedelta:
    return timedelta(minutes=config.get("session_idle_minutes"))


def max_lifetime() -> timedelta:
    return timedelta(hours=config.get("session_max_hours"))


def _touch_interval() -> timedelta:
    """How stale "last seen" may get before it is written again."""
    return min(timedelta(seconds=60), idle_timeout() / 10)


@dataclass(frozen=True)
class Login:
    """A successful login: who, and the token for the cookie (shown to nobody else)."""

    principal: policy.Principal
    token: str
    token_hash: str
    expires_at: datetime


def login(username: str, password: str, *, user_agent: str | None = None,
          now: datetime | None = None) -> Login | None:
    """Check a password login and open a session in one transaction; None on any failure.

    Never waits for a busy database (`authentication.attempt`): the session then exists in this
    process at once, and in the database as soon as it is free."""
    now = now or utcnow()
    token = new_token()
    opening = authentication.Opening(hash_token(token), now + max_lifetime(), (user_agent or "")[:300] or None)
    principal = authentication.attempt(username, password, now=now, detail={"method": "password"}, opening=opening)
    if principal is None:
        return None
    return Login(principal, token, opening.token_hash, opening.expires_at)


def login_sso(email: str | None, *, user_agent: str | None = None, now: datetime | None = None) -> Login | None:
    """Open a session for the local account a *verified* e-mail maps to; None if none.

    Call it only with an address the identity provider verified (`login_oidc` checks that).
    A temporary password the account still holds is made unusable (`auth.retire_temporary_password`).
    """
    now = now or utcnow()
    principal = authentication.principal_for_email(email)
    if principal is None:
        deferred.write(deferred.Audited(now, None, "login.failed", "user", None,
                                        {"method": "sso", "email": (email or "")[:254], "reason": "no local account"}))
        return None
    user = authentication.read_account(user_id=principal.id, expiry=False)
    if user is None or not user.active or (user.locked_until and user.locked_until > now):
        deferred.write(deferred.Audited(now, None, "login.refused", "user", principal.id, {"method": "sso"}))
        return None
    token = new_token()
    opening = authentication.Opening(hash_token(token), now + max_lifetime(), (user_agent or "")[:300] or None)
    event = SsoLogin(now, user.id, opening)
    written, principal = deferred.write(event)   # never waits for a busy database, as a password login
    if not written:
        event.on_user(user)
        principal = policy.Principal.of(user)
    return Login(principal, token, opening.token_hash, opening.expires_at) if principal is not None else None


@dataclass
class SsoLogin(deferred.Event):
    """A single sign-on to an active account: its session opened, a temporary password it still holds
    (it may be written down somewhere) made unusable."""

    user_id: int
    opening: authentication.Opening

    def write(self, session: Session) -> policy.Principal | None:
        user = session.get(User, self.user_id)
        if user is None or not user.active or (user.locked_until and user.locked_until > self.at):
            self.audit(session, None, "login.refused", "user", self.user_id, detail={"method": "sso"})
            return None
        user.last_login_at = self.at
        retired = authentication.retire_temporary_password(user)
        principal = policy.Principal.of(user)
        before, after = retired or (None, None)
        self.audit(session, principal, "login.success", "user", principal.id, before=before, after=after,
                   detail={"method": "sso", "temporary_password": "made unusable"} if retired else {"method": "sso"})
        self.opening.add(session, user.id, self.at)
        return principal

    def on_user(self, user: Any) -> None:
        if user.id == self.user_id:
            user.last_login_at = self.at
            authentication.retire_temporary_password(user)

    def on_session(self, token_hash: str, row: Any | None) -> Any | None:
        return self.opening.view(token_hash, row, self.user_id, self.at)


SSO_UNVERIFIED, SSO_UNKNOWN = "login.sso_unverified", "login.sso_unknown"


def email_verified(claims: Mapping[str, Any]) -> bool:
    """The OIDC `email_verified` claim is true (some providers send the text "true")."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def login_oidc(claims: Mapping[str, Any], *, user_agent: str | None = None,
               now: datetime | None = None) -> Login | str:
    """Map an OIDC login (`st.user`'s claims) to a local account by e-mail and open a session.

    The e-mail must be one the provider verified (`email_verified` true): an unverified address
    is whatever the user typed at the provider, and must never pick a local account. Returns the
    Login, or the i18n key of the refusal (`SSO_UNVERIFIED`, `SSO_UNKNOWN`); both are audited.
    """
    email = str(claims.get("email") or "")
    if not email_verified(claims):
        deferred.write(deferred.Audited(now or utcnow(), None, "login.refused", "user", None,
                                        {"method": "sso", "email": email[:254], "reason": "email not verified"}))
        return SSO_UNVERIFIED
    login = login_sso(email, user_agent=user_agent, now=now)
    return login if login is not None else SSO_UNKNOWN


def resume(token: str | None, *, now: datetime | None = None) -> tuple[policy.Principal, str] | None:
    """A new page load (refresh, new tab): the cookie's token -> (principal, token hash), or None."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    token_hash = hash_token(token)
    principal = check(token_hash, now=now)
    return (principal, token_hash) if principal else None


def check(token_hash: str | None, *, now: datetime | None = None) -> policy.Principal | None:
    """One interaction: the session's current user, or None when the session has ended.

    Ends (and audits) a session past its idle timeout or absolute lifetime. Reads only, but for
    "last seen" (skipped while the database is busy) and the ending (`deferred`): it never waits.
    """
    if not token_hash:
        return None
    now = now or utcnow()
    row = _view(token_hash)
    if row is None or row.ended_at is not None:
        return None
    user = authentication.read_account(user_id=row.user_id, expiry=False)
    if row.expires_at <= now or row.last_seen_at + idle_timeout() <= now:
        reason = "lifetime" if row.expires_at <= now else "idle"
        principal = policy.Principal.of(user) if user else None
        deferred.write(SessionEnded(now, token_hash, principal, "session.expired", {"reason": reason}))
        return None
    if user is None or not user.active:
        return None
    if row.id is not None and now - row.last_seen_at >= _touch_interval():
        _touch(row.id, now)
    return policy.Principal.of(user)


def _view(token_hash: str) -> SimpleNamespace | None:
    """The session a token hash names (ended or not), with this process's queued writes."""
    def read():
        with db.read_session() as session:
            row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))
            return None if row is None else SimpleNamespace(
                id=row.id, token_hash=row.token_hash, user_id=row.user_id, created_at=row.created_at,
                last_seen_at=row.last_seen_at, expires_at=row.expires_at, ended_at=row.ended_at)

    row, events = deferred.pending(read)
    return deferred.replay_session(token_hash, row, events)


@dataclass
class SessionEnded(deferred.Event):
    """A logout, or a session found past its time: ended once (two tabs cannot both end it), audited."""

    token_hash: str
    actor: policy.Principal | None
    action: str
    detail: dict | None = None

    def write(self, session: Session) -> bool:
        row = _open_row(session, self.token_hash)
        if row is None:
            return False
        done = session.execute(update(UserSession).where(UserSession.id == row.id, UserSession.ended_at.is_(None))
                               .values(ended_at=self.at)).rowcount
        if done:
            self.audit(session, self.actor, self.action, "user_session", row.id,
                       before={"ended_at": None}, after={"ended_at": self.at}, detail=self.detail)
        return bool(done)

    def on_session(self, token_hash: str, row: Any | None) -> Any | None:
        if row is not None and token_hash == self.token_hash and row.ended_at is None:
            row.ended_at = self.at
        return row


def _open_row(session: Session, token_hash: str) -> UserSession | None:
    """The session a token hash names, while it is open."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))
    return row if row is not None and row.ended_at is None else None


def _touch(session_id: int, now: datetime) -> None:
    # Bookkeeping only (see the module doc): no revision bump, no audit event. A database
    # busy with a long import must not slow any page over it: no wait; skip, and try next time.
    try:
        with db.writer(lock_wait_ms=0, immediate=False).begin() as conn:
            conn.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                         .values(last_seen_at=now))
    except OperationalError as exc:
        if not db.is_busy(exc):
            raise
        log.info("session %s: last-seen not recorded (database busy)", session_id)


def end(token_hash: str | None, actor: policy.Principal | None, *, now: datetime | None = None) -> bool:
    """Logout: end this session on the server at once. True if it was open.

    Never waits for a busy database: the session is then ended in this process at once (every
    check here refuses it), and in the database as soon as it is free (`deferred`)."""
    if not token_hash:
        return False
    now = now or utcnow()
    row = _view(token_hash)
    if row is None or row.ended_at is not None:
        return False
    written, ended = deferred.write(SessionEnded(now, token_hash, actor, "logout"))
    return bool(ended) if written else True


def end_all_for_user(session: Session, user_id: int, *, now: datetime | None = None,
                     keep_token_hash: str | None = None) -> int:
    """End every open session of a user (but the one `keep_token_hash` names), in the caller's
    transaction (the caller audits the change). Returns how many it ended."""
    now = now or utcnow()
    where = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep_token_hash:
        where.append(UserSession.token_hash != keep_token_hash)
    return session.execute(update(UserSession).where(*where).values(ended_at=now)).rowcount


def open_sessions(user_id: int, *, except_token_hash: str | None = None) -> int:
    """How many sessions of the user are open in the database (but the one `except_token_hash` names)."""
    from sqlalchemy import func

    where = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if except_token_hash:
        where.append(UserSession.token_hash != except_token_hash)
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(UserSession).where(*where)) or 0


# --- the hand-over of a new token to the browser -------------------------------------
#
# A login happens over Streamlit's WebSocket, which cannot set a cookie. So the login
# leaves the token here under a one-time ticket (random, 60 seconds, this process only),
# the page posts the ticket to `/session/claim`, and that HTTP response sets the
# HttpOnly cookie. The ticket never appears in a URL; the token never reaches JavaScript.

TICKET_SECONDS = 60
_tickets: dict[str, tuple[str, float, int]] = {}
_tickets_lock = threading.Lock()


def issue_ticket(login: Login) -> str:
    ticket = secrets.token_urlsafe(24)
    max_age = int((login.expires_at - utcnow()).total_seconds())
    with _tickets_lock:
        now = time.monotonic()
        for key in [k for k, (_, at, _) in _tickets.items() if now - at > TICKET_SECONDS]:
            del _tickets[key]
        _tickets[hash_token(ticket)] = (login.token, now, max(max_age, 1))
    return ticket


def claim_ticket(ticket: str | None) -> tuple[str, int] | None:
    """The (token, cookie max-age) a ticket stands for, once; None when unknown, used or stale."""
    if not ticket:
        return None
    with _tickets_lock:
        entry = _tickets.pop(hash_token(ticket), None)
    if entry is None or time.monotonic() - entry[1] > TICKET_SECONDS:
        return None
    return entry[0], entry[2]
