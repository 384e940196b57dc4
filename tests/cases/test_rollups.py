"""The unfiltered analytics read `case_rollups`; they must equal the live queries, after any write.

The live path is forced with a filter that selects every review status (the same rows,
but not an empty filter). Checked on SQLite and PostgreSQL, before and after inserts,
updates of every watched column and deletes, which the triggers must follow. The
triggers (row-level on SQLite, statement-level on PostgreSQL, migration 0008) must also
keep `case_rollups` and `case_facet_totals` equal to a rebuild from the cases after
statements that write many rows at once: a multi-row INSERT, UPDATEs that move rows
between groups (or swap them, netting to zero), an UPDATE of no watched column, a
DELETE, and the import's own writer (`imports.bulk`).
"""

from __future__ import annotations

import importlib.util
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import String, bindparam, case, cast, delete, func, insert, select, update

from ipoverseas.cases import analytics, rollups
from ipoverseas.core import db, vocab
from ipoverseas.cases.library import CaseFilter
from ipoverseas.imports.bulk import Bulk
from ipoverseas.core.models import Case, CaseFacetTotal, CaseRollup

EVERYTHING = CaseFilter(review_statuses=tuple(vocab.REVIEW_STATUSES.codes))
CHARTS = ("by_country", "trend", "country_dispute", "outcomes", "resolution_by_forum", "amounts",
          "defendants_by_province")


def _canonical(frame: pd.DataFrame) -> list[tuple]:
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in frame.itertuples(index=False)]
    return sorted(rows, key=repr)


def _assert_paths_agree(user) -> None:
    fast, live = analytics.kpis(user, CaseFilter()), analytics.kpis(user, EVERYTHING)
    assert fast.keys() == live.keys()
    for key in fast:
        assert fast[key] == pytest.approx(live[key]), key
    for name in CHARTS:
        fn = getattr(analytics, name)
        assert _canonical(fn(user, CaseFilter())) == _canonical(fn(user, EVERYTHING)), name


def _rollup_table(conn=None, nonzero: bool = True) -> list[tuple]:
    if conn is None:
        with db.get_engine().connect() as conn:
            return _rollup_table(conn, nonzero)
    t = CaseRollup
    stored = [getattr(t, m) for m in rollups.MEASURE_COLUMNS]
    rows = conn.execute(select(t.chart, t.review_status, t.sub_centre_id, t.a, t.b, t.n, *stored)
                        .where(t.n != 0 if nonzero else True)).all()
    return sorted((*r[:6], *[round(float(m), 4) for m in r[6:]]) for r in rows)


def _facet_table(conn=None, nonzero: bool = True) -> list[tuple]:
    if conn is None:
        with db.get_engine().connect() as conn:
            return _facet_table(conn, nonzero)
    t = CaseFacetTotal
    return sorted(tuple(r) for r in conn.execute(select(t.facet, t.value, t.review_status, t.sub_centre_id, t.n)
                                                 .where(t.n != 0 if nonzero else True)))


def _live_facet_totals(conn) -> list[tuple]:
    """`case_facet_totals` as a GROUP BY of the cases computes it."""
    year = (func.strftime("%Y", Case.filed_on) if conn.dialect.name == "sqlite"
            else func.to_char(Case.filed_on, "YYYY"))
    parts = [(c, func.coalesce(getattr(Case, c), "")) for c in
             ("country", "dispute_type", "ip_type", "industry", "forum", "outcome", "review_status")]
    parts += [("year", func.coalesce(year, "")), ("sub_centre", cast(Case.sub_centre_id, String))]
    out = []
    for facet, value in parts:
        out += [(facet, *r) for r in conn.execute(select(value, Case.review_status, Case.sub_centre_id, func.count())
                                                  .group_by(value, Case.review_status, Case.sub_centre_id))]
    return sorted(out)


def _assert_triggers_kept_a_rebuild() -> None:
    """The tables the triggers kept equal what the cases give: a rollup rebuild (rolled back), a live GROUP BY."""
    kept = _rollup_table(), _facet_table()
    with db.get_engine().connect() as conn:
        rollups.rebuild(conn)
        rebuilt = _rollup_table(conn)
        conn.rollback()
        live = _live_facet_totals(conn)
    assert kept[0] == rebuilt, "case_rollups"
    assert kept[1] == live, "case_facet_totals"


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_rollups_equal_the_live_queries_after_writes(demo_database, principal, role):
    user = principal(role)
    _assert_paths_agree(user)
    with db.write_session() as s:
        ids = s.scalars(select(Case.id).where(Case.sub_centre_id == user.sub_centre_id if role == "staff"
                                              else Case.id > 0).order_by(Case.id).limit(6)).all()
        other_centre = s.scalar(select(func.max(Case.sub_centre_id)))
        s.execute(update(Case).where(Case.id == ids[0]).values(country="BR", dispute_type="ecommerce",
                                                               province="ZJ", defendants_count=321))
        s.execute(update(Case).where(Case.id == ids[1]).values(closed_on=date(2026, 1, 5), filed_on=date(2025, 2, 1),
                                                               forum="court", outcome="won"))
        s.execute(update(Case).where(Case.id == ids[2]).values(amount_usd=Decimal("12345678.90"),
                                                               distinction="typical"))
        s.execute(update(Case).where(Case.id == ids[3]).values(filed_on=None, closed_on=None, outcome=None,
                                                               amount_usd=None))
        s.execute(update(Case).where(Case.id == ids[4]).values(sub_centre_id=other_centre))
        s.execute(delete(Case).where(Case.id == ids[5]))
    _assert_paths_agree(user)
    with db.write_session() as s:
        statuses = [r for r in vocab.REVIEW_STATUSES.codes]
        current = s.scalar(select(Case.review_status).where(Case.id == ids[0]))
        s.execute(update(Case).where(Case.id == ids[0])
                  .values(review_status=statuses[(statuses.index(current) + 1) % len(statuses)]))
        s.execute(insert(Case).values(_new_case("ADDED-1", user.sub_centre_id or other_centre, country="JP",
                                                dispute_type="ecommerce", province="GD", defendants_count=12,
                                                filed_on=date(2024, 6, 1), closed_on=date(2025, 1, 2),
                                                forum="court", outcome="won", amount_usd=Decimal("250000"),
                                                review_status="published", distinction="typical")))
    _assert_paths_agree(user)


def _new_case(ref: str, sub_centre_id: int, **values) -> dict:
    now = datetime(2026, 1, 1)
    return {"case_ref": ref, "sub_centre_id": sub_centre_id, "title": ref, "country": "US", "dispute_type": "litigation",
            "summary": "", "guidance": "", "lessons": "", "status": "ongoing", "review_status": "submitted",
            "party_confidential": False, "is_demo": False, "version": 1, "created_at": now, "updated_at": now,
            **values}


def many_cases(prefix: str, centres: list[int], n: int) -> list[dict]:
    """n new cases over many groups (and missing values), spread over `centres`."""
    return [_new_case(f"{prefix}-{i}", centres[i % len(centres)], country=("US", "DE", "JP", "BR")[i % 4],
                      dispute_type=("ecommerce", "litigation", "trademark")[i % 3], province=("GD", "ZJ", None)[i % 3],
                      defendants_count=(None, 3, 40)[i % 3], forum=("court", None)[i % 2],
                      outcome=(None, "won", "lost")[i % 3], filed_on=None if i % 7 == 0 else date(2016 + i % 9, 3, 1),
                      closed_on=None if i % 2 else date(2025, 1 + i % 12, 1),
                      amount_usd=None if i % 5 == 0 else Decimal(10 ** (i % 8)) + Decimal("0.25"),
                      review_status=("submitted", "approved", "published", "returned")[i % 4],
                      distinction=(None, "typical")[i % 2], ip_type=("patent", None)[i % 2],
                      industry=(None, "electronics", "machinery")[i % 3])
            for i in range(n)]


def test_the_triggers_keep_what_a_rebuild_computes(demo_database):
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id % 7 == 0).values(closed_on=date(2026, 3, 1), amount_usd=Decimal("5000")))
        s.execute(delete(Case).where(Case.id % 11 == 0))
    kept = _rollup_table()
    with db.write_session() as s:
        rollups.rebuild(s.connection())
    assert _rollup_table() == kept
    assert kept, "the demo content should give rollups"


def test_statements_over_many_rows_keep_the_totals_and_rollups_exact(demo_database):
    with db.get_engine().connect() as conn:
        centres = conn.scalars(select(Case.sub_centre_id).distinct().order_by(Case.sub_centre_id)).all()
    assert len(centres) >= 2, "the demo content should span sub-centres"
    _assert_triggers_kept_a_rebuild()

    # One INSERT of many rows over many groups (and missing values).
    with db.write_session() as s:
        s.execute(insert(Case).values(many_cases("MULTI", centres, 60)))
    _assert_triggers_kept_a_rebuild()

    # One UPDATE moving many rows between groups: country, review status, sub-centre,
    # filing year, amount band, closing (days), outcome, forum, province, dispute type.
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id % 3 == 0).values(
            country=case((Case.country == "US", "FR"), else_="US"),
            review_status=case((Case.review_status == "published", "submitted"), else_="published"),
            sub_centre_id=case((Case.sub_centre_id == centres[0], centres[-1]), else_=centres[0]),
            filed_on=case((Case.id % 2 == 0, date(2012, 5, 1)), else_=None),
            closed_on=case((Case.id % 4 == 0, date(2013, 7, 9)), else_=Case.closed_on),
            amount_usd=case((Case.amount_usd.is_(None), Decimal("99999.99")), else_=Case.amount_usd * 100),
            outcome=case((Case.outcome.is_(None), "settled"), else_=None),
            forum=case((Case.forum.is_(None), "customs"), else_=Case.forum),
            province=case((Case.province.is_(None), "SH"), else_=None),
            dispute_type=case((Case.dispute_type == "ecommerce", "licensing"), else_="ecommerce"),
            defendants_count=func.coalesce(Case.defendants_count, 0) + 1))
    _assert_triggers_kept_a_rebuild()

    # An UPDATE of no watched column writes nothing to either table (not even zero rows).
    before = _rollup_table(nonzero=False), _facet_table(nonzero=False)
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id % 2 == 0).values(title=Case.title + " (rev.)", summary="changed"))
    assert (_rollup_table(nonzero=False), _facet_table(nonzero=False)) == before

    # Two rows swapping their groups in one statement: their deltas net to zero.
    with db.write_session() as s:
        a, b = s.execute(select(Case.id, Case.country).where(Case.country.in_(("US", "DE"))).order_by(Case.id)
                         .limit(1)).one(), None
        b = s.execute(select(Case.id, Case.country).where(Case.country != a.country, Case.country.in_(("US", "DE")))
                      .order_by(Case.id).limit(1)).one()
        s.execute(update(Case).where(Case.id.in_((a.id, b.id)))
                  .values(country=case((Case.id == a.id, b.country), else_=a.country)))
    _assert_triggers_kept_a_rebuild()

    # One DELETE of many rows.
    with db.write_session() as s:
        s.execute(delete(Case).where(Case.id % 5 == 1))
    _assert_triggers_kept_a_rebuild()


def test_the_import_writer_keeps_the_totals_and_rollups_exact(demo_database):
    """Bulk (multi-row statements on PostgreSQL) inserting, and updating rows into other groups."""
    t = Case.__table__
    now = datetime(2026, 2, 1)
    with db.write_session() as s:
        conn = s.connection()
        centre = s.scalar(select(func.min(Case.sub_centre_id)))
        fields = ("case_ref", "title", "country", "dispute_type", "filed_on", "closed_on", "amount_usd", "province",
                  "defendants_count", "outcome", "forum")
        inserts = Bulk(conn, insert(t).values(sub_centre_id=centre, review_status="submitted", created_at=now,
                                              updated_at=now, version=1, is_demo=False,
                                              **{f: bindparam(f"v_{f}", type_=t.c[f].type) for f in fields}),
                       [f"v_{f}" for f in fields])
        rows = [(f"BULK-{i}", f"t{i}", ("US", "DE", "CN")[i % 3], ("ecommerce", "litigation")[i % 2],
                 date(2018 + i % 6, 1, 1), None if i % 3 else date(2025, 2, 1), Decimal(i * 997), ("GD", None)[i % 2],
                 i % 50, (None, "won")[i % 2], ("court", "ufc")[i % 2]) for i in range(2300)]
        assert inserts.run(rows) == len(rows)
    _assert_triggers_kept_a_rebuild()
    with db.write_session() as s:
        conn = s.connection()
        stored = s.execute(select(Case.id, Case.version).order_by(Case.id)).all()
        updates = Bulk(conn, update(t).where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
                       .values(country=bindparam("v_country", type_=t.c.country.type),
                               filed_on=bindparam("v_filed_on", type_=t.c.filed_on.type),
                               amount_usd=bindparam("v_amount_usd", type_=t.c.amount_usd.type),
                               version=t.c.version + 1, updated_at=now, review_status="submitted"),
                       ["b_id", "b_version", "v_country", "v_filed_on", "v_amount_usd"])
        assert updates.run((id_, version, ("BR", "US")[id_ % 2], date(2011 + id_ % 3, 2, 2),
                            None if id_ % 4 else Decimal("123456789.12")) for id_, version in stored) == len(stored)
    _assert_triggers_kept_a_rebuild()


def test_amount_bands_agree_with_the_rollup_edges():
    assert tuple(hi for _, hi, _ in analytics.AMOUNT_BANDS[:-1]) == rollups.AMOUNT_EDGES


def _frozen(revision: str):
    """A migration module, loaded from its file (the migrations are not a package to import)."""
    path = next((Path(rollups.__file__).resolve().parents[1] / "migrations" / "versions").glob(f"{revision}_*.py"))
    spec = importlib.util.spec_from_file_location(f"frozen_{revision}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_named_charts_write_the_sql_the_triggers_were_frozen_with():
    """Names are not stored: the live definitions write the SQL of the triggers' frozen copies
    (a migration that rewrites the triggers is the copy to compare with after it)."""
    m0007, m0008 = _frozen("0007"), _frozen("0008")
    for dialect in ("sqlite", "postgresql"):
        assert rollups._charts("new", dialect) == m0007._charts("new", dialect), dialect
    assert rollups._charts("d", "postgresql") == m0008._charts("d")
    assert rollups.MEASURE_COLUMNS == m0007._MEASURES == m0008._MEASURES


def test_a_measure_is_read_by_its_name():
    chart = rollups.COUNTRY_BY_DISPUTE_TYPE
    assert [chart.column(m).element.key for m in chart.measure_names] == list(rollups.MEASURE_COLUMNS)
    assert chart.column("amount_usd").name == "amount_usd"
    assert str(rollups.PROVINCE_DEFENDANTS.column("defendants").element) == "case_rollups.m1"
    with pytest.raises(KeyError):
        rollups.YEAR_BY_DISPUTE_TYPE.column("closed")
    assert len({c.code for c in rollups.CHARTS}) == len(rollups.CHARTS)
    assert all(len(set(c.measure_names)) == len(c.measures) <= len(rollups.MEASURE_COLUMNS) for c in rollups.CHARTS)


def test_the_unfiltered_view_reads_the_rollups_not_the_cases(demo_database, principal):
    admin = principal("admin")
    assert analytics.kpis(admin, CaseFilter())["cases"] > 0
    with db.write_session() as s:
        s.execute(delete(CaseRollup))
    assert analytics.kpis(admin, CaseFilter())["cases"] == 0
    assert analytics.kpis(admin, EVERYTHING)["cases"] > 0
