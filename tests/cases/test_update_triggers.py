"""An update that rewrites a case with its own values changes no derived table; a real change does.

Imports write every column of each row they update. On SQLite the update triggers carry a
WHEN clause (migration 0010) so such a row costs no full-text or totals work; on PostgreSQL
the statement-level triggers (0008) cancel unchanged rows. Either way the derived tables
must stay exact. SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import select, text, update

from ipoverseas.cases.rollups import MEASURE_COLUMNS
from ipoverseas.core import db, search
from ipoverseas.core.models import Case, CaseFacetTotal, CaseRollup


def _derived() -> tuple:
    with db.read_session() as s:
        totals = sorted((t.facet, t.value, t.review_status, t.sub_centre_id, t.n)
                        for t in s.scalars(select(CaseFacetTotal)) if t.n)
        rollups = sorted((r.chart, r.review_status, r.sub_centre_id, r.a, r.b, r.n,
                          *[round(getattr(r, m), 2) for m in MEASURE_COLUMNS])
                         for r in s.scalars(select(CaseRollup)) if r.n)
    return totals, rollups


def test_rewriting_every_column_with_its_own_value_changes_nothing_derived(demo_database):
    before = _derived()
    found = search.search_ids("cases", "专利", ranked=False)
    columns = [c for c in Case.__table__.columns if c.key not in ("id", "version", "updated_at")]
    with db.write_session() as s:
        s.execute(update(Case).values({c.key: getattr(Case, c.key) for c in columns}))
    assert _derived() == before
    assert search.search_ids("cases", "专利", ranked=False) == found


def test_a_real_change_still_reaches_the_search_and_the_totals(demo_database):
    with db.write_session() as s:
        case_id = s.scalar(select(Case.id).where(Case.country == "US").limit(1))
        s.execute(update(Case).where(Case.id == case_id).values(country="BR", title="Zyxwv unique title"))
    assert search.search_ids("cases", "zyxwv", ranked=False) == [case_id]
    with db.read_session() as s:
        live = s.scalar(select(text("count(*)")).select_from(Case).where(Case.country == "BR"))
        total = s.scalar(select(text("sum(n)")).select_from(CaseFacetTotal)
                         .where(CaseFacetTotal.facet == "country", CaseFacetTotal.value == "BR"))
    assert live == total


def test_sqlite_update_triggers_fire_only_on_a_change(database):
    with db.get_engine().connect() as conn:
        if conn.dialect.name != "sqlite":
            return
        rows = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                         "AND name LIKE '%\\_au' ESCAPE '\\'").all())
    assert set(rows) == {"cases_fts_au", "case_facet_totals_au", "case_rollups_au", "articles_fts_au",
                         "case_pair_facets_au", "cases_docket_key_au"}
    assert all(" WHEN old." in sql for sql in rows.values())

