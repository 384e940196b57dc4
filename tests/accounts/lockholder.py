"""Another writer holding the database, as a long import does: a separate process that takes the
lock and keeps it until told to let go.

- SQLite: `BEGIN IMMEDIATE`, the database's one write lock (what an import's apply holds).
- PostgreSQL: a transaction holding the revision row (every write transaction bumps it) and every
  account row, FOR UPDATE: a login, a logout or a password change must wait for it, or not at all.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.engine import make_url

_SQLITE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE revision SET value = value WHERE id = 1")
print("held", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""

_POSTGRESQL = """
import psycopg, sys
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute("SELECT value FROM revision WHERE id = 1 FOR UPDATE")
    conn.execute("SELECT id FROM users FOR UPDATE")
    print("held", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def holding(url: str) -> Iterator[subprocess.Popen]:
    """Hold the write lock of the database at `url` (SQLAlchemy URL) for the `with` block."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        code, target = _SQLITE, parsed.database
    else:
        code, target = _POSTGRESQL, parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    proc = subprocess.Popen([sys.executable, "-c", code, target], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "held", "the lock holder could not take the lock"
        yield proc
        assert proc.poll() is None, "the lock holder let go before the test was done"
    finally:
        if proc.poll() is None:
            proc.stdin.write("\n")
            proc.stdin.flush()
        proc.wait(timeout=30)
