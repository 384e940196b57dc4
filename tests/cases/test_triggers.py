"""The triggers on `cases` that keep `case_facet_totals` and `case_rollups`, across migration 0008.

On PostgreSQL 0008 replaces the row-level triggers of 0005 and 0007 with statement-level
ones over transition tables; its downgrade restores exactly the triggers 0005 and 0007
create, and the tables stay exact either way. On SQLite 0008 changes nothing.
"""

from __future__ import annotations

import re
from datetime import date

from alembic import command
from sqlalchemy import delete, insert, select, update

from ipoverseas.core import db
from ipoverseas.core.models import Case
from tests.cases.test_rollups import _assert_triggers_kept_a_rebuild, _new_case


def _alembic(name: str, revision: str) -> None:
    engine = db.get_engine()
    with engine.begin() as conn:
        cfg = db.alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        getattr(command, name)(cfg, revision)
    db.dispose_all()


def _triggers() -> dict[str, str]:
    """The triggers on `cases` for the totals and rollups, and their functions, white space folded."""
    with db.get_engine().connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                        "AND tbl_name = 'cases'").all()
        else:
            rows = conn.exec_driver_sql(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'cases'::regclass "
                "AND NOT tgisinternal UNION ALL SELECT proname, prosrc FROM pg_proc "
                "WHERE proname ~ '^case_(facet_totals|rollups)_'").all()
    return {name: re.sub(r"\s+", " ", sql).strip() for name, sql in rows
            if name.startswith(("case_facet_totals", "case_rollups"))}


def _writes(tag: str) -> None:
    """A multi-row insert, an update moving rows between groups, one of no watched column, a delete."""
    with db.write_session() as s:
        centres = s.scalars(select(Case.sub_centre_id).distinct().order_by(Case.sub_centre_id)).all()
        s.execute(insert(Case).values([
            _new_case(f"{tag}-{i}", centres[i % len(centres)], country=("US", "JP", "BR")[i % 3],
                      dispute_type=("ecommerce", "litigation")[i % 2], filed_on=date(2015 + i % 8, 1, 1),
                      closed_on=date(2024, 1, 1) if i % 2 else None, outcome=("won", None)[i % 2], forum="court",
                      province="GD", defendants_count=i, review_status=("submitted", "published")[i % 2])
            for i in range(30)]))
        s.execute(update(Case).where(Case.id % 4 == 0).values(country="DE", review_status="approved",
                                                              sub_centre_id=centres[-1], filed_on=date(2010, 1, 1)))
        s.execute(update(Case).where(Case.id % 3 == 0).values(title=Case.title + "."))
        s.execute(delete(Case).where(Case.id % 6 == 5))
    _assert_triggers_kept_a_rebuild()


def test_statement_level_on_postgresql_row_level_on_sqlite(database):
    triggers = _triggers()
    if db.get_engine().dialect.name == "sqlite":
        assert set(triggers) == {f"{t}_{e}" for t in ("case_facet_totals", "case_rollups") for e in ("ai", "ad", "au")}
    else:
        definitions = {name: sql for name, sql in triggers.items() if name.endswith(("_ins", "_upd", "_del"))}
        assert set(definitions) == {f"{t}_{e}" for t in ("case_facet_totals", "case_rollups")
                                    for e in ("ins", "upd", "del")}
        assert all("FOR EACH STATEMENT" in sql and "REFERENCING" in sql for sql in definitions.values())
        assert set(triggers) - set(definitions) == {"case_facet_totals_apply", "case_rollups_apply"}


def test_downgrade_restores_the_triggers_of_0005_and_0007_and_upgrade_returns(demo_database):
    head = _triggers()
    _alembic("downgrade", "0007")
    restored = _triggers()
    _writes("DOWN")   # the row-level triggers keep the tables exact
    # The same triggers as 0005 and 0007 create when they run afresh.
    _alembic("downgrade", "0004")
    _alembic("upgrade", "0007")
    assert _triggers() == restored
    if db.get_engine().dialect.name == "postgresql":
        assert restored != head
        assert all("FOR EACH ROW" in sql for name, sql in restored.items() if not name.endswith("_sync"))
    else:  # the same, but for the WHEN clause 0010 adds to the update triggers
        assert restored == {name: re.sub(r" WHEN .*? BEGIN", " BEGIN", sql, count=1) for name, sql in head.items()}
        assert all(" WHEN old." in sql for name, sql in head.items() if name.endswith("_au"))
    _writes("AGAIN")
    _alembic("upgrade", "head")
    assert _triggers() == head
    _writes("UP")
