"""New cases inserted under `bulk_totals.added_after` (the SQLite import's move of its new rows).

Their facet totals, pair facets and rollups are added by grouped statements instead of the row
triggers, which are dropped for the block and put back, as the schema stored them, in the same
transaction. Checked: the three tables equal a rebuild from the cases afterwards (many groups,
missing values, groups that exist and groups that do not), the triggers are back and count the
next insert, and after a failure in the block nothing of it stays, triggers included. On
PostgreSQL the block does nothing and its statement-level triggers count the rows.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from ipoverseas.cases import bulk_totals, facets
from ipoverseas.core import db
from ipoverseas.core.models import Case, CasePairFacet
from tests.cases.test_rollups import _assert_triggers_kept_a_rebuild, _facet_table, _rollup_table, many_cases


def _triggers(conn) -> dict[str, str]:
    if conn.dialect.name != "sqlite":
        return {}
    return dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'cases'").all())


def _pair_facets(conn) -> list[tuple]:
    t = CasePairFacet
    return sorted(tuple(r) for r in conn.execute(select(t.facet, t.country, t.dispute_type, t.value, t.review_status,
                                                        t.sub_centre_id, t.n).where(t.n != 0)))


def _assert_pair_facets_kept_a_rebuild() -> None:
    with db.get_engine().connect() as conn:
        kept = _pair_facets(conn)
        facets.rebuild_pair_facets(conn)
        rebuilt = _pair_facets(conn)
        conn.rollback()
    assert kept == rebuilt


def test_new_cases_get_their_totals_and_the_triggers_come_back(demo_database):
    with db.write_session() as s:
        conn = s.connection()
        centres = list(s.scalars(select(Case.sub_centre_id).distinct().order_by(Case.sub_centre_id)))
        before = _triggers(conn)
        with bulk_totals.added_after(conn):
            if conn.dialect.name == "sqlite":   # really off inside: the rows are counted once, after
                assert set(bulk_totals.INSERT_TRIGGERS).isdisjoint(_triggers(conn))
            s.execute(insert(Case).values(many_cases("BULK", centres, 300)))
        assert _triggers(conn) == before
        if conn.dialect.name == "sqlite":   # and its narrow copy of the new rows is gone
            assert not conn.exec_driver_sql(f"SELECT 1 FROM sqlite_temp_master WHERE name = '{bulk_totals.NEW_CASES}'"
                                            ).all()
    _assert_triggers_kept_a_rebuild()
    _assert_pair_facets_kept_a_rebuild()

    with db.write_session() as s:   # the triggers are back: a later insert is counted by them
        s.execute(insert(Case).values(many_cases("LATER", centres, 7)))
    _assert_triggers_kept_a_rebuild()
    _assert_pair_facets_kept_a_rebuild()


class _Stop(Exception):
    pass


def test_a_failure_in_the_block_leaves_nothing(demo_database):
    with db.get_engine().connect() as conn:
        before = _triggers(conn), _facet_table(conn), _rollup_table(conn), conn.scalar(select(func.count(Case.id)))
        centres = [conn.scalar(select(func.min(Case.sub_centre_id)))]
    with pytest.raises(_Stop):
        with db.write_session() as s:
            conn = s.connection()
            with bulk_totals.added_after(conn):
                s.execute(insert(Case).values(many_cases("FAIL", centres, 40)))
                raise _Stop
    with db.get_engine().connect() as conn:
        after = _triggers(conn), _facet_table(conn), _rollup_table(conn), conn.scalar(select(func.count(Case.id)))
    assert after == before


def test_a_caller_that_goes_on_after_a_failure_still_has_the_triggers(sqlite_demo_database):
    with db.write_session() as s:
        conn = s.connection()
        before = _triggers(conn)
        with pytest.raises(_Stop):
            with bulk_totals.added_after(conn):
                raise _Stop
        assert _triggers(conn) == before
        s.execute(insert(Case).values(many_cases("GOON", [1], 5)))
    _assert_triggers_kept_a_rebuild()
