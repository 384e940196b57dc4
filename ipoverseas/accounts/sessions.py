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
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ipoverseas.audit import trail
from ipoverseas.access import policy
from ipoverseas.accounts import authentication
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
    """Check a password login and open a session in one transaction; None on any failure."""
    now = now or utcnow()
    with db.write_session() as session:
        principal = authentication.check_login(session, username, password, now=now, detail={"method": "password"})
        if principal is None:
            return None
        return _open(session, principal, user_agent, now)


def login_sso(email: str | None, *, user_agent: str | None = None, now: datetime | None = None) -> Login | None:
    """Open a session for the local account a *verified* e-mail maps to; None if none.

    Call it only with an address the identity provider verified (`login_oidc` checks that).
    A temporary password the account still holds is made unusable (`auth.retire_temporary_password`).
    """
    now = now or utcnow()
    principal = authentication.principal_for_email(email)
    with db.write_session() as session:
        if principal is None:
            trail.record(session, None, "login.failed", "user", None,
                         detail={"method": "sso", "email": (email or "")[:254], "reason": "no local account"})
            return None
        user = session.get(User, principal.id)
        if user is None or not user.active or (user.locked_until and user.locked_until > now):
            trail.record(session, None, "login.refused", "user", principal.id, detail={"method": "sso"})
            return None
        user.last_login_at = now
        # A temporary password still held (it may be written down somewhere) is made unusable.
        retired = authentication.retire_temporary_password(user)
        principal = policy.Principal.of(user)
        before, after = retired or (None, None)
        trail.record(session, principal, "login.success", "user", principal.id, before=before, after=after,
                     detail={"method": "sso", "temporary_password": "made unusable"} if retired else {"method": "sso"})
        return _open(session, principal, user_agent, now)


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
        with db.write_session() as session:
            trail.record(session, None, "login.refused", "user", None,
                         detail={"method": "sso", "email": email[:254], "reason": "email not verified"})
        return SSO_UNVERIFIED
    login = login_sso(email, user_agent=user_agent, now=now)
    return login if login is not None else SSO_UNKNOWN


def _open(session: Session, principal: policy.Principal, user_agent: str | None, now: datetime) -> Login:
    token = new_token()
    row = UserSession(token_hash=hash_token(token), user_id=principal.id, created_at=now, last_seen_at=now,
                      expires_at=now + max_lifetime(), user_agent=(user_agent or "")[:300] or None)
    session.add(row)
    session.flush()
    return Login(principal, token, row.token_hash, row.expires_at)


def resume(token: str | None, *, now: datetime | None = None) -> tuple[policy.Principal, str] | None:
    """A new page load (refresh, new tab): the cookie's token -> (principal, token hash), or None."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    token_hash = hash_token(token)
    principal = check(token_hash, now=now)
    return (principal, token_hash) if principal else None


def check(token_hash: str | None, *, now: datetime | None = None) -> policy.Principal | None:
    """One interaction: the session's current user, or None when the session has ended.

    Ends (and audits) a session past its idle timeout or absolute lifetime.
    """
    if not token_hash:
        return None
    now = now or utcnow()
    with db.read_session() as session:
        row = _open_row(session, token_hash)
        if row is None:
            return None
        user = session.get(User, row.user_id)
        expired = row.expires_at <= now or row.last_seen_at + idle_timeout() <= now
        if expired:
            reason = "lifetime" if row.expires_at <= now else "idle"
            principal = policy.Principal.of(user) if user else None
            session_id = row.id
        elif user is None or not user.active:
            return None
        else:
            if now - row.last_seen_at >= _touch_interval():
                _touch(row.id, now)
            return policy.Principal.of(user)
    with db.write_session() as session:
        _end_one(session, session_id, principal, "session.expired", now, detail={"reason": reason})
    return None


def _open_row(session: Session, token_hash: str) -> UserSession | None:
    """The session a token hash names, while it is open."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))
    return row if row is not None and row.ended_at is None else None


def _end_one(session: Session, session_id: int, actor: policy.Principal | None, action: str, now: datetime,
             detail: dict | None = None) -> bool:
    """End one session if it is still open (a conditional update: two tabs cannot both end it) and audit it."""
    done = session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                           .values(ended_at=now)).rowcount
    if done:
        trail.record(session, actor, action, "user_session", session_id,
                     before={"ended_at": None}, after={"ended_at": now}, detail=detail)
    return bool(done)


def _touch(session_id: int, now: datetime) -> None:
    # Bookkeeping only (see the module doc): no revision bump, no audit event. A database
    # busy with a long import must not fail every page over it: skip, and try next time.
    try:
        with db.get_engine().begin() as conn:
            conn.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                         .values(last_seen_at=now))
    except OperationalError:
        log.warning("session %s: last-seen not recorded (database busy)", session_id)


def end(token_hash: str | None, actor: policy.Principal | None, *, now: datetime | None = None) -> bool:
    """Logout: end this session on the server at once. True if it was open."""
    if not token_hash:
        return False
    now = now or utcnow()
    with db.write_session() as session:
        row = _open_row(session, token_hash)
        return row is not None and _end_one(session, row.id, actor, "logout", now)


def end_all_for_user(session: Session, user_id: int, *, now: datetime | None = None,
                     keep_token_hash: str | None = None) -> int:
    """End every open session of a user (but the one `keep_token_hash` names), in the caller's
    transaction (the caller audits the change). Returns how many it ended."""
    now = now or utcnow()
    where = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep_token_hash:
        where.append(UserSession.token_hash != keep_token_hash)
    return session.execute(update(UserSession).where(*where).values(ended_at=now)).rowcount


def open_sessions(user_id: int) -> int:
    from sqlalchemy import func

    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user_id, UserSession.ended_at.is_(None))) or 0


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
