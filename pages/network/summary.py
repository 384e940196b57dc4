"""工作总结 / Work summary: the year's work summary drafted as a Word document from the shared
database (`ipoverseas.assessment.summary`), downloaded at once; staff hand it in, or the finished
document they upload, as their annual-summary report in one step. Staff draft their own
sub-centre's; the admin any sub-centre's or the whole network's.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.assessment import summary
from ipoverseas.core import localtime
from ipoverseas.network import duties
from ipoverseas.ui import state
from ipoverseas.ui.actions import attempt
from ipoverseas.ui.links import record_link
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.uploader import file_input

PAGE = PageSpec(key="summary", title_key="nav.summary", icon=":material/description:",
                action="draft_summary", order=77, section="nav.section.network")
P = "summary_"
YEARS = 6


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("summary.title"))
    st.caption(state.t("summary.intro"))
    this_year = localtime.today().year
    year = st.selectbox(state.t("summary.year"), list(range(this_year, this_year - YEARS, -1)), key=P + "year")
    sc = _scope(user)
    lang = st.radio(state.t("summary.lang"), ["zh", "en"], format_func=lambda code: state.t(f"summary.lang.{code}"),
                    horizontal=True, index=0 if state.lang() == "zh" else 1, key=P + "lang")
    wanted = (year, sc, lang)
    if st.button(state.t("summary.generate"), type="primary", key=P + "generate"):
        with st.spinner(state.t("summary.generating")):
            ok, data = attempt(lambda: summary.draft(user, year, sub_centre_id=sc, lang=lang))
        if ok:
            st.session_state[P + "draft"] = (wanted, data)
    drafted = st.session_state.get(P + "draft")
    if drafted and drafted[0] == wanted:
        name = summary.download_name(year, _code(sc), lang)
        st.success(state.t("summary.ready", name=name))
        st.download_button(state.t("summary.download"), data=drafted[1], file_name=name, icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key=P + "download")
    if sc is not None and policy.may_open(user, "submit_duty"):
        _hand_in(user, year, sc, lang)
    elif sc is None:
        st.caption(state.t("summary.hand_in.network_only_staff"))


def _scope(user) -> int | None:
    """Staff: their own sub-centre. Admin: a sub-centre, or None for the whole network."""
    if not policy.sees_all(user, "draft_summary"):
        return user.sub_centre_id
    centres = {c["id"]: c["label"] for c in duties.sub_centres(state.lang())}
    return st.selectbox(state.t("summary.scope"), [None, *centres], key=P + "scope",
                        format_func=lambda i: state.t("summary.network") if i is None else centres[i])


def _code(sc: int | None) -> str | None:
    return next((c["code"] for c in duties.sub_centres() if c["id"] == sc), None) if sc is not None else None


def _hand_in(user, year: int, sc: int, lang: str) -> None:
    st.subheader(state.t("summary.hand_in.title"))
    st.caption(state.t("summary.hand_in.caption"))
    uploaded = file_input("summary.hand_in.file", ["docx", "pdf"], key=P + "file")
    if st.button(state.t("summary.hand_in.submit"), key=P + "hand_in"):
        with st.spinner(state.t("summary.generating")):
            ok, done = attempt(lambda: summary.hand_in(
                user, year, sc, file_name=uploaded.name if uploaded else None,
                file_content=uploaded.getvalue() if uploaded else None, lang=lang))
        if ok:
            st.session_state[P + "handed_in"] = (year, sc, done[0])
    handed = st.session_state.get(P + "handed_in")
    if handed and handed[:2] == (year, sc):
        st.success(state.t("summary.hand_in.done", year=year))
        record_link("reports", handed[2], state.t("summary.hand_in.open"), icon=":material/assignment_turned_in:")
