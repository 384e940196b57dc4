"""The assessment's charts, each with a table view as on the Analytics page: sections per
sub-centre (stacked bars), points per item across the network, totals over the years, totals by
province. Staff see their own sub-centre against the network's medians, never other names."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ipoverseas.assessment import scorecard as sc_mod
from ipoverseas.core import vocab
from ipoverseas.core.markdown import escape
from ipoverseas.ui import state
from ipoverseas.ui.state import t

TREND_YEARS = 5


def _chart_or_table(title: str, chart: alt.Chart, frame: pd.DataFrame, key: str) -> None:
    st.markdown(f"**{escape(title)}**")
    chart_tab, table_tab = st.tabs([t("assessment.view.chart"), t("assessment.view.table")])
    with chart_tab:
        st.altair_chart(chart, width="stretch", key=key)
    with table_tab:
        st.dataframe(frame, hide_index=True, width="stretch", placeholder="—")


def sections(card: sc_mod.Scorecard) -> None:
    lang = state.lang()
    centre, section, points = (t("assessment.col.sub_centre"), t("assessment.col.section"),
                               t("assessment.chart.points"))
    names = {s.code: s.name(lang) for s in card.rubric.sections}
    frame = pd.DataFrame([{centre: r.name(lang), section: names[code], points: v or 0.0, "order": n}
                          for r in card.rows for n, (code, v) in enumerate(r.sections.items())])
    if frame.empty:
        return
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{centre}:N", sort=[r.name(lang) for r in card.rows], title=None),
        x=alt.X(f"sum({points}):Q", title=points, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(f"{section}:N", sort=list(names.values()), title=section),
        order=alt.Order("order:Q"), tooltip=[centre, section, points])
    _chart_or_table(t("assessment.chart.sections"), chart, frame.drop(columns="order"), "assessment_chart_sections")


def distribution(card: sc_mod.Scorecard) -> None:
    lang = state.lang()
    item, centre, points, most = (t("assessment.col.item"), t("assessment.col.sub_centre"),
                                  t("assessment.chart.points"), t("assessment.col.max"))
    items = card.rubric.items
    frame = pd.DataFrame([{item: i.name(lang), centre: r.name(lang), points: r.items[i.code].points, most: i.points}
                          for r in card.rows for i in items if r.items[i.code].points is not None])
    if frame.empty:
        return
    chart = alt.Chart(frame).mark_boxplot(extent="min-max").encode(
        y=alt.Y(f"{item}:N", sort=[i.name(lang) for i in items], title=None), x=alt.X(f"{points}:Q", title=points))
    _chart_or_table(t("assessment.chart.distribution"), chart, frame, "assessment_chart_distribution")


def mine_vs_median(card: sc_mod.Scorecard, row: sc_mod.Row) -> None:
    lang = state.lang()
    item, most, points, series = (t("assessment.col.item"), t("assessment.col.max"),
                                  t("assessment.chart.points"), t("assessment.chart.series"))
    mine, median = row.name(lang), t("assessment.chart.median")
    frame = pd.DataFrame([{item: i.name(lang), most: i.points, mine: row.items[i.code].points,
                           median: card.medians.get(i.code)} for i in card.rubric.items])
    long = frame.melt(id_vars=[item, most], value_vars=[mine, median], var_name=series, value_name=points).dropna()
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y(f"{item}:N", sort=[i.name(lang) for i in card.rubric.items], title=None),
        yOffset=f"{series}:N", x=alt.X(f"{points}:Q", title=points),
        color=alt.Color(f"{series}:N", title=None), tooltip=[item, series, points, most])
    _chart_or_table(t("assessment.chart.mine_vs_median", name=mine), chart, frame, "assessment_chart_mine")


def trend(cards: list[sc_mod.Scorecard], only: int | None = None) -> None:
    """Totals per sub-centre over the years (staff: their own and the network's median)."""
    lang = state.lang()
    year, centre, total = (t("assessment.year"), t("assessment.col.sub_centre"),
                           t("assessment.col.total"))
    records = []
    for card in cards:
        records += [{year: str(card.year), centre: r.name(lang), total: r.total} for r in card.rows
                    if only is None or r.sub_centre_id == only]
        if only is not None and card.total_median is not None:
            records.append({year: str(card.year), centre: t("assessment.chart.median"), total: card.total_median})
    frame = pd.DataFrame(records)
    if frame.empty or frame[year].nunique() < 2:
        return
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{year}:O", title=year), y=alt.Y(f"{total}:Q", title=total),
        color=alt.Color(f"{centre}:N", title=None), tooltip=list(frame.columns))
    _chart_or_table(t("assessment.chart.trend"), chart, frame, "assessment_chart_trend")


def provinces(card: sc_mod.Scorecard) -> None:
    """Bars by province (the mean total of its sub-centres): no licensed province map ships."""
    lang = state.lang()
    province, total = t("assessment.col.province"), t("assessment.col.total")
    frame = pd.DataFrame([{province: vocab.PROVINCES.label(r.province, lang) if r.province else "—", total: r.total}
                          for r in card.rows])
    if frame.empty:
        return
    frame = frame.groupby(province, as_index=False)[total].mean().round(2).sort_values(total, ascending=False)
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{province}:N", sort="-x", title=None), x=alt.X(f"{total}:Q", title=total),
        tooltip=list(frame.columns))
    _chart_or_table(t("assessment.chart.provinces"), chart, frame, "assessment_chart_provinces")
    st.caption(t("assessment.chart.province_note"))
