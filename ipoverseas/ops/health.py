"""Is this app process fit to serve? The database answers and its schema is the code's.

What the load balancer asks (`GET /_ipoverseas/health`, ipoverseas/ops/routes.py). It says
only "ok" or what is wrong, never a row, a URL or an error text.
"""

from __future__ import annotations

import importlib
import logging
from functools import lru_cache

# Alembic is imported here, once, when the server mounts the route (its main thread). Imported
# lazily, the first health check (a worker thread) and the first session's migration (another
# thread) imported it at the same moment after a restart, and the half-initialised modules broke
# every later check and migration of that process (tests/e2e/test_cluster.py, the restart).
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from ipoverseas.core import db

importlib.import_module("alembic.command")   # what db.migrate() imports lazily
log = logging.getLogger(__name__)

OK, UNREACHABLE = "ok", "unreachable"
CURRENT, BEHIND, UNKNOWN = "current", "behind", "unknown"


@lru_cache(maxsize=1)
def _scripts():
    return ScriptDirectory.from_config(db.alembic_config("sqlite://"))


def head_revisions() -> frozenset[str]:
    """The newest migration(s) this code ships."""
    return frozenset(_scripts().get_heads())


def database_revisions(connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def check() -> dict[str, str]:
    """{"database": "ok" | "unreachable", "migrations": "current" | "behind" | "unknown"}."""
    try:
        with db.get_engine().connect() as conn:
            current = database_revisions(conn)
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable (%s)", exc.__class__.__name__)
        return {"database": UNREACHABLE, "migrations": UNKNOWN}
    if current == head_revisions():
        return {"database": OK, "migrations": CURRENT}
    # Behind (or no schema yet), or a database migrated by newer code than this process runs.
    log.warning("health check: database at %s, code at %s", sorted(current), sorted(head_revisions()))
    known = {script.revision for script in _scripts().walk_revisions()}
    return {"database": OK, "migrations": BEHIND if current <= known else UNKNOWN}


def healthy(result: dict[str, str]) -> bool:
    return result == {"database": OK, "migrations": CURRENT}
