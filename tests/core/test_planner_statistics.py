"""Start-up gives SQLite's query planner its statistics (bootstrap.refresh_statistics)."""

from ipoverseas import bootstrap
from ipoverseas.core import db


def test_start_up_gives_the_sqlite_planner_statistics(demo_database):
    bootstrap.refresh_statistics()
    with db.get_engine().connect() as conn:
        if conn.dialect.name != "sqlite":
            return  # PostgreSQL's autovacuum analyzes by itself
        indexes = {row[0] for row in conn.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'cases'")}
    assert {"ix_cases_library_facets", "ix_cases_review_filed", "ix_cases_title"} <= indexes
