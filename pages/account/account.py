"""My account: change my own password (forced after an admin reset), and my recent account activity."""

from __future__ import annotations

import streamlit as st

from ipoverseas.accounts import authentication, password_change
from ipoverseas.core import config
from ipoverseas.ui import actions, state
from ipoverseas.ui.history import render_history
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import t_md

PAGE = PageSpec(key="account", title_key="nav.account", icon=":material/manage_accounts:", action="keep_own_account",
                order=90, section="nav.section.main")


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("account.title"))
    st.caption(t_md("account.intro", name=user.display_name, role=state.t(f"role.{user.role}")))
    changed = st.session_state.pop("account_changed", None)
    if changed is not None:
        st.success(state.t("account.changed"))
        if changed:
            st.info(state.t("account.others_ended", count=changed))
        if st.button(state.t("account.continue"), key="account_continue", type="primary"):
            st.rerun()
    elif user.must_change_password:
        st.warning(state.t("account.must_change"), icon=":material/key:")

    st.subheader(state.t("account.change_password"))
    with st.form("account_password_form", clear_on_submit=True):
        current = st.text_input(state.t("account.current_password"), type="password", key="account_current",
                                max_chars=200, autocomplete="current-password")
        new = st.text_input(state.t("account.new_password"), type="password", key="account_new", max_chars=200,
                            autocomplete="new-password", help=state.t("account.password_rule"))
        again = st.text_input(state.t("account.new_password_again"), type="password", key="account_again",
                              max_chars=200, autocomplete="new-password")
        submitted = st.form_submit_button(state.t("account.submit"), type="primary")
    if submitted:
        if new != again:
            st.error(state.t("password.mismatch"))
        else:
            ok, ended = actions.attempt(lambda: password_change.change_own_password(
                user, current, new, keep_token_hash=st.session_state.get(state.SESSION_KEY)))
            if ok:
                fresh = authentication.get_principal(user.id)
                if fresh is not None:
                    st.session_state[state.USER_KEY] = fresh
                st.session_state["account_changed"] = ended
                st.rerun()

    st.subheader(state.t("account.sessions"))
    st.caption(state.t("account.session_rule", idle=config.get("session_idle_minutes"),
                       hours=config.get("session_max_hours")))
    render_history("user", user.id, user=user, limit=20)
