"""年度考核 / Annual assessment: the year's scorecard of the sub-centres on the rubric, computed from
the shared database, with the evidence behind every point; the admin overrides an item with a
reason, freezes the year, keeps the rubric. Staff see their own sub-centre and the network's
medians. The place lives in the URL: ?year=2026&sc=ID&item=CODE.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.assessment import scorecard as sc_mod
from ipoverseas.core import errors, localtime
from ipoverseas.core.markdown import escape
from ipoverseas.ui import actions, assessment_charts as charts, assessment_view as view, rubric_editor, state
from ipoverseas.ui.state import t
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import page_link
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import parse_id

PAGE = PageSpec(key="assessment", title_key="nav.assessment", icon=":material/leaderboard:",
                action="read_assessment", order=76, section="nav.section.network")
P = "assessment_"
_compute = cached(sc_mod.compute)


def render() -> None:
    user = guard(PAGE)
    # A link to this same page (the way back from an item's evidence) runs it with the link's params
    # but leaves the browser's address as it was: send them back (as the case library does).
    st.query_params.from_dict(st.query_params.to_dict())
    st.title(t("assessment.title"))
    year = _year()
    try:
        card = _compute(user, year)
    except errors.Refusal as refusal:
        actions.show_refusal(refusal)
        return
    sc = parse_id(st.query_params.get("sc"))
    if sc is None and not policy.sees_all(user, "read_assessment"):
        sc = user.sub_centre_id          # staff: their own scorecard
    if sc is not None:
        _sub_centre(user, card, sc)
        return
    st.caption(t("assessment.intro"))
    view.status_line(card)
    if not card.rows:
        st.info(t("assessment.empty", year=year))
    scorecard_tab, charts_tab, rubric_tab = st.tabs([t("assessment.tab.scorecard"), t("assessment.tab.charts"),
                                                     t("assessment.tab.rubric")])
    with scorecard_tab:
        if card.rows:
            view.network_table(user, card)
        view.freeze_controls(user, card)
        render_history("assessment_year", year, user=user)
    with charts_tab:
        if card.rows:
            charts.sections(card)
            charts.distribution(card)
            charts.trend(_trend(user, year))
            charts.provinces(card)
    with rubric_tab:
        rubric_editor.render(user, card.rubric)


def _year() -> int:
    this_year = localtime.today().year
    years = list(range(this_year, this_year - 10, -1))
    wanted = parse_id(st.query_params.get("year"))
    year = st.selectbox(t("assessment.year"), years, index=years.index(wanted) if wanted in years else 0,
                        key=P + "year")
    st.query_params["year"] = str(year)
    return year


def _trend(user, year: int) -> list[sc_mod.Scorecard]:
    return [_compute(user, y, with_previous=False) for y in range(year - charts.TREND_YEARS + 1, year + 1)
            if y >= sc_mod.MIN_YEAR]


def _sub_centre(user, card: sc_mod.Scorecard, sc: int) -> None:
    row = card.row(sc)
    if policy.sees_all(user, "read_assessment"):
        page_link("assessment", t("assessment.back_to_list"), icon=":material/arrow_back:", year=str(card.year))
    if row is None:   # not assessed that year, or not this user's to see
        st.warning(t("errors.not_found") if policy.can(user, "read_assessment", {"sub_centre_id": sc})
                   else t("errors.not_allowed"))
        return
    item = st.query_params.get("item")
    if item:
        view.evidence_view(user, card, row, item)
        return
    st.subheader(t("assessment.detail_title", name=escape(row.name(state.lang())), year=card.year))
    view.status_line(card)
    if not policy.sees_all(user, "read_assessment"):
        st.caption(t("assessment.network_median_caption", n=card.network_size))
    view.sub_centre_detail(user, card, row)
    charts.mine_vs_median(card, row)
    charts.trend(_trend(user, card.year), only=row.sub_centre_id)
    if not policy.sees_all(user, "read_assessment"):     # staff: how each item is measured
        with st.expander(t("assessment.tab.rubric"), icon=":material/rule:"):
            rubric_editor.render(user, card.rubric)
