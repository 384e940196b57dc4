"""An expert's profile and availability, as a form: shared by the directory (staff, admin) and the
expert's own "My profile" page. The service decides which fields the user may change."""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core import vocab
from ipoverseas.core.markdown import escape
from ipoverseas.experts import directory
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import run

def edit_form(user: policy.Principal, p: dict, key: str) -> None:
    """The profile editor of the experts directory and of the expert's own "My profile" page."""
    staff = not policy.can(user, "keep_own_profile", p)  # a curator, not the expert themself
    lang = state.lang()
    with st.expander(state.t("service.experts.edit"), expanded=not staff):
        with st.form(key + "_form"):
            values: dict = {}
            if staff:
                values["name"] = st.text_input(state.t("service.experts.name"), value=p["name"], key=key + "_name")
            values["title"] = st.text_input(state.t("service.experts.job_title"), value=p["title"], key=key + "_title")
            values["organisation"] = st.text_input(state.t("service.experts.organisation"), value=p["organisation"],
                                                   key=key + "_org")
            values["bio"] = st.text_area(state.t("service.experts.bio"), value=p["bio"], key=key + "_bio")
            c1, c2, c3 = st.columns(3)
            values["email"] = c1.text_input(state.t("service.experts.email"), value=p.get("email") or "",
                                            key=key + "_email")
            values["phone"] = c2.text_input(state.t("service.experts.phone"), value=p.get("phone") or "",
                                            key=key + "_phone")
            values["capacity_per_month"] = c3.number_input(state.t("service.experts.capacity"), 0, 100,
                                                           value=int(p["capacity_per_month"]), key=key + "_cap")
            for name, vocabulary in (("countries", vocab.countries()), ("ip_types", vocab.IP_TYPES),
                                     ("industries", vocab.INDUSTRIES), ("languages", vocab.LANGUAGES)):
                values[name] = st.multiselect(state.t(f"service.experts.{name}"), list(vocabulary.codes),
                                              default=p[name], key=f"{key}_{name}",
                                              format_func=lambda c, v=vocabulary: v.label(c, lang),
                                              placeholder=state.t("service.ask.choose"))
            if staff:
                values["active"] = st.checkbox(state.t("service.experts.active"), value=p["active"], key=key + "_active")
            if st.form_submit_button(state.t("service.experts.save"), type="primary"):
                run(lambda: directory.update_profile(user, p["id"], values), done="service.experts.saved",
                    fields=view.FIELDS)
    with st.expander(state.t("service.experts.away_periods"), expanded=not staff):
        for a in p["away"]:
            c1, c2 = st.columns([4, 1])
            c1.markdown(f"{a['starts_on']} – {a['ends_on']} {escape(a['note'])}")
            if c2.button(state.t("service.experts.remove"), key=f"{key}_rm_{a['id']}"):
                run(lambda a=a: directory.remove_away(user, a["id"]), done="service.experts.saved", fields=view.FIELDS)
        with st.form(key + "_away_form", clear_on_submit=True):
            c1, c2 = st.columns(2)
            starts = c1.date_input(state.t("service.experts.away_from"), value=None, key=key + "_away_from")
            ends = c2.date_input(state.t("service.experts.away_to"), value=None, key=key + "_away_to")
            note = st.text_input(state.t("service.experts.away_note"), key=key + "_away_note", max_chars=300)
            if st.form_submit_button(state.t("service.experts.away_add")):
                run(lambda: directory.add_away(user, p["id"], starts, ends, note), done="service.experts.saved",
                    fields=view.FIELDS)
