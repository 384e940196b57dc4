"""Aggregations of the filtered cases, computed in SQL and returned as small DataFrames.

Each function takes the same `CaseFilter` as the case library and the user; staff see
their own sub-centre's region, admin the whole country (`region_conditions`). No
function loads rows into pandas: every result has one row per group. Without a filter
the groups are read from `case_rollups` (kept by triggers, see `rollups.py`), so
the unfiltered page does not read the cases at all; tests check both paths agree.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Integer, case, cast, func, literal, select

from ipoverseas.core import errors
from ipoverseas.access import policy
from ipoverseas.cases import rollups
from ipoverseas.cases.rollups import (AMOUNT_BAND_BY_DISPUTE_TYPE, COUNTRY_BY_DISPUTE_TYPE, DISPUTE_TYPE_BY_OUTCOME,
                                      FORUM_BY_DAYS_BUCKET, PROVINCE_DEFENDANTS, YEAR_BY_DISPUTE_TYPE, Chart)
from ipoverseas.core import db
from ipoverseas.access.policy import Principal
from ipoverseas.cases.facets import year_column
from ipoverseas.cases.library import CaseFilter, conditions
from ipoverseas.core.models import Case, CaseRollup
from ipoverseas.sharing import duplicates

TOP_COUNTRIES = 15
OTHER = "_other"   # the heatmap's row of all the countries outside the top ones
_EDGES = (0, *rollups.AMOUNT_EDGES, None)  # one set of band edges for the rollups and the live query
AMOUNT_BANDS = tuple(zip(_EDGES, _EDGES[1:], ("<10k", "10k–100k", "100k–1M", "1M–10M", "≥10M")))
DAY_BUCKET = rollups.DAY_BUCKET  # resolution time in 30-day bins; quartiles are read from the bins


def may_read(user: Principal | None) -> bool:
    return policy.can(user, "read_analytics")


def region_conditions(session, user: Principal, f: CaseFilter) -> list:
    """The filter's clauses in the user's region: staff see their sub-centre's cases only.

    A sub-centre's cases lie inside its staff's scope, so the region replaces the scope
    (whose OR would only slow the query); `+ 0` keeps the database on the covering index
    instead of looking up every row of the sub-centre's own index.
    """
    if not may_read(user):
        raise errors.Denied(action="analytics")
    once = duplicates.counted_once(user)   # a linked dispute counts once (issue 17)
    if policy.sees_all(user, "read_analytics"):
        return [*conditions(session, user, f), once]
    return [*conditions(session, user, f, scope=policy.where(user, "read_analytics", indexed=False)), once]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _rolled_up(user: Principal, f: CaseFilter) -> bool:
    """True when the view has no filter: its groups come from `case_rollups`."""
    if not may_read(user):
        raise errors.Denied(action="analytics")
    return f.is_empty()


def _rollup(user: Principal, chart: Chart, *measures: str) -> list[tuple]:
    """(a, b, n, *measures) of a chart, the measures by name, summed over the user's region,
    groups with cases only, largest first."""
    r = CaseRollup
    region = policy.where(user, "read_analytics", r)
    n = func.sum(r.n)
    with db.read_session() as s:
        rows = [tuple(row) for row in s.execute(
            select(r.a, r.b, n, *[func.sum(chart.column(m)).label(m) for m in measures])
            .where(r.chart == chart.code, region).group_by(r.a, r.b).having(n > 0).order_by(n.desc(), r.a, r.b))]
        excess = duplicates.rollup_excess(s, user, chart, measures)
    if not excess:
        return rows
    # the non-primary records of linked disputes, taken out again: a dispute counts once
    out = []
    for a, b, *values in rows:
        minus = excess.get((a, b))
        if minus:
            values = [v - m if v is not None else v for v, m in zip(values, minus)]
        if values[0] > 0:
            out.append((a, b, *values))
    return sorted(out, key=lambda g: (-g[2], g[0], g[1]))


def _g(column):
    """Group by a text column without walking its single-column index row by row.

    SQLite would otherwise read the rows in that index's order and look each one up;
    as an expression the planner reads the narrow covering index ix_cases_library_facets.
    """
    return column.concat("")


def _days(dialect: str):
    if dialect == "sqlite":
        return func.julianday(Case.closed_on) - func.julianday(Case.filed_on)
    return Case.closed_on - Case.filed_on


def kpis(user: Principal, f: CaseFilter) -> dict[str, Any]:
    """The KPI tiles: cases, countries, share closed, mean days to resolution, total amount, selected cases."""
    if _rolled_up(user, f):
        groups = _rollup(user, COUNTRY_BY_DISPUTE_TYPE, "closed", "closed_days", "closed_with_days", "amount_usd",
                         "distinguished", "ecommerce_defendants")
        row = [sum(g[2] for g in groups), len({g[0] for g in groups if g[0]}),
               *[sum(g[i] for g in groups) for i in (3, 4, 5, 6, 7, 8)]]
        closed_days = row[3]
        row[3] = (closed_days / row[4]) if row[4] else None  # mean days over the cases with both dates
        del row[4]
    else:
        row = _kpi_row(user, f)
    n = int(row[0] or 0)
    return {"cases": n, "countries": int(row[1] or 0),
            "closed_share": (float(row[2] or 0) / n) if n else 0.0,
            "mean_days": float(row[3]) if row[3] is not None else None,
            "amount": float(row[4] or 0), "distinguished": int(row[5] or 0),
            "mass_defendants": int(row[6] or 0)}


def _kpi_row(user: Principal, f: CaseFilter):
    with db.read_session() as s:
        where = region_conditions(s, user, f)
        days = _days(s.bind.dialect.name)
        return s.execute(select(
            func.count(),
            func.count(func.distinct(Case.country)),
            func.sum(case((Case.closed_on.is_not(None), 1), else_=0)),
            func.avg(case((Case.closed_on >= Case.filed_on, days), else_=None)),
            func.sum(Case.amount_usd),
            func.sum(case((Case.distinction.is_not(None), 1), else_=0)),
            func.sum(case((Case.dispute_type == "ecommerce", Case.defendants_count), else_=0)),
        ).where(*where)).one()


def by_country(user: Principal, f: CaseFilter) -> pd.DataFrame:
    """country, cases — every country with at least one case, most first."""
    if _rolled_up(user, f):
        totals: dict[str, int] = {}
        for country, _, n in _rollup(user, COUNTRY_BY_DISPUTE_TYPE):
            totals[country] = totals.get(country, 0) + int(n)
        rows = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return _frame(rows, ["country", "cases"])
    with db.read_session() as s:
        where = region_conditions(s, user, f)
        country = _g(Case.country)
        rows = s.execute(select(country, func.count()).where(*where).group_by(country)
                         .order_by(func.count().desc(), country)).all()
    return _frame(rows, ["country", "cases"])


def trend(user: Principal, f: CaseFilter) -> pd.DataFrame:
    """year, dispute_type, cases."""
    if _rolled_up(user, f):
        rows = sorted((int(a), b, int(n)) for a, b, n in _rollup(user, YEAR_BY_DISPUTE_TYPE))
        return _frame(rows, ["year", "dispute_type", "cases"])
    with db.read_session() as s:
        where = region_conditions(s, user, f)
        year, dispute = year_column(s.bind.dialect.name), _g(Case.dispute_type)
        rows = s.execute(select(year, dispute, func.count()).where(*where, Case.filed_on.is_not(None))
                         .group_by(year, dispute).order_by(year, dispute)).all()
    return _frame(rows, ["year", "dispute_type", "cases"])


def country_dispute(user: Principal, f: CaseFilter, top: int = TOP_COUNTRIES) -> pd.DataFrame:
    """country, dispute_type, cases — the `top` countries with the most cases, and one row `OTHER`
    that sums all the others (so every row of the heatmap keeps a readable label, and no case is lost)."""
    if _rolled_up(user, f):
        rows = [(a, b, int(n)) for a, b, n in _rollup(user, COUNTRY_BY_DISPUTE_TYPE)]
    else:
        with db.read_session() as s:
            where = region_conditions(s, user, f)
            country, dispute = _g(Case.country), _g(Case.dispute_type)
            rows = s.execute(select(country, dispute, func.count()).where(*where).group_by(country, dispute)).all()
    frame = _frame(rows, ["country", "dispute_type", "cases"])
    if frame.empty:
        return frame
    totals = frame.groupby("country")["cases"].sum()
    keep = sorted(totals.index, key=lambda c: (-totals[c], c))[:top]   # ties by code: the same on every run
    head, rest = frame[frame["country"].isin(keep)], frame[~frame["country"].isin(keep)]
    if not rest.empty:
        other = rest.groupby("dispute_type", as_index=False)["cases"].sum().assign(country=OTHER)
        head = pd.concat([head, other[["country", "dispute_type", "cases"]]])
    return head.reset_index(drop=True)


def outcomes(user: Principal, f: CaseFilter) -> pd.DataFrame:
    """dispute_type, outcome, cases."""
    if _rolled_up(user, f):
        return _frame([(a, b, int(n)) for a, b, n in _rollup(user, DISPUTE_TYPE_BY_OUTCOME)],
                      ["dispute_type", "outcome", "cases"])
    with db.read_session() as s:
        where = region_conditions(s, user, f)
        dispute, outcome = _g(Case.dispute_type), _g(Case.outcome)
        rows = s.execute(select(dispute, outcome, func.count())
                         .where(*where, Case.outcome.is_not(None)).group_by(dispute, outcome)).all()
    return _frame(rows, ["dispute_type", "outcome", "cases"])


def resolution_by_forum(user: Principal, f: CaseFilter) -> pd.DataFrame:
    """forum, n, min, q1, median, q3, max — days from filing to closing, for a box plot.

    SQL counts closed cases per forum and 30-day bin; the quartiles are read from those
    bins (to the bin's midpoint), so the cost does not depend on the number of cases.
    """
    if _rolled_up(user, f):
        rows = [(a, int(b), n) for a, b, n in _rollup(user, FORUM_BY_DAYS_BUCKET)]
    else:
        with db.read_session() as s:
            where = region_conditions(s, user, f)
            days = _days(s.bind.dialect.name)
            bucket = cast(func.floor(days / DAY_BUCKET), Integer) if s.bind.dialect.name != "sqlite" \
                else cast(days / DAY_BUCKET, Integer)
            forum = _g(Case.forum)
            rows = s.execute(select(forum, bucket.label("b"), func.count())
                             .where(*where, Case.closed_on.is_not(None), Case.filed_on.is_not(None),
                                    Case.closed_on >= Case.filed_on, Case.forum.is_not(None))
                             .group_by(forum, bucket)).all()
    bins: dict[str, list[tuple[int, int]]] = {}
    for forum, b, n in rows:
        bins.setdefault(forum, []).append((int(b), int(n)))
    out = []
    for forum, items in bins.items():
        items.sort()
        total = sum(n for _, n in items)

        def quantile(q: float) -> float:
            target, seen = q * total, 0
            for b, n in items:
                seen += n
                if seen >= target:
                    return (b + 0.5) * DAY_BUCKET
            return (items[-1][0] + 0.5) * DAY_BUCKET

        out.append({"forum": forum, "n": total, "min": items[0][0] * DAY_BUCKET,
                    "q1": quantile(0.25), "median": quantile(0.5), "q3": quantile(0.75),
                    "max": (items[-1][0] + 1) * DAY_BUCKET})
    return pd.DataFrame(out, columns=["forum", "n", "min", "q1", "median", "q3", "max"])


def amounts(user: Principal, f: CaseFilter) -> pd.DataFrame:
    """band, order, dispute_type, cases, amount_usd — the amounts involved, in bands."""
    band = case(*[((Case.amount_usd < hi) if lo == 0 else
                   (Case.amount_usd >= lo) if hi is None else
                   ((Case.amount_usd >= lo) & (Case.amount_usd < hi)), literal(i))
                  for i, (lo, hi, _) in enumerate(AMOUNT_BANDS)], else_=literal(len(AMOUNT_BANDS) - 1))
    if _rolled_up(user, f):
        rows = [(int(a), b, n, amount) for a, b, n, amount in _rollup(user, AMOUNT_BAND_BY_DISPUTE_TYPE, "amount_usd")]
    else:
        with db.read_session() as s:
            where = region_conditions(s, user, f)
            dispute = _g(Case.dispute_type)
            rows = s.execute(select(band.label("band"), dispute, func.count(), func.sum(Case.amount_usd))
                             .where(*where, Case.amount_usd.is_not(None))
                             .group_by(band, dispute)).all()
    frame = _frame(rows, ["order", "dispute_type", "cases", "amount_usd"])
    frame["order"] = frame["order"].astype(int)
    frame["amount_usd"] = frame["amount_usd"].astype(float)
    frame.insert(0, "band", [AMOUNT_BANDS[i][2] for i in frame["order"]])
    return frame


def defendants_by_province(user: Principal, f: CaseFilter) -> pd.DataFrame:
    """province, suits, defendants, mean — Chinese defendants named in mass (Schedule A) suits.

    The e-commerce condition is written as an expression so that, repeated next to a
    dispute-type filter, it does not lead SQLite to the narrow (country, dispute) index.
    """
    if _rolled_up(user, f):
        groups = sorted(((a, int(n), int(defendants))
                         for a, _, n, defendants in _rollup(user, PROVINCE_DEFENDANTS, "defendants")),
                        key=lambda g: -g[2])
        frame = _frame([(a, n, d, d / n) for a, n, d in groups], ["province", "suits", "defendants", "mean"])
        frame["mean"] = frame["mean"].astype(float).round(1)
        return frame
    with db.read_session() as s:
        where = region_conditions(s, user, f)
        province = _g(Case.province)
        rows = s.execute(select(province, func.count(), func.sum(Case.defendants_count),
                                func.avg(Case.defendants_count))
                         .where(*where, _g(Case.dispute_type) == "ecommerce", Case.province.is_not(None),
                                Case.defendants_count.is_not(None))
                         .group_by(province).order_by(func.sum(Case.defendants_count).desc())).all()
    frame = _frame(rows, ["province", "suits", "defendants", "mean"])
    frame["mean"] = frame["mean"].astype(float).round(1)
    return frame
