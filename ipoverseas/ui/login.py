"""The login page."""

from __future__ import annotations

import streamlit as st

from .. import auth, demo
from . import state


def render() -> None:
    st.title(state.t("login.title"))
    st.caption(state.t("login.subtitle"))
    with st.form("login_form", clear_on_submit=False):
        username = st.text_input(state.t("login.username"), key="login_username")
        password = st.text_input(state.t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(state.t("login.submit"), type="primary")
    if submitted:
        user = auth.authenticate(username, password)
        if user is None:
            st.error(state.t("login.failed"))
        else:
            state.log_in(user)
            st.rerun()
    if demo.is_loaded():
        with st.expander(state.t("login.demo_accounts")):
            st.dataframe(
                [{state.t("login.username"): a.username, state.t("login.password"): a.password,
                  state.t("login.role"): state.t(f"role.{a.role}")} for a in demo.ACCOUNTS],
                hide_index=True,
            )


def log_out() -> None:
    state.log_out()
    st.rerun()
