"""The assessment's charts, each with a table view as on the Analytics page: sections per
sub-centre (stacked bars), points per item across the network, totals over the years, totals by
province. Staff see their own sub-centre against the network's medians, never other names."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ipoverseas.assessment import scorecard as sc_mod
from ipoverseas.core import vocab
from ipoverseas.ui import state

TREND_YEARS = 5


def t(key: str, **values) -> str:
    return state.t(f"assessment.{key}", **values)


def _chart_or_table(title: str, chart: alt.Chart, frame: pd.DataFrame, key: str) -> None:
    st.markdown(f"**{title}**")
    chart_tab, table_tab = st.tabs([t("view.chart"), t("view.table")])
    with chart_tab:
        st.altair_chart(chart, width="stretch", key=key)
    with table_tab:
        st.dataframe(frame, hide_index=True, width="stretch")


def sections(card: sc_mod.Scorecard) -> None:
    lang = state.lang()
    names = {s.code: s.name(lang) for s in card.rubric.sections}
    frame = pd.DataFrame([{t("col.sub_centre"): r.name(lang), t("col.section"): names[code], t("chart.points"): v or 0.0,
                           "order": n} for r in card.rows for n, (code, v) in enumerate(r.sections.items())])
    if frame.empty:
        return
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{t('col.sub_centre')}:N", sort=[r.name(lang) for r in card.rows], title=None),
        x=alt.X(f"sum({t('chart.points')}):Q", title=t("chart.points"), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(f"{t('col.section')}:N", sort=list(names.values()), title=t("col.section")),
        order=alt.Order("order:Q"),
        tooltip=[t("col.sub_centre"), t("col.section"), t("chart.points")])
    _chart_or_table(t("chart.sections"), chart, frame.drop(columns="order"), "assessment_chart_sections")


def distribution(card: sc_mod.Scorecard) -> None:
    lang = state.lang()
    items = [i for i in card.rubric.items]
    frame = pd.DataFrame([{t("col.item"): i.name(lang), t("col.sub_centre"): r.name(lang),
                           t("chart.points"): r.items[i.code].points, t("col.max"): i.points}
                          for r in card.rows for i in items if r.items[i.code].points is not None])
    if frame.empty:
        return
    chart = alt.Chart(frame).mark_boxplot(extent="min-max").encode(
        y=alt.Y(f"{t('col.item')}:N", sort=[i.name(lang) for i in items], title=None),
        x=alt.X(f"{t('chart.points')}:Q", title=t("chart.points")))
    _chart_or_table(t("chart.distribution"), chart, frame, "assessment_chart_distribution")


def mine_vs_median(card: sc_mod.Scorecard, row: sc_mod.Row) -> None:
    lang = state.lang()
    frame = pd.DataFrame([{t("col.item"): i.name(lang), t("col.max"): i.points,
                           t("chart.mine"): row.items[i.code].points, t("chart.median"): card.medians.get(i.code)}
                          for i in card.rubric.items])
    series = t("chart.series")
    long = frame.melt(id_vars=[t("col.item"), t("col.max")], value_vars=[t("chart.mine"), t("chart.median")],
                      var_name=series, value_name=t("chart.points")).dropna()
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y(f"{t('col.item')}:N", sort=[i.name(lang) for i in card.rubric.items], title=None),
        yOffset=f"{series}:N", x=alt.X(f"{t('chart.points')}:Q", title=t("chart.points")),
        color=alt.Color(f"{series}:N", title=None), tooltip=[t("col.item"), series, t("chart.points"), t("col.max")])
    _chart_or_table(t("chart.mine_vs_median"), chart, frame, "assessment_chart_mine")


def trend(cards: list[sc_mod.Scorecard], only: int | None = None) -> None:
    """Totals per sub-centre over the years (staff: their own and the network's median)."""
    lang = state.lang()
    records = []
    for card in cards:
        for r in card.rows:
            if only is None or r.sub_centre_id == only:
                records.append({t("year"): str(card.year), t("col.sub_centre"): r.name(lang), t("col.total"): r.total})
        if only is not None and card.total_median is not None:
            records.append({t("year"): str(card.year), t("col.sub_centre"): t("chart.median"),
                            t("col.total"): card.total_median})
    frame = pd.DataFrame(records)
    if frame.empty or frame[t("year")].nunique() < 2:
        return
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{t('year')}:O", title=t("year")), y=alt.Y(f"{t('col.total')}:Q", title=t("col.total")),
        color=alt.Color(f"{t('col.sub_centre')}:N", title=None), tooltip=list(frame.columns))
    _chart_or_table(t("chart.trend"), chart, frame, "assessment_chart_trend")


def provinces(card: sc_mod.Scorecard) -> None:
    """Bars by province (the mean total of its sub-centres): no licensed province map ships."""
    lang = state.lang()
    frame = pd.DataFrame([{t("col.province"): vocab.PROVINCES.label(r.province, lang) if r.province else t("none"),
                           t("col.total"): r.total} for r in card.rows])
    if frame.empty:
        return
    frame = frame.groupby(t("col.province"), as_index=False)[t("col.total")].mean().round(2)
    frame = frame.sort_values(t("col.total"), ascending=False)
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{t('col.province')}:N", sort="-x", title=None), x=alt.X(f"{t('col.total')}:Q", title=t("col.total")),
        tooltip=list(frame.columns))
    _chart_or_table(t("chart.provinces"), chart, frame, "assessment_chart_provinces")
    st.caption(t("chart.province_note"))
