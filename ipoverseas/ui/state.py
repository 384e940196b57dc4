"""Who is logged in, and in which language, for this browser session.

The login itself lives on the server (`ipoverseas.sessions`): this browser session keeps
the Principal (`auth_user`, a snapshot re-read at every interaction) and the hash of its
session token (`auth_session`). A new tab or a refresh finds the session again through
the HttpOnly cookie the server set, which Streamlit hands over in `st.context.cookies`.
"""

from __future__ import annotations

import logging

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core import config, i18n
from ipoverseas.accounts import sessions

USER_KEY = "auth_user"
LANG_KEY = "ui_lang"
SESSION_KEY = "auth_session"      # the sha256 of the session token (never the token)
METHOD_KEY = "auth_method"        # "password" or "sso"
TICKET_KEY = "auth_ticket"        # a one-time ticket the page hands to /session/claim
NOTICE_KEY = "auth_notice"        # why the user was logged out (an i18n key)
FORGET_KEY = "auth_forget"        # ask the browser to drop the (dead) cookie

log = logging.getLogger(__name__)


def current_user() -> policy.Principal | None:
    return st.session_state.get(USER_KEY)


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # AppTest has no request
        return None
    return value if isinstance(value, str) else None


def refresh_user() -> policy.Principal | None:
    """Check the server session at every interaction; find it from the cookie on a new page load.

    A logout elsewhere, a disabled account, a role change, the idle timeout or the absolute
    lifetime all end the session on the server, and so this browser session here.
    """
    user = current_user()
    if user is not None:
        fresh = sessions.check(st.session_state.get(SESSION_KEY))
        if fresh is None:
            _forget_login(notice="login.session_ended")
            return None
        st.session_state[USER_KEY] = fresh
        return fresh
    resumed = sessions.resume(_cookie_token())
    if resumed is not None:
        principal, token_hash = resumed
        st.session_state[USER_KEY] = principal
        st.session_state[SESSION_KEY] = token_hash
        st.session_state.setdefault(METHOD_KEY, "password")
        return principal
    return None


def log_in(login: sessions.Login, method: str = "password") -> None:
    """A fresh login: remember it here, and let the page hand its token to the browser's cookie."""
    keep_lang = st.session_state.get(LANG_KEY)
    st.session_state.clear()
    if keep_lang:
        st.session_state[LANG_KEY] = keep_lang
    st.session_state[USER_KEY] = login.principal
    st.session_state[SESSION_KEY] = login.token_hash
    st.session_state[METHOD_KEY] = method
    st.session_state[TICKET_KEY] = sessions.issue_ticket(login)


def log_out() -> str | None:
    """End the session on the server at once, and forget it here. Returns the login method.

    `sessions.end` never waits for a busy database (it ends the session in this process at once and
    writes it when the database is free); should it still fail, the user is logged out here all
    the same and sees the login page, and the failure is logged."""
    method = st.session_state.get(METHOD_KEY)
    try:
        sessions.end(st.session_state.get(SESSION_KEY), current_user())
    except Exception:
        log.exception("logout: the session could not be ended on the server")
    _forget_login(notice="login.logged_out")
    return method


def _forget_login(notice: str | None = None) -> None:
    keep_lang = st.session_state.get(LANG_KEY)
    st.session_state.clear()
    if keep_lang:
        st.session_state[LANG_KEY] = keep_lang
    if notice:
        st.session_state[NOTICE_KEY] = notice
    st.session_state[FORGET_KEY] = True


def lang() -> str:
    """The chosen language; else the setting; else the browser's locale."""
    chosen = st.session_state.get(LANG_KEY)
    if chosen in i18n.LANGUAGES:
        return chosen
    default = config.get("default_language")
    if default in i18n.LANGUAGES:
        return default
    try:
        locale = st.context.locale
    except Exception:  # AppTest and old clients may not report one
        locale = None
    return i18n.language_from_locale(locale)


def t(key: str, **values: object) -> str:
    return i18n.t(key, lang(), **values)
