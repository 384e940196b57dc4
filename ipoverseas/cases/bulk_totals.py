"""SQLite: the totals of many new cases added by grouped statements, not by a row trigger each.

On SQLite the facet totals, pair facets and rollups are kept by row triggers (PostgreSQL's
are per statement): an import's one INSERT .. SELECT of 100,000 cases runs 100,000 upserts
into each table, 2.8 of the statement's 10 s (issue 16). Around such an insert the three
AFTER INSERT triggers are dropped, and put back after it in the same transaction, once the
new rows' totals have been added by one grouped upsert per facet and chart, from the same
definitions `rebuild` uses (tests/cases/test_rollups.py keeps them equal to the triggers).

The drop and the re-creation are part of the caller's transaction: no other connection sees
the table without its triggers (SQLite has one writer, and readers see the last commit), and
a rollback puts the triggers back with the rows. The triggers are re-created from the SQL
stored in the schema, so they come back exactly as the migrations wrote them.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress
from typing import Iterator

from sqlalchemy import Column, Connection, MetaData, Table, func, select

from ipoverseas.core.models import Case
from . import facets, rollups

INSERT_TRIGGERS = ("case_facet_totals_ai", "case_pair_facets_ai", "case_rollups_ai")


@contextmanager
def added_after(conn: Connection) -> Iterator[None]:
    """Inside: new cases are inserted without their totals; on leaving, their totals are added
    and the triggers restored. Elsewhere than SQLite it does nothing (the triggers run)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before_max = conn.execute(select(func.max(Case.id))).scalar() or 0
    names = ", ".join(f"'{name}'" for name in INSERT_TRIGGERS)
    stored = conn.exec_driver_sql(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
                                  ).all()
    if len(stored) != len(INSERT_TRIGGERS):   # a schema this module does not know: leave it alone
        yield
        return
    for name, _ in stored:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
        _add_new_cases(conn, before_max)
    except BaseException:
        # The caller's rollback puts them back anyway; this is for a caller that would go on.
        with suppress(Exception):
            _restore(conn, stored)
        raise
    _restore(conn, stored)


# What the totals read of a case: the new rows are copied once into a narrow table, so that
# each grouped statement reads these columns and not the whole rows with their texts.
COLUMNS = ("id", "country", "dispute_type", "ip_type", "industry", "forum", "outcome", "review_status",
           "sub_centre_id", "filed_on", "closed_on", "amount_usd", "distinction", "defendants_count", "province")
NEW_CASES = "bulk_new_cases"


def _add_new_cases(conn: Connection, after_id: int) -> None:
    cases = Case.__table__
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{NEW_CASES}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {NEW_CASES} AS SELECT {', '.join(COLUMNS)} FROM cases WHERE id > ?",
                         (after_id,))
    source = Table(NEW_CASES, MetaData(), *[Column(name, cases.c[name].type) for name in COLUMNS], schema="temp")
    facets.add_cases(conn, source)
    rollups.add_cases(conn, f"temp.{NEW_CASES}")
    conn.exec_driver_sql(f"DROP TABLE temp.{NEW_CASES}")


def _restore(conn: Connection, stored) -> None:
    for _, sql in stored:
        conn.exec_driver_sql(sql)
