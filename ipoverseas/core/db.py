"""The engine, sessions, the database revision and migrations.

All SQL goes through the engine made here. Two kinds of session:

- `read_session()`: a plain transaction for reads.
- `write_session()`: on SQLite it starts with `BEGIN IMMEDIATE`, so a transaction
  that reads and then writes can never fail with SQLITE_BUSY_SNAPSHOT under a
  competing writer (UPLOAD_SAFETY.md); on every database it bumps the revision
  counter that cached reads take as part of their key. `lock_wait_ms` bounds how long
  it waits for a lock another writer holds (SQLite's write lock, a PostgreSQL row lock);
  past it the database says it is busy (`is_busy`).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from ipoverseas.core import config

_engines: dict[str, Engine] = {}
_lock = threading.Lock()

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy (not the sqlite3 module) emit BEGIN, so we choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        options = conn.get_execution_options()
        # The wait for the write lock is the connection's busy timeout: set it for this transaction
        # when asked, and back to the default on the next one (the connection returns to the pool).
        wait = options.get("lock_wait_ms")
        if wait is not None or conn.connection.info.get("lock_wait_ms") is not None:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS if wait is None else int(wait)}")
            conn.connection.info["lock_wait_ms"] = wait
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate", False) else "BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        wait = conn.get_execution_options().get("lock_wait_ms")
        if wait is not None:  # 0 would mean "no limit" to PostgreSQL
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{max(int(wait), 1)}ms'")


def _postgresql_options(url: str) -> dict:
    """The app's session settings on PostgreSQL: enough work_mem that the search's bitmaps stay
    exact (a lossy one rechecks the gram expression on every row of its pages), and no JIT
    (compiling costs 0.1-0.2 s a query, more than our page queries gain from it)."""
    if not url.startswith("postgresql"):
        return {}
    work_mem = str(config.get("pg_work_mem")).strip()
    if not re.fullmatch(r"\d+\s*(kB|MB|GB)?", work_mem):
        raise ValueError(f"IPOVERSEAS_PG_WORK_MEM: not a size: {work_mem!r} (say 64MB)")
    return {"options": f"-c work_mem={work_mem.replace(' ', '')} -c jit=off"}


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the whole process."""
    url = url or config.database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                path = url.split("///", 1)[-1]
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
                _configure_sqlite(engine)
            else:
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                                       connect_args=_postgresql_options(url))
                if engine.dialect.name == "postgresql":
                    _configure_postgresql(engine)
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or get_engine()).dialect.name == "sqlite"


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    engine = engine or get_engine()
    with Session(engine, expire_on_commit=False) as session:
        yield session


def writer(engine: Engine | None = None, *, lock_wait_ms: int | None = None, immediate: bool = True) -> Engine:
    """The engine for a write transaction: on SQLite it begins with `BEGIN IMMEDIATE` (unless
    `immediate` is false); `lock_wait_ms` bounds the wait for a lock another writer holds (by
    default SQLite waits `SQLITE_BUSY_TIMEOUT_MS`, PostgreSQL as long as it takes)."""
    engine = engine or get_engine()
    options: dict = {}
    if engine.dialect.name == "sqlite" and immediate:
        options["sqlite_immediate"] = True
    if lock_wait_ms is not None:
        options["lock_wait_ms"] = int(lock_wait_ms)
    return engine.execution_options(**options) if options else engine


@contextmanager
def write_session(engine: Engine | None = None, *, lock_wait_ms: int | None = None) -> Iterator[Session]:
    """A transaction that commits at the end, or rolls back on any error.

    Bumps the database revision in the same transaction, so every reader that caches
    by revision sees the change. `lock_wait_ms`: see `writer`.
    """
    factory = sessionmaker(writer(engine, lock_wait_ms=lock_wait_ms), expire_on_commit=False)
    with factory.begin() as session:
        yield session
        bump_revision(session)


# SQLSTATEs of PostgreSQL meaning "another transaction is in the way, try again": lock_not_available
# (lock_timeout), deadlock_detected, serialization_failure.
_PG_BUSY_STATES = frozenset({"55P03", "40P01", "40001"})


def is_busy(exc: BaseException | None) -> bool:
    """Did the database refuse because another writer holds a lock (SQLite's "database is locked",
    PostgreSQL's lock timeout), i.e. a moment later the same request would work?"""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.OperationalError):
            text_ = str(exc).lower()
            return "locked" in text_ or "busy" in text_
        if getattr(exc, "sqlstate", None) in _PG_BUSY_STATES:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def insert_ignoring_duplicates(session: Session):
    """`insert(table)` that skips rows another writer made meanwhile (ON CONFLICT DO NOTHING, on
    SQLite and PostgreSQL): for rows keyed to be made once (a duty's periods, a digest per week)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return lambda table: pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return lambda table: sqlite_insert(table).on_conflict_do_nothing()


def bump_revision(session: Session) -> None:
    from ipoverseas.core.models import Revision

    session.execute(update(Revision).where(Revision.id == 1).values(value=Revision.value + 1))


def revision(engine: Engine | None = None) -> int:
    """The counter every write bumps; caches use it as part of their key."""
    with (engine or get_engine()).connect() as conn:
        return revision_in(conn)


def revision_in(session: Session | Connection) -> int:
    """The revision as the session's (or connection's) own transaction sees it."""
    from ipoverseas.core.models import Revision

    return int(session.scalar(select(Revision.value).where(Revision.id == 1)) or 0)


def migrate(engine: Engine | None = None) -> None:
    """Bring the schema up to the newest Alembic revision."""
    from alembic import command

    engine = engine or get_engine()
    with engine.begin() as conn:
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def ping(engine: Engine | None = None) -> bool:
    with (engine or get_engine()).connect() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1
