"""The world map: shipped TopoJSON, ISO codes, an inline (offline) Vega-Lite spec."""

import json

import pandas as pd

from ipoverseas.core import geo


def _values(spec: dict, data: dict) -> list:
    """Inline values, wherever Altair put them (inline, or consolidated under `datasets`)."""
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def test_map_data_and_licence_are_shipped():
    assert geo.WORLD_FILE.exists()
    licence = (geo.WORLD_FILE.parent / "world-atlas-LICENSE").read_text(encoding="utf-8")
    assert "ISC" in licence or "Permission to use, copy, modify" in licence
    topo = geo.topology("en")
    assert topo["type"] == "Topology" and geo.FEATURE in topo["objects"]


def test_every_country_gets_an_alpha2_code_and_local_names():
    codes = geo.map_codes()
    assert {"US", "CN", "DE", "BR", "ZA", "AU", "IN", "RU", "JP", "FR"} <= codes
    assert len(codes) > 170
    zh = {g["properties"]["iso2"]: g["properties"]["name_local"] for g in geo.topology("zh")["objects"]["countries"]["geometries"]}
    en = {g["properties"]["iso2"]: g["properties"]["name_local"] for g in geo.topology("en")["objects"]["countries"]["geometries"]}
    assert zh["US"] == "美国" and en["US"] == "United States"
    assert zh["DE"] == "德国"


def test_world_map_spec_is_inline_and_joins_values():
    df = pd.DataFrame({"country": ["US", "DE"], "total": [5, 2], "guides": [3, 1]})
    spec = geo.world_map(df, "total", "en", tooltip_columns={"guides": "Guides"}, selectable=True).to_dict()
    text = json.dumps(spec)
    assert '"url"' not in text                    # nothing fetched at run time
    assert spec["data"]["format"] == {"type": "topojson", "feature": "countries"}
    lookup = next(t for t in spec["transform"] if "lookup" in t)
    assert lookup["lookup"] == "country" and set(lookup["from"]["fields"]) == {"total", "guides"}
    values = _values(spec, lookup["from"]["data"])
    assert {"country": "US", "total": 5, "guides": 3} in values
    assert spec["params"][0]["name"] == geo.SELECTION
    assert spec["params"][0]["select"]["fields"] == ["country"]


def test_world_map_with_no_rows_still_draws():
    spec = geo.world_map(pd.DataFrame(columns=["country", "total"]), "total", "zh").to_dict()
    lookup = next(t for t in spec["transform"] if "lookup" in t)
    assert _values(spec, lookup["from"]["data"]) == []


def test_selected_country_reads_the_event_state():
    assert geo.selected_country({"selection": {geo.SELECTION: [{"country": "FR"}]}}) == "FR"
    assert geo.selected_country({"selection": {geo.SELECTION: []}}) is None
    assert geo.selected_country({"selection": {}}) is None
    assert geo.selected_country(None) is None
