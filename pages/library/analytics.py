"""Analytics: charts of the filtered cases (staff: their region; admin: the whole country).

The filter is the case library's `CaseFilter`, kept in the URL with the same parameters
(`?country=US&dispute=ecommerce&year=2024`), so a library view and its analytics share
links. Every chart has a table view; the chart menu (…) saves it as PNG or SVG.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.cases import analytics
from ipoverseas.ui import charts
from ipoverseas.core import geo, vocab
from ipoverseas.cases.library import FACETS, CaseFilter
from ipoverseas.ui import state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import metrics

PAGE = PageSpec(key="analytics", title_key="analytics.title", icon=":material/insights:", action="read_analytics",
                order=40, section="nav.section.knowledge")

_kpis = cached(analytics.kpis)
_by_country = cached(analytics.by_country)
_trend = cached(analytics.trend)
_heat = cached(analytics.country_dispute)
_outcomes = cached(analytics.outcomes)
_resolution = cached(analytics.resolution_by_forum)
_amounts = cached(analytics.amounts)
_defendants = cached(analytics.defendants_by_province)

FILTERS = {"country": None, "dispute_type": vocab.DISPUTE_TYPES, "ip_type": vocab.IP_TYPES,
           "industry": vocab.INDUSTRIES, "forum": vocab.FORUMS, "outcome": vocab.OUTCOMES}
SYNC_KEY = "analytics_synced_params"


def render() -> None:
    user = guard(PAGE)
    lang = state.lang()
    st.title(state.t("analytics.title"))
    st.caption(state.t(f"analytics.scope.{user.role}"))
    f = _filters(lang)

    k = _kpis(user, f)
    metrics([
        (state.t("analytics.kpi.cases"), f"{k['cases']:,}"),
        (state.t("analytics.kpi.countries"), k["countries"]),
        (state.t("analytics.kpi.closed_share"), f"{k['closed_share']:.0%}"),
        (state.t("analytics.kpi.mean_days"), "–" if k["mean_days"] is None else f"{k['mean_days']:.0f}"),
        (state.t("analytics.kpi.amount"), _sum_text(k["amount"], lang)),
        (state.t("analytics.kpi.distinguished"), k["distinguished"]),
    ], columns=6)
    if not k["cases"]:
        st.info(state.t("analytics.empty"))
        return
    st.caption(state.t("analytics.download_hint"))

    countries = vocab.countries().options(lang)
    types = vocab.DISPUTE_TYPES.options(lang)
    titles = {key: state.t(f"analytics.axis.{key}") for key in (
        "cases", "country", "year", "dispute_type", "outcome", "share", "forum", "days", "median", "band",
        "amount", "province", "defendants", "suits", "mean")}

    st.subheader(state.t("analytics.chart.country"))
    df = _by_country(user, f)
    views = [state.t("analytics.view.map"), state.t("analytics.view.bars"), state.t("analytics.view.table")]
    map_tab, bars_tab, table_tab = st.tabs(views)
    with map_tab:
        st.altair_chart(geo.world_map(df, "cases", lang, value_title=titles["cases"]), width="stretch")
    with bars_tab:
        st.altair_chart(charts.country_bars(df, countries, titles), width="stretch")
    with table_tab:
        _table(df.assign(country=df["country"].map(lambda c: countries.get(c, c))))

    _block("trend", _trend(user, f), lambda d: charts.trend(d, types, titles),
           lambda d: d.assign(dispute_type=d["dispute_type"].map(lambda c: types.get(c, c))))
    heat_rows = {**countries, analytics.OTHER: state.t("analytics.other_countries")}   # top countries + the rest
    _block("heatmap", _heat(user, f), lambda d: charts.heatmap(d, heat_rows, types, titles, other=analytics.OTHER),
           lambda d: d.pivot_table(index="country", columns="dispute_type", values="cases", fill_value=0)
           .rename(index=lambda c: heat_rows.get(c, c), columns=lambda c: types.get(c, c)))
    outcomes = vocab.OUTCOMES.options(lang)
    _block("outcomes", _outcomes(user, f), lambda d: charts.outcomes(d, types, outcomes, titles),
           lambda d: d.assign(dispute_type=d["dispute_type"].map(lambda c: types.get(c, c)),
                              outcome=d["outcome"].map(lambda c: outcomes.get(c, c))))
    forums = vocab.FORUMS.options(lang)
    _block("resolution", _resolution(user, f), lambda d: charts.resolution_box(d, forums, titles),
           lambda d: d.assign(forum=d["forum"].map(lambda c: forums.get(c, c))))
    _block("amounts", _amounts(user, f), lambda d: charts.amounts(d, types, titles),
           lambda d: d.drop(columns=["order"]).assign(dispute_type=d["dispute_type"].map(lambda c: types.get(c, c))))
    provinces = vocab.PROVINCES.options(lang)
    _block("defendants", _defendants(user, f), lambda d: charts.defendants(d, provinces, titles),
           lambda d: d.assign(province=d["province"].map(lambda c: provinces.get(c, c))))


def _block(name: str, df, chart, table) -> None:
    st.subheader(state.t(f"analytics.chart.{name}"))
    if df.empty:
        st.caption(state.t("common.none"))
        return
    chart_tab, table_tab = st.tabs([state.t("analytics.view.chart"), state.t("analytics.view.table")])
    with chart_tab:
        st.altair_chart(chart(df), width="stretch")
    with table_tab:
        _table(table(df))


def _table(df) -> None:
    st.dataframe(df, width="stretch", hide_index=df.index.name is None, placeholder="—")


def _sum_text(usd: float, lang: str) -> str:
    """Large sums as their readers count them: in 万 and 亿 in Chinese, in millions in English."""
    if lang != "zh":
        return state.t("analytics.kpi.amount_millions", amount=f"{usd / 1e6:,.1f}")
    if usd >= 1e8:
        return state.t("analytics.kpi.amount_yi", amount=f"{usd / 1e8:,.2f}")
    return state.t("analytics.kpi.amount_wan", amount=f"{usd / 1e4:,.0f}")


def _filters(lang: str) -> CaseFilter:
    params = st.query_params.to_dict()
    if st.session_state.get(SYNC_KEY) != params:
        f = CaseFilter.from_query_params(params)
        for facet in FILTERS:
            st.session_state[f"analytics_f_{facet}"] = list(getattr(f, FACETS[facet][0]))
        st.session_state["analytics_years"] = list(f.years)
        st.session_state["analytics_q"] = f.text
        st.session_state[SYNC_KEY] = params
    with st.expander(state.t("analytics.filters"), icon=":material/filter_list:"):
        cols = st.columns(4)
        for i, (facet, vocabulary) in enumerate(FILTERS.items()):
            options = vocab.countries().options(lang) if vocabulary is None else vocabulary.options(lang)
            with cols[i % 4]:
                st.multiselect(state.t(f"cases.facet.{facet}"), list(options), key=f"analytics_f_{facet}",
                               format_func=lambda c, o=options: o.get(c, c), placeholder=state.t("cases.any"))
        with cols[len(FILTERS) % 4]:
            st.multiselect(state.t("cases.facet.year"), list(range(2026, 2004, -1)), key="analytics_years",
                           placeholder=state.t("cases.any"))
        with cols[(len(FILTERS) + 1) % 4]:
            st.text_input(state.t("cases.search"), key="analytics_q")
    values = {FACETS[facet][0]: tuple(st.session_state.get(f"analytics_f_{facet}") or ()) for facet in FILTERS}
    f = CaseFilter(years=tuple(st.session_state.get("analytics_years") or ()),
                   text=(st.session_state.get("analytics_q") or "").strip()[:200], **values)
    wanted = f.to_query_params()
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[SYNC_KEY] = wanted
    return f
