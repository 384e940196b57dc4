"""A large import refreshes PostgreSQL's statistics of the table it filled, its columns only (imports/service.py)."""

from __future__ import annotations

from sqlalchemy import text

from ipoverseas.core import db
from ipoverseas.imports import service
from tests.imports.helpers import add_sub_centre, cases_workbook


def _last_analyze():
    with db.read_session() as s:
        return s.execute(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'cases'")).scalar()


def test_a_large_import_analyses_the_table_on_postgresql(database, tmp_path, monkeypatch):
    centre = add_sub_centre("ST")
    small = cases_workbook(tmp_path / "small.xlsx", 5, ref_prefix="S")
    large = cases_workbook(tmp_path / "large.xlsx", 12, ref_prefix="L")
    monkeypatch.setattr(service, "ANALYSE_ROWS", 10)
    service.run(small, small.name, "cases", None, centre)
    if db.is_sqlite():   # nothing to do there (migrate refreshes SQLite's statistics)
        service.run(large, large.name, "cases", None, centre)
        return
    assert _last_analyze() is None                 # 5 rows: under the threshold
    service.run(large, large.name, "cases", None, centre)
    assert _last_analyze() is not None
    with db.read_session() as s:
        stats = set(s.execute(text("SELECT tablename, attname FROM pg_stats WHERE tablename IN "
                                   "('cases', 'ix_search_cases_grams')")).all())
    assert ("cases", "sub_centre_id") in stats and ("cases", "opposing_party") in stats
    # the search's gram expression is left to autovacuum (10 s at 100,000 cases)
    assert not any(table == "ix_search_cases_grams" for table, _ in stats)
