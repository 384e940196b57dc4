"""Facet counts of the case library: how many cases each value of a facet would give.

Each facet is counted under the current filter without that facet's own selection, so
a user sees how many cases each other country would give, not only the chosen one.
Where the counts come from, cheapest first:

- nothing else selected: `case_facet_totals`, kept by triggers;
- only countries and/or dispute types selected: the rollup `COUNTRY_BY_DISPUTE_TYPE`
  (`case_rollups`) for country, dispute type, review status and sub-centre,
  `case_pair_facets` for the rest;
- a text search: one statement over its hits (`_text_facets`);
- anything else: the facets with no selection of their own in one statement over the
  filtered rows, each selected one by a GROUP BY over the covering index
  `ix_cases_library_facets`.

A text search matching a large part of the library (专利 is in most cases) would make
every count read hundreds of thousands of hits; on SQLite, which groups by sorting, that
takes seconds. Above the `facet_exact_hits` setting its counts are therefore estimated
from a systematic sample (every k-th hit by id) and flagged, and the page shows them as
approximate. The number of cases found is always exact (`cases.list_cases`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Iterable

from sqlalchemy import Integer, String, cast, delete, func, insert, literal, select, true, union_all
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.core import config, db, search
from ipoverseas.access.policy import Principal
from ipoverseas.cases.library import FACETS, CaseFilter, conditions, text_condition
from ipoverseas.cases.rollups import COUNTRY_BY_DISPUTE_TYPE
from ipoverseas.core.models import Case, CaseFacetTotal, CasePairFacet, CaseRollup


class Facets(dict):
    """facet -> [(value, count)], largest first, without the null value.

    `sample_every` > 1 means the counts are estimates: each is the number of sampled hits
    times `sample_every`.
    """

    sample_every: int = 1

    @property
    def estimated(self) -> bool:
        return self.sample_every > 1


def facet_counts(user: Principal | None, f: CaseFilter, facets: Iterable[str] | None = None) -> Facets:
    """For each facet, (value, count) under the current filter without that facet's own selection."""
    facets = list(facets or FACETS)
    with db.read_session() as s:
        if f.text.strip():
            return _text_facets(s, user, f, facets)
        out = Facets()
        for facet in facets:
            rows = _from_tables(s, user, facet, f.without(facet))
            if rows is not None:
                out[facet] = [(_typed(facet, v), int(n)) for v, n in rows]
        # The facets left with no selection of their own all count the same rows: read them once.
        shared = [facet for facet in facets if facet not in out and not getattr(f, FACETS[facet][0])]
        if shared:
            out.update(_one_pass(s, conditions(s, user, f), None, shared))
        for facet in facets:
            if facet not in out:
                out[facet] = [(_typed(facet, v), int(n)) for v, n in _live_facet(s, user, f.without(facet), facet)]
    return Facets({facet: out[facet] for facet in facets})


def _from_tables(s: Session, user: Principal | None, facet: str, rest: CaseFilter) -> list | None:
    """The counts from a table kept by triggers when one answers the facet under `rest`, else None.

    Nothing selected: `case_facet_totals`. Only countries and/or dispute types selected:
    the rollup `COUNTRY_BY_DISPUTE_TYPE` for country, dispute type, review status and sub-centre, and
    `case_pair_facets` for the others.
    """
    if rest.is_empty():
        return _totals(s, user, facet)
    if not replace(rest, countries=(), dispute_types=()).is_empty():
        return None
    if facet in COUNTRY_DISPUTE_KEYS:
        return _country_dispute_counts(s, user, facet, rest)
    return _pair_facet_counts(s, user, facet, rest)


def _typed(facet: str, value: Any) -> Any:
    return int(value) if facet in ("year", "sub_centre") else value


def year_column(dialect: str):
    """The filing year as an integer (on SQLite dates are ISO text: the first four characters)."""
    if dialect == "sqlite":
        return cast(func.substr(Case.filed_on, 1, 4), Integer)
    return cast(func.extract("year", Case.filed_on), Integer)


def _facet_column(dialect: str, facet: str):
    return year_column(dialect) if facet == "year" else FACETS[facet][1]


SAMPLE_HITS = 25_000  # hits counted for an estimate: a value with 1% of them is off by about 6%


def sample_every(session: Session, query: str) -> int:
    """1 when a text search's facets are counted exactly, else the sampling step k.

    The full-text index's own count of the query (unscoped, before any other filter)
    bounds the hits (on PostgreSQL the planner's estimate, `search.match_estimate`);
    above `facet_exact_hits` one hit in k is counted, about SAMPLE_HITS in all.
    """
    n = search.match_estimate(session.connection(), "cases", query)
    if n is None or n <= int(config.get("facet_exact_hits")):
        return 1
    return max(2, math.ceil(n / SAMPLE_HITS))


def _text_facets(s: Session, user: Principal | None, f: CaseFilter, facets: list[str]) -> Facets:
    """All facets of a text search in one statement, the search run once (see `_one_pass`)."""
    every = sample_every(s, f.text)
    # The hits are found by id: the scope is checked on each, off the indexes, or the
    # database would rather scan a whole covering index for them.
    # PostgreSQL counts every hit with the gram lookup on the rows (one bitmap scan): through the
    # fenced set of hits it hashed them and scanned the table (1.06 s against 0.3 s for 337 at 1M).
    plan = "direct" if every == 1 and s.bind.dialect.name == "postgresql" else "in"
    where = [*conditions(s, user, CaseFilter(), seek=False, scope=policy.where(user, "read_case", indexed=False)),
             text_condition(s, f.text, sample_every=every, plan=plan)]
    if f.region:   # "concerning my region" (issue 17)
        where.append(policy.where(user, "read_region_cases"))
    return _one_pass(s, where, f, facets, every)


def _one_pass(s: Session, where: list, selections: CaseFilter | None, facets: list[str],
              every: int = 1) -> Facets:
    """Facet counts over the rows of `where`, read once into a common table.

    Each facet then counts them under the other facets' `selections` (for a text search,
    whose hits are read without any selection), instead of repeating the search and the
    row look-ups once per facet. Counts are multiplied by `every` (a sample's step).
    """
    dialect = s.bind.dialect.name
    rows = (select(*[_facet_column(dialect, facet).label(facet) for facet in FACETS],
                   Case.distinction.label("distinction"))
            .where(*where).cte("hits"))
    parts = []
    for facet in facets:
        clauses = [rows.c[facet].is_not(None)]
        for other, (name, _) in FACETS.items():
            if selections is not None and other != facet and getattr(selections, name):
                clauses.append(rows.c[other].in_(getattr(selections, name)))
        if selections is not None and selections.distinctions:
            clauses.append(rows.c.distinction.in_(selections.distinctions))
        value = cast(rows.c[facet], String)
        parts.append(select(literal(facet).label("facet"), value.label("value"), func.count().label("n"))
                     .where(*clauses).group_by(value))
    out = Facets({facet: [] for facet in facets})
    out.sample_every = every
    if not parts:
        return out
    for facet, value, n in s.execute(union_all(*parts)):
        out[facet].append((_typed(facet, value), int(n) * every))
    for counted in out.values():
        counted.sort(key=lambda item: (-item[1], item[0]))
    return out


def _totals(s: Session, user: Principal | None, facet: str) -> list:
    t = CaseFacetTotal
    total = func.sum(t.n)
    return s.execute(select(t.value, total).where(t.facet == facet, t.value != "", policy.where(user, "read_case", t))
                     .group_by(t.value).having(total > 0).order_by(total.desc(), t.value)).all()


COUNTRY_DISPUTE_KEYS = {"country": CaseRollup.a, "dispute_type": CaseRollup.b,
                        "review_status": CaseRollup.review_status, "sub_centre": CaseRollup.sub_centre_id}


def _country_dispute_counts(s: Session, user: Principal | None, facet: str, rest: CaseFilter) -> list:
    """A facet under country and dispute-type selections from the country x dispute type
    rollup (`COUNTRY_BY_DISPUTE_TYPE` in `case_rollups`), without reading the cases."""
    r = CaseRollup
    value, n = COUNTRY_DISPUTE_KEYS[facet], func.sum(r.n)
    where = [r.chart == COUNTRY_BY_DISPUTE_TYPE.code, policy.where(user, "read_case", r),
             r.a.in_(rest.countries) if rest.countries else r.a != "",
             r.b.in_(rest.dispute_types) if rest.dispute_types else r.b != ""]
    return s.execute(select(value, n).where(*where).group_by(value).having(n > 0).order_by(n.desc(), value)).all()


def _pair_facet_counts(s: Session, user: Principal | None, facet: str, rest: CaseFilter) -> list:
    """A facet under country and dispute-type selections from `case_pair_facets`."""
    t = CasePairFacet
    where = [t.facet == facet, t.value != "", policy.where(user, "read_case", t)]
    if rest.countries:
        where.append(t.country.in_(rest.countries))
    if rest.dispute_types:
        where.append(t.dispute_type.in_(rest.dispute_types))
    n = func.sum(t.n)
    return s.execute(select(t.value, n).where(*where).group_by(t.value).having(n > 0)
                     .order_by(n.desc(), t.value)).all()


def _live_facet(s: Session, user: Principal | None, rest: CaseFilter, facet: str) -> list:
    col = _facet_column(s.bind.dialect.name, facet)
    if facet == "year":
        group = col
    elif facet == "sub_centre":
        group = col + 0          # `+ 0` / `|| ''`: group without walking the single-column index
    else:
        group = col.concat("")   # row by row; the covering index answers the query instead
    stmt = (select(group.label("value"), func.count().label("n"))
            .where(*conditions(s, user, rest), col.is_not(None))
            .group_by(group).order_by(func.count().desc(), group))
    return s.execute(stmt).all()


def rebuild_facet_totals(connection) -> None:
    """Recompute `case_facet_totals` from the cases (after a bulk load that bypassed the triggers)."""
    connection.execute(delete(CaseFacetTotal))
    _write_facet_totals(connection, Case.__table__, add=False)


def rebuild_pair_facets(connection) -> None:
    """Recompute `case_pair_facets` from the cases (after a bulk load that bypassed the triggers)."""
    connection.execute(delete(CasePairFacet))
    _write_pair_facets(connection, Case.__table__, add=False)


def add_facet_totals(connection, source) -> None:
    """Add the cases in `source` (a table with the case columns the totals read) to
    `case_facet_totals`, one grouped upsert per facet: what the row triggers would have added
    for them (SQLite: cases/bulk_totals.py)."""
    _write_facet_totals(connection, source, add=True)


def add_pair_facets(connection, source) -> None:
    """The same for `case_pair_facets`."""
    _write_pair_facets(connection, source, add=True)


def _year(connection, src):
    return func.coalesce(func.strftime("%Y", src.c.filed_on) if connection.dialect.name == "sqlite"
                         else func.to_char(src.c.filed_on, "YYYY"), "")


def _write_facet_totals(connection, src, *, add: bool) -> None:
    parts = [(facet, func.coalesce(src.c[facet], "")) for facet in
             ("country", "dispute_type", "ip_type", "industry", "forum", "outcome", "review_status")]
    parts += [("year", _year(connection, src)), ("sub_centre", cast(src.c.sub_centre_id, String))]
    for facet, value in parts:
        rows = select(literal(facet), value, src.c.review_status, src.c.sub_centre_id, func.count()) \
            .group_by(value, src.c.review_status, src.c.sub_centre_id)
        connection.execute(_grouped_insert(CaseFacetTotal, rows, add,
                                           ["facet", "value", "review_status", "sub_centre_id", "n"]))


def _write_pair_facets(connection, src, *, add: bool) -> None:
    parts = [(facet, func.coalesce(src.c[facet], "")) for facet in ("ip_type", "industry", "forum", "outcome")]
    for facet, value in parts + [("year", _year(connection, src))]:
        country, dispute = func.coalesce(src.c.country, ""), func.coalesce(src.c.dispute_type, "")
        rows = select(literal(facet), country, dispute, value, src.c.review_status, src.c.sub_centre_id, func.count()) \
            .group_by(country, dispute, value, src.c.review_status, src.c.sub_centre_id)
        connection.execute(_grouped_insert(CasePairFacet, rows, add,
                                           ["facet", "country", "dispute_type", "value", "review_status",
                                            "sub_centre_id", "n"]))


def _grouped_insert(model, rows, add: bool, columns: list[str]):
    """INSERT the grouped rows; with `add`, added to the stored counts (SQLite's upsert: only
    SQLite adds this way, PostgreSQL's triggers being per statement)."""
    if not add:
        return insert(model).from_select(columns, rows)
    stmt = sqlite_insert(model).from_select(columns, rows.where(true()))   # SQLite: an upsert SELECT needs a WHERE
    keys = [c.name for c in model.__table__.primary_key.columns]
    return stmt.on_conflict_do_update(index_elements=keys, set_={"n": model.n + stmt.excluded.n})
