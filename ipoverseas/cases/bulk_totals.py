"""SQLite: the totals of many new cases added by grouped statements, not by a row trigger each.

On SQLite the facet totals, pair facets and rollups are kept by row triggers (PostgreSQL's
are per statement): an import's one INSERT .. SELECT of 100,000 cases runs 100,000 upserts
into each table, 2.8 of the statement's 10 s (issue 16). Around such an insert the three
AFTER INSERT triggers are dropped, and put back after it in the same transaction, once the
new rows' totals have been added by one grouped upsert per facet and chart, from the same
definitions `rebuild` uses (tests/cases/test_rollups.py keeps them equal to the triggers,
tests/cases/test_bulk_totals.py the three tables equal to a rebuild after a grouped insert).
(The same for an UPDATE of 50,000 amounts, the old rows' groups taken away and the new ones
added, gained nothing measurable: updates keep their triggers.)

The drop and the re-creation are part of the caller's transaction: no other connection sees
the table without its triggers (SQLite has one writer, and readers see the last commit), and
a rollback puts the triggers back with the rows. The triggers are re-created from the SQL
stored in the schema, so they come back exactly as the migrations wrote them. Below
`MIN_ROWS` new rows the triggers are cheaper than the grouped statements: callers leave them on.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress
from typing import Iterator

from sqlalchemy import Column, Connection, MetaData, Table, func, select

from ipoverseas.core.models import Case
from . import facets, rollups

# Each totals table's insert trigger, and how a copy of cases is added to the table.
TABLES = {
    "case_facet_totals_ai": facets.add_facet_totals,
    "case_pair_facets_ai": facets.add_pair_facets,
    "case_rollups_ai": rollups.add_cases,
}
INSERT_TRIGGERS = tuple(TABLES)
# New rows into a 100,000-case database (the import benchmark's rows), triggers against grouped:
# 1,000 rows 0.165 s / 0.170 s, 3,000 0.44 / 0.41, 10,000 1.32 / 1.21; 100,000 about 11 / 9.
MIN_ROWS = 2_000

# What the totals read of a case: the rows are copied once into a narrow table, so that each
# grouped statement reads these columns and not the whole rows with their texts.
COLUMNS = ("id", "country", "dispute_type", "ip_type", "industry", "forum", "outcome", "review_status",
           "sub_centre_id", "filed_on", "closed_on", "amount_usd", "distinction", "defendants_count", "province")
NEW_CASES = "bulk_new_cases"


@contextmanager
def added_after(conn: Connection) -> Iterator[None]:
    """Inside: new cases are inserted without their totals; on leaving, their totals are added
    and the triggers restored. Elsewhere than SQLite it does nothing (the triggers run)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before_max = conn.execute(select(func.max(Case.id))).scalar() or 0
    with _triggers_off(conn, INSERT_TRIGGERS) as off:
        yield
        if off:
            new = _copy(conn, NEW_CASES, f"id > {int(before_max)}")
            for add in TABLES.values():
                add(conn, new)
            _drop(conn, new)


@contextmanager
def _triggers_off(conn: Connection, names: tuple[str, ...]) -> Iterator[bool]:
    """The triggers `names` dropped inside, restored on leaving; yields False (and drops nothing)
    when the schema does not have them all."""
    listed = ", ".join(f"'{name}'" for name in names)
    stored = conn.exec_driver_sql(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({listed})"
                                  ).all()
    if len(stored) != len(names):   # a schema this module does not know: leave it alone
        yield False
        return
    dropped = []
    try:
        for name, sql in stored:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
            dropped.append(sql)
        yield True
    except BaseException:
        # The caller's rollback puts them back anyway; this is for a caller that would go on.
        with suppress(Exception):
            _restore(conn, dropped)
        raise
    _restore(conn, dropped)


def _restore(conn: Connection, definitions: list[str]) -> None:
    for sql in definitions:
        conn.exec_driver_sql(sql)


def _copy(conn: Connection, name: str, where: str) -> Table:
    """The cases `where` selects, their COLUMNS copied into the temporary table `name`."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {name} AS SELECT {', '.join(COLUMNS)} FROM cases WHERE {where}")
    cases = Case.__table__
    return Table(name, MetaData(), *[Column(column, cases.c[column].type) for column in COLUMNS], schema="temp")


def _drop(conn: Connection, table: Table) -> None:
    conn.exec_driver_sql(f"DROP TABLE temp.{table.name}")
