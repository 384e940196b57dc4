"""Run a background job once for the whole cluster, wherever it is started.

Every host's cron may start `notify-overdue`, `notify-transfers`, `notify-duties` and
`recompute-clocks`; each run first takes the job's cluster-wide lock and, when another process
holds it, exits at once saying so. The jobs are also idempotent on their own (each row is claimed in
the transaction that notifies it), so the lock saves work and noise; it is not what keeps a
notification from being sent twice.

- PostgreSQL: a session-level advisory lock, `pg_try_advisory_lock(key)`, on a connection of its
  own held for the job's length. The key is derived from the job's name. PostgreSQL releases it
  when that connection ends, also when the process is killed or its host goes down (by TCP
  keepalive), so a crashed run never blocks the next one.
- SQLite (one host; the database is a file there): an exclusive `flock` on a file beside the
  database, `<database>.<job>.lock`. The kernel releases it when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ipoverseas.core import db

log = logging.getLogger(__name__)


def lock_key(job: str) -> int:
    """The advisory lock's key: a signed 64-bit number derived from the job's name."""
    digest = hashlib.sha256(f"ipoverseas:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file(job: str) -> Path | None:
    """SQLite: the lock file beside the database (None for an in-memory database)."""
    database = make_url(str(db.get_engine().url)).database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve().with_name(f"{Path(database).name}.{job}.lock")


@contextmanager
def cluster_lock(job: str) -> Iterator[bool]:
    """Hold the job's cluster-wide lock for the block: yields True when this process got it,
    False when another process holds it (then do nothing)."""
    engine = db.get_engine()
    if db.is_sqlite(engine):
        path = lock_file(job)
        if path is None:
            yield True
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)   # closing the file releases the lock
        return
    key = lock_key(job)
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        conn.commit()   # no transaction left open for the job's length; the lock is the session's
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()


def once(job: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Decorate a command's handler: it runs only when this process gets the job's lock; otherwise
    the command prints that another process runs the job and exits 0 (cron mails nothing amiss)."""
    def wrap(handler: Callable[..., int]) -> Callable[..., int]:
        def run(args) -> int:
            with cluster_lock(job) as got:
                if not got:
                    log.info("%s: another process runs it; skipped", job)
                    if not getattr(args, "quiet", False):
                        print(f"{job}: another process (this host or another) runs it now; skipped")
                    return 0
                return handler(args)
        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        return run
    return wrap
