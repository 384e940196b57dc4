"""The login page, the logout, and the hand-over of a new session's token to the browser's cookie."""

from __future__ import annotations

import logging

import streamlit as st

from ipoverseas import demo
from ipoverseas.accounts import sessions, routes
from . import scripts, state
from .widgets import t_md

log = logging.getLogger(__name__)


def sso_configured() -> bool:
    """An OIDC provider is configured in secrets.toml's [auth] table."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all
        return False
    return bool(section) and bool(section.get("client_id") or any(isinstance(v, dict) for v in section.values()))


def _user_agent() -> str | None:
    try:
        return st.context.headers.get("User-Agent")
    except Exception:
        return None


def render() -> None:
    st.title(state.t("app.name"))          # the system's name first: the page a newcomer sees
    st.caption(state.t("login.subtitle"))
    st.subheader(state.t("login.title"))
    notice = st.session_state.pop(state.NOTICE_KEY, None)
    if notice:
        st.info(state.t(notice))
    if st.session_state.pop(state.FORGET_KEY, False):
        _browser_call(routes.FORGET_PATH, "")
    if sso_configured() and _try_sso():
        return
    with st.form("login_form", clear_on_submit=False):
        username = st.text_input(state.t("login.username"), key="login_username", max_chars=80,
                                 autocomplete="username")
        password = st.text_input(state.t("login.password"), type="password", key="login_password", max_chars=200,
                                 autocomplete="current-password")
        submitted = st.form_submit_button(state.t("login.submit"), type="primary")
    if submitted:
        login = sessions.login(username, password, user_agent=_user_agent())
        if login is None:
            st.error(state.t("login.failed"))
        else:
            state.log_in(login, "password")
            st.rerun()
    if sso_configured():
        if st.button(state.t("login.sso"), key="login_sso", icon=":material/badge:"):
            st.login()
    if demo.is_loaded():
        with st.expander(state.t("login.demo_accounts")):
            st.dataframe(
                [{state.t("login.username"): a.username, state.t("login.password"): a.password,
                  state.t("login.role"): state.t(f"role.{a.role}")} for a in demo.ACCOUNTS],
                hide_index=True, placeholder="—"
            )


def _try_sso() -> bool:
    """After st.login: map the provider's verified e-mail to a local account and open a session."""
    try:
        logged_in = bool(st.user.is_logged_in)
    except Exception:
        return False
    if not logged_in:
        return False
    login = sessions.login_oidc(st.user.to_dict(), user_agent=_user_agent())
    if isinstance(login, str):  # refused: the i18n key says why
        st.error(t_md(login, email=st.user.get("email") or "?"))
        if st.button(state.t("login.sso_other"), key="login_sso_logout"):
            st.logout()
        return True
    state.log_in(login, "sso")
    st.rerun()
    return True


def hand_over_token() -> None:
    """After a login, let the browser fetch its HttpOnly cookie with the one-time ticket."""
    ticket = st.session_state.pop(state.TICKET_KEY, None)
    if ticket:
        _browser_call(routes.CLAIM_PATH, ticket)


def _browser_call(path: str, body: str) -> None:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    scripts.show("browser-call.js", path=("/" + base if base else "") + path, body=body)


def log_out() -> None:
    method = state.log_out()
    if method == "sso":
        st.logout()
    st.rerun()
