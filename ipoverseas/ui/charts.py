"""Altair chart builders: a small DataFrame in, a chart out. No Streamlit here.

Labels come in already translated (`titles`), so the builders do not know the UI
language. The data are inlined in the chart spec; nothing is fetched at render time,
so the charts work offline with the Vega bundled in Streamlit.
"""

from __future__ import annotations

import altair as alt
import pandas as pd


def _label_map(frame: pd.DataFrame, column: str, labels: dict | None) -> pd.DataFrame:
    if labels is None or frame.empty:
        return frame
    frame = frame.copy()
    frame[column + "_label"] = frame[column].map(lambda v: labels.get(v, v))
    return frame


def country_bars(df: pd.DataFrame, labels: dict, titles: dict, top: int = 20) -> alt.Chart:
    data = _label_map(df.head(top), "country", labels)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("cases:Q", title=titles["cases"]),
        y=alt.Y("country_label:N", sort="-x", title=titles["country"]),
        tooltip=[alt.Tooltip("country_label:N", title=titles["country"]), alt.Tooltip("cases:Q", title=titles["cases"])],
    ).properties(height=max(160, 22 * len(data)))


def trend(df: pd.DataFrame, labels: dict, titles: dict) -> alt.Chart:
    data = _label_map(df, "dispute_type", labels)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("year:O", title=titles["year"]),
        y=alt.Y("sum(cases):Q", title=titles["cases"]),
        color=alt.Color("dispute_type_label:N", title=titles["dispute_type"]),
        tooltip=[alt.Tooltip("year:O", title=titles["year"]),
                 alt.Tooltip("dispute_type_label:N", title=titles["dispute_type"]),
                 alt.Tooltip("cases:Q", title=titles["cases"])],
    ).properties(height=320)


HEATMAP_ROW = 26   # px per country: room for every label (Vega would drop overlapping ones)
HEATMAP_AXES = 160  # px below the rows for the slanted dispute-type labels (the height is the whole chart's)


def heatmap(df: pd.DataFrame, country_labels: dict, type_labels: dict, titles: dict, other: str = "_other") -> alt.Chart:
    """Countries (rows, most cases first, the `other` row last) by dispute type; every country
    label is drawn: the chart grows with the rows and labels are never thinned out."""
    data = _label_map(_label_map(df, "country", country_labels), "dispute_type", type_labels)
    order = []
    if len(data):
        totals = data.groupby("country")["cases"].sum()
        codes = sorted((c for c in totals.index if c != other), key=lambda c: (-totals[c], c))
        codes += [other] if other in totals.index else []
        order = [country_labels.get(c, c) for c in codes]
    base = alt.Chart(data).encode(
        x=alt.X("dispute_type_label:N", title=titles["dispute_type"], axis=alt.Axis(labelAngle=-40, labelLimit=180, labelOverlap=False)),
        y=alt.Y("country_label:N", title=titles["country"], sort=order,
                axis=alt.Axis(labelOverlap=False, labelLimit=220)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("cases:Q", title=titles["cases"], scale=alt.Scale(scheme="orangered")),
        tooltip=[alt.Tooltip("country_label:N", title=titles["country"]),
                 alt.Tooltip("dispute_type_label:N", title=titles["dispute_type"]),
                 alt.Tooltip("cases:Q", title=titles["cases"])],
    )
    text = base.mark_text(fontSize=10).encode(text="cases:Q")
    return (cells + text).properties(height=max(200, HEATMAP_ROW * len(order) + HEATMAP_AXES))


def outcomes(df: pd.DataFrame, type_labels: dict, outcome_labels: dict, titles: dict) -> alt.Chart:
    data = _label_map(_label_map(df, "dispute_type", type_labels), "outcome", outcome_labels)
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("dispute_type_label:N", title=titles["dispute_type"]),
        x=alt.X("sum(cases):Q", stack="normalize", title=titles["share"], axis=alt.Axis(format="%")),
        color=alt.Color("outcome_label:N", title=titles["outcome"]),
        tooltip=[alt.Tooltip("dispute_type_label:N", title=titles["dispute_type"]),
                 alt.Tooltip("outcome_label:N", title=titles["outcome"]),
                 alt.Tooltip("cases:Q", title=titles["cases"])],
    ).properties(height=max(160, 30 * data["dispute_type"].nunique() if len(data) else 160))


def resolution_box(df: pd.DataFrame, labels: dict, titles: dict) -> alt.Chart:
    """A box plot from precomputed quartiles (min, q1, median, q3, max per forum)."""
    data = _label_map(df, "forum", labels)
    y = alt.Y("forum_label:N", title=titles["forum"])
    tooltip = [alt.Tooltip("forum_label:N", title=titles["forum"]), alt.Tooltip("n:Q", title=titles["cases"]),
               alt.Tooltip("q1:Q", title="Q1"), alt.Tooltip("median:Q", title=titles["median"]),
               alt.Tooltip("q3:Q", title="Q3")]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    whisker = base.mark_rule().encode(x=alt.X("min:Q", title=titles["days"]), x2="max:Q")
    box = base.mark_bar(size=14).encode(x="q1:Q", x2="q3:Q", color=alt.value("#4c78a8"))
    median = base.mark_tick(color="white", size=14, thickness=2).encode(x="median:Q")
    return (whisker + box + median).properties(height=max(160, 34 * len(data)))


def amounts(df: pd.DataFrame, type_labels: dict, titles: dict) -> alt.Chart:
    data = _label_map(df, "dispute_type", type_labels)
    order = [band for band in dict.fromkeys(df.sort_values("order")["band"])] if len(df) else []
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("band:N", sort=order, title=titles["band"]),
        y=alt.Y("sum(cases):Q", title=titles["cases"]),
        color=alt.Color("dispute_type_label:N", title=titles["dispute_type"]),
        tooltip=[alt.Tooltip("band:N", title=titles["band"]),
                 alt.Tooltip("dispute_type_label:N", title=titles["dispute_type"]),
                 alt.Tooltip("cases:Q", title=titles["cases"]),
                 alt.Tooltip("amount_usd:Q", title=titles["amount"], format=",.0f")],
    ).properties(height=300)


def defendants(df: pd.DataFrame, labels: dict, titles: dict) -> alt.Chart:
    data = _label_map(df, "province", labels)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("defendants:Q", title=titles["defendants"]),
        y=alt.Y("province_label:N", sort="-x", title=titles["province"]),
        tooltip=[alt.Tooltip("province_label:N", title=titles["province"]),
                 alt.Tooltip("suits:Q", title=titles["suits"]),
                 alt.Tooltip("defendants:Q", title=titles["defendants"]),
                 alt.Tooltip("mean:Q", title=titles["mean"])],
    ).properties(height=max(160, 24 * len(data)))
