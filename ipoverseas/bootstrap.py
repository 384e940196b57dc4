"""Make the database ready: migrate, load the demo into an empty embedded database, bring
the consultations' stored clock facts up to the current promise and holiday table, and mark
failed the imports killed or crashed since the last start (imports/running.py).

The upkeep after the migrations writes; when another process holds the database (SQLite's one write
lock, during a long import) it goes on in the background as soon as the database is free, and the
app opens at once: nobody waits for an import to log in."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import func, select

from ipoverseas.core import config, db
from ipoverseas.consultations import workflow
from ipoverseas.network import duties, transfers
from ipoverseas.imports import running
from ipoverseas import demo
from ipoverseas.core.models import User

log = logging.getLogger(__name__)


def prepare_database() -> None:
    engine = db.get_engine()
    db.migrate(engine)
    if config.get("load_demo") and engine.dialect.name == "sqlite" and _is_empty():
        log.info("empty embedded database: loading the demo content")
        demo.load()
    try:
        upkeep()
    except Exception as exc:
        if not db.is_busy(exc):
            raise
        log.warning("start-up upkeep postponed: the database is busy (an import?); it runs when the database is free")
        threading.Thread(target=_upkeep_when_free, name="ipoverseas-upkeep", daemon=True).start()


def upkeep() -> None:
    refresh_clocks()
    refresh_statistics()
    running.sweep()   # imports killed or crashed since the last start: marked failed, audited


UPKEEP_RETRY_SECONDS = 5


def _upkeep_when_free() -> None:
    while True:
        try:
            upkeep()
            log.info("start-up upkeep done")
            return
        except Exception as exc:
            if not db.is_busy(exc):
                log.exception("start-up upkeep failed")
                return
        time.sleep(UPKEEP_RETRY_SECONDS)


def refresh_statistics() -> None:
    """SQLite: refresh the query planner's statistics (an approximate ANALYZE, 3 s at a
    million cases). Without them SQLite guesses how many rows each index holds, and some
    library and analytics queries then take an index that makes them 10-50 times slower;
    the benchmarks run with them. PostgreSQL's autovacuum keeps its own."""
    engine = db.get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        conn.exec_driver_sql("ANALYZE")


def refresh_clocks() -> int:
    """Recompute the open consultations whose clock facts were computed on another promise or
    holiday table than the current ones (`consultations.recompute_clocks(only_stale=True)`), so
    the queue's filters never read a stale deadline after a settings change, and compute any
    row never computed (written before migration 0006); returns how many."""
    count = workflow.recompute_clocks(only_stale=True)
    log.info("consultation clocks: %d consultation(s) recomputed for basis %s (promise %g working days)",
             count, workflow.clock_basis(), workflow.promise_days())
    moved = duties.recompute_due_dates()
    log.info("reporting duties: %d due date(s) moved", moved)
    pending = transfers.recompute_due()
    log.info("transfers: %d pending transfer(s) checked for a stale deadline", pending)
    return count + moved


def _is_empty() -> bool:
    with db.read_session() as session:
        return not session.scalar(select(func.count()).select_from(User))
