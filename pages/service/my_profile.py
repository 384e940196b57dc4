"""My profile (expert): keep one's own profile and availability (capacity, away periods)."""

from __future__ import annotations

import streamlit as st

from ipoverseas.experts import directory
from ipoverseas.ui import expert_form, state
from ipoverseas.ui.pages import PageSpec, guard

PAGE = PageSpec(key="my-profile", title_key="service.nav.my_profile", icon=":material/badge:",
                action="keep_own_profile", order=55, section="nav.section.service")

K = "my-profile_"


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("service.profile.title"))
    if user.expert_id is None:
        st.info(state.t("service.inbox.no_profile"))
        return
    profile = directory.profile(user, user.expert_id)
    if profile is None:
        st.warning(state.t("errors.not_found"))
        return
    st.caption(state.t("service.profile.intro"))
    c1, c2, c3 = st.columns(3)
    c1.metric(state.t("service.experts.answered"), profile["answered"], border=True)
    c2.metric(state.t("service.experts.median"), "—" if profile["median_response_days"] is None
              else f"{profile['median_response_days']:.1f}", border=True)
    c3.metric(state.t("service.experts.load"), f"{profile['open_load']} / {profile['capacity_per_month']}",
              border=True)
    expert_form.edit_form(user, profile, key=K + "edit")
