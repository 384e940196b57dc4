"""Administration of sub-centres: create, rename, deactivate (their records stay)."""

from __future__ import annotations

import streamlit as st

from ipoverseas.accounts import users
from ipoverseas.ui import actions, state
from ipoverseas.ui.history import render_history
from ipoverseas.ui.pages import PageSpec, guard

PAGE = PageSpec(key="admin-sub-centres", title_key="nav.admin_sub_centres", icon=":material/hub:",
                action="manage_users", order=210, section="nav.section.admin")
P = "admin_sub_centres_"


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("admin.sub_centres.title"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    rows = users.list_sub_centres(user)
    st.dataframe([{
        state.t("admin.sub_centres.code"): r["code"], state.t("admin.sub_centres.name_zh"): r["name_zh"],
        state.t("admin.sub_centres.name_en"): r["name_en"], state.t("admin.sub_centres.province"): r["province"] or "",
        state.t("admin.users.status"): state.t("admin.status.active" if r["active"] else "admin.sub_centres.inactive"),
        state.t("admin.sub_centres.users"): r["users"], state.t("admin.sub_centres.cases"): r["cases"],
    } for r in rows], hide_index=True, width="stretch", placeholder="—")

    by_id = {r["id"]: r for r in rows}
    chosen = st.selectbox(state.t("admin.sub_centres.pick"), list(by_id), index=None, key=P + "pick",
                          format_func=lambda i: f"{by_id[i]['code']} · {by_id[i]['name_zh']}",
                          placeholder=state.t("admin.sub_centres.pick_placeholder"))
    if chosen is not None:
        row = by_id[chosen]
        with st.form(P + "edit_form"):
            name_zh = st.text_input(state.t("admin.sub_centres.name_zh"), value=row["name_zh"], max_chars=200,
                                    key=P + f"zh_{chosen}")
            name_en = st.text_input(state.t("admin.sub_centres.name_en"), value=row["name_en"], max_chars=200,
                                    key=P + f"en_{chosen}")
            province = st.text_input(state.t("admin.sub_centres.province"), value=row["province"] or "",
                                     max_chars=8, key=P + f"prov_{chosen}")
            if st.form_submit_button(state.t("admin.save"), type="primary"):
                _do(lambda: users.rename_sub_centre(user, chosen, name_zh=name_zh, name_en=name_en,
                                                    province=province), "admin.sub_centres.saved")
        if row["active"]:
            st.caption(state.t("admin.sub_centres.deactivate_note"))
            if st.button(state.t("admin.sub_centres.deactivate"), key=P + f"off_{chosen}", icon=":material/block:"):
                _do(lambda: users.set_sub_centre_active(user, chosen, False), "admin.sub_centres.deactivated")
        elif st.button(state.t("admin.sub_centres.activate"), key=P + f"on_{chosen}"):
            _do(lambda: users.set_sub_centre_active(user, chosen, True), "admin.sub_centres.activated")
        render_history("sub_centre", chosen, user=user)

    st.subheader(state.t("admin.sub_centres.create"))
    with st.form(P + "create_form"):
        c1, c2 = st.columns(2)
        code = c1.text_input(state.t("admin.sub_centres.code"), max_chars=32, key=P + "new_code")
        province = c2.text_input(state.t("admin.sub_centres.province"), max_chars=8, key=P + "new_prov")
        name_zh = c1.text_input(state.t("admin.sub_centres.name_zh"), max_chars=200, key=P + "new_zh")
        name_en = c2.text_input(state.t("admin.sub_centres.name_en"), max_chars=200, key=P + "new_en")
        if st.form_submit_button(state.t("admin.sub_centres.create"), type="primary"):
            _do(lambda: users.create_sub_centre(user, code=code, name_zh=name_zh, name_en=name_en,
                                                province=province), "admin.sub_centres.created")


def _do(fn, message_key: str) -> None:
    if actions.attempt(fn, fields=("admin.sub_centres.",))[0]:
        st.session_state[P + "flash"] = state.t(message_key)
        st.rerun()
