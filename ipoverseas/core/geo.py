"""The world map: Natural Earth 1:110m countries (npm world-atlas 2.0.2, ISC) shipped in data/.

The TopoJSON is read from disk and passed to Vega-Lite inline, so the map draws with
no network access. Each country feature gets its ISO alpha-2 code (the file's ids
are ISO 3166 numeric) and its zh/en name; a DataFrame with a `country` column of
alpha-2 codes is joined to it by a lookup in the chart.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd

from ipoverseas.core import vocab
from ipoverseas.core.config import DATA_DIR

WORLD_FILE = DATA_DIR / "world-110m.json"
FEATURE = "countries"
SELECTION = "country_pick"

# Territories without an ISO numeric id in the file, keyed by their name there.
_NAMED = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


@lru_cache(maxsize=1)
def _raw_topology() -> dict[str, Any]:
    with WORLD_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=2)
def topology(lang: str = "zh") -> dict[str, Any]:
    """The TopoJSON with `iso2` and `name_local` on every country's properties."""
    topo = copy.deepcopy(_raw_topology())
    countries = vocab.countries()
    for geometry in topo["objects"][FEATURE]["geometries"]:
        props = geometry.setdefault("properties", {})
        iso2 = vocab.numeric_to_alpha2(geometry["id"]) if geometry.get("id") else None
        iso2 = iso2 or _NAMED.get(props.get("name", ""))
        props["iso2"] = iso2 or ""
        props["name_local"] = countries.label(iso2, lang) if iso2 else props.get("name", "")
    return topo


def map_codes() -> frozenset[str]:
    """The alpha-2 codes drawn on the map."""
    return frozenset(g["properties"]["iso2"] for g in topology("en")["objects"][FEATURE]["geometries"]
                     if g["properties"]["iso2"])


def world_map(df: pd.DataFrame, value_column: str, lang: str = "zh", *, title: str | None = None,
              value_title: str | None = None, tooltip_columns: dict[str, str] | None = None,
              selectable: bool = False, height: int = 380, scheme: str = "orangered") -> alt.Chart:
    """A choropleth of `df[value_column]` by `df['country']` (alpha-2 codes).

    Countries without a row are drawn in grey. `tooltip_columns` maps more columns of
    `df` to their titles. With `selectable`, a click selects a country: the point
    selection is named `country_pick` and carries the field `country`.
    """
    tooltip_columns = dict(tooltip_columns or {})
    extra = [c for c in tooltip_columns if c != value_column]
    fields = [value_column, *extra]
    frame = df.loc[:, ["country", *fields]].copy() if len(df) else pd.DataFrame(columns=["country", *fields])
    frame["country"] = frame["country"].astype(str)
    values = frame.to_dict(orient="records")
    for record in values:   # plain Python numbers for the JSON spec
        for key, value in record.items():
            if hasattr(value, "item"):
                record[key] = value.item()
    # The chart is built on an empty placeholder and gets the TopoJSON at the very end:
    # Altair deep-copies a chart at every chained call, and copying 100 kB of arcs each
    # time cost more than all the page's queries together.
    chart = (
        alt.Chart(alt.InlineData(values={}, format=alt.DataFormat(type="topojson", feature=FEATURE)))
        .transform_calculate(country="datum.properties.iso2", name="datum.properties.name_local")
        .transform_lookup(lookup="country", from_=alt.LookupData(alt.InlineData(values=values), key="country",
                                                                   fields=fields))
    )
    for name in fields:
        chart = chart.transform_calculate(**{name: f"isValid(datum['{name}']) ? datum['{name}'] : 0"})
    has_value = alt.datum[value_column] > 0
    color = alt.condition(
        has_value,
        alt.Color(f"{value_column}:Q", title=value_title or value_column,
                  scale=alt.Scale(scheme=scheme), legend=alt.Legend(orient="bottom-left")),
        alt.value("#e6e6e6"),
    )
    tooltip = [alt.Tooltip("name:N", title=" "), alt.Tooltip(f"{value_column}:Q", title=value_title or value_column)]
    tooltip += [alt.Tooltip(f"{c}:Q", title=tooltip_columns[c]) for c in extra]
    chart = chart.mark_geoshape(stroke="white", strokeWidth=0.4).encode(color=color, tooltip=tooltip)
    if selectable:
        pick = alt.selection_point(name=SELECTION, fields=["country"], on="click", clear="dblclick", empty=False)
        chart = chart.add_params(pick).encode(
            strokeWidth=alt.condition(pick, alt.value(1.6), alt.value(0.4)),
            stroke=alt.condition(pick, alt.value("#1f3b73"), alt.value("white")),
        )
    chart = chart.project(type="equalEarth").properties(height=height, width="container")
    if title:
        chart = chart.properties(title=title)
    data = alt.InlineData(values={}, format=alt.DataFormat(type="topojson", feature=FEATURE))
    data.values = topology(lang)   # set after construction: the constructor would validate every arc
    chart.data = data
    return chart


def selected_country(event: Any) -> str | None:
    """The alpha-2 code picked on a selectable map, from `st.altair_chart(on_select=...)`'s state."""
    try:
        points = event["selection"][SELECTION]
    except (KeyError, TypeError):
        try:
            points = event.selection[SELECTION]
        except (AttributeError, KeyError, TypeError):
            return None
    if isinstance(points, dict):
        points = points.get("country") and [points] or []
    for point in points or []:
        code = point.get("country") if isinstance(point, dict) else None
        if isinstance(code, list):
            code = code[0] if code else None
        if code:
            return str(code)
    return None
