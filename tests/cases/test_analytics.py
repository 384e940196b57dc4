"""Analytics aggregations in SQL: checked against Python over the same rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from ipoverseas.core import errors
from ipoverseas.cases import analytics
from ipoverseas.ui import charts
from ipoverseas.core import db
from ipoverseas.cases.library import CaseFilter
from ipoverseas.core.models import Case


def _rows(user):
    with db.read_session() as s:
        rows = s.execute(select(Case.__table__)).mappings().all()
    if user.role == "staff":
        rows = [r for r in rows if r["sub_centre_id"] == user.sub_centre_id]
    return rows


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_counts_match_python(demo_database, principal, role):
    user = principal(role)
    rows = _rows(user)
    f = CaseFilter()
    k = analytics.kpis(user, f)
    assert k["cases"] == len(rows)
    assert k["countries"] == len({r["country"] for r in rows})
    closed = [r for r in rows if r["closed_on"] is not None]
    assert k["closed_share"] == pytest.approx(len(closed) / len(rows))
    durations = [(r["closed_on"] - r["filed_on"]).days for r in closed if r["filed_on"] and r["closed_on"] >= r["filed_on"]]
    assert k["mean_days"] == pytest.approx(sum(durations) / len(durations))
    assert k["amount"] == pytest.approx(float(sum(r["amount_usd"] or 0 for r in rows)))
    assert dict(zip(*analytics.by_country(user, f).T.values)) == dict(Counter(r["country"] for r in rows))
    trend = analytics.trend(user, f)
    assert {(int(y), d): n for y, d, n in trend.itertuples(index=False)} == dict(
        Counter((r["filed_on"].year, r["dispute_type"]) for r in rows if r["filed_on"]))
    outcomes = analytics.outcomes(user, f)
    assert {(d, o): n for d, o, n in outcomes.itertuples(index=False)} == dict(
        Counter((r["dispute_type"], r["outcome"]) for r in rows if r["outcome"]))
    heat = analytics.country_dispute(user, f)
    countries = Counter(r["country"] for r in rows)
    top = sorted(countries, key=lambda c: (-countries[c], c))[:analytics.TOP_COUNTRIES]
    shown = set(heat["country"])
    assert shown - {analytics.OTHER} == set(top)
    assert (analytics.OTHER in shown) is (len(countries) > analytics.TOP_COUNTRIES)
    assert heat["cases"].sum() == len(rows)        # the countries outside the top ones are in "other"
    mass = [r for r in rows if r["dispute_type"] == "ecommerce" and r["province"] and r["defendants_count"] is not None]
    d = analytics.defendants_by_province(user, f)
    assert dict(zip(d["province"], d["defendants"])) == {
        p: sum(r["defendants_count"] for r in mass if r["province"] == p) for p in {r["province"] for r in mass}}
    a = analytics.amounts(user, f)
    assert a["cases"].sum() == len([r for r in rows if r["amount_usd"] is not None])


def test_resolution_quartiles_are_within_a_bin(demo_database, principal):
    user = principal("admin")
    rows = _rows(user)
    box = analytics.resolution_by_forum(user, CaseFilter())
    assert not box.empty
    for r in box.itertuples(index=False):
        days = sorted((x["closed_on"] - x["filed_on"]).days for x in rows
                      if x["forum"] == r.forum and x["closed_on"] and x["filed_on"] and x["closed_on"] >= x["filed_on"])
        assert r.n == len(days)
        true_median = days[(len(days) - 1) // 2]
        assert abs(r.median - true_median) <= analytics.DAY_BUCKET
        assert r.min <= r.q1 <= r.median <= r.q3 <= r.max


def test_filters_apply_to_analytics(demo_database, principal):
    user = principal("admin")
    rows = _rows(user)
    country = Counter(r["country"] for r in rows).most_common(1)[0][0]
    f = CaseFilter(countries=(country,))
    assert analytics.kpis(user, f)["cases"] == len([r for r in rows if r["country"] == country])
    assert list(analytics.by_country(user, f)["country"]) == [country]


@pytest.mark.parametrize("role", ["enterprise", "expert"])
def test_others_may_not_read_analytics(demo_database, principal, role):
    with pytest.raises(errors.Denied):
        analytics.kpis(principal(role), CaseFilter())


def test_chart_builders_make_valid_specs(demo_database, principal):
    user = principal("admin")
    f = CaseFilter()
    titles = {k: k for k in ("cases", "country", "year", "dispute_type", "outcome", "share", "forum", "days",
                             "median", "band", "amount", "province", "defendants", "suits", "mean")}
    built = [
        charts.country_bars(analytics.by_country(user, f), {}, titles),
        charts.trend(analytics.trend(user, f), {}, titles),
        charts.heatmap(analytics.country_dispute(user, f), {}, {}, titles),
        charts.outcomes(analytics.outcomes(user, f), {}, {}, titles),
        charts.resolution_box(analytics.resolution_by_forum(user, f), {}, titles),
        charts.amounts(analytics.amounts(user, f), {}, titles),
        charts.defendants(analytics.defendants_by_province(user, f), {}, titles),
    ]
    for chart in built:
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert "http" not in str(spec.get("data", "")), "charts must not fetch data"


def test_heatmap_draws_every_country_label(demo_database, principal):
    """Issue 12: the heatmap dropped every other country label. Now: the top countries and one
    "other" row, in order, each with its row of height and labels never thinned out."""
    heat = analytics.country_dispute(principal("admin"), CaseFilter())
    labels = {c: f"国家{c}" for c in heat["country"]} | {analytics.OTHER: "其他国家/地区"}
    titles = {k: k for k in ("cases", "country", "dispute_type")}
    spec = charts.heatmap(heat, labels, {}, titles, other=analytics.OTHER).to_dict()
    y = spec["layer"][0]["encoding"]["y"] if "encoding" in spec["layer"][0] else spec["encoding"]["y"]
    assert y["axis"]["labelOverlap"] is False
    assert len(y["sort"]) == heat["country"].nunique() == analytics.TOP_COUNTRIES + 1
    assert y["sort"][-1] == "其他国家/地区" and set(y["sort"]) == {labels[c] for c in heat["country"]}
    assert spec["height"] >= 20 * len(y["sort"]) + 100   # the height is the whole chart's, axes included
    x = spec["layer"][0]["encoding"]["x"] if "encoding" in spec["layer"][0] else spec["encoding"]["x"]
    assert x["axis"]["labelOverlap"] is False          # nor a dispute type dropped
