"""The engine, sessions, the database revision and migrations.

All SQL goes through the engine made here. Two kinds of session:

- `read_session()`: a plain transaction for reads.
- `write_session()`: on SQLite it starts with `BEGIN IMMEDIATE`, so a transaction
  that reads and then writes can never fail with SQLITE_BUSY_SNAPSHOT under a
  competing writer (UPLOAD_SAFETY.md); on every database it bumps the revision
  counter that cached reads take as part of their key.
"""

from __future__ import annotations

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
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
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


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """A transaction that commits at the end, or rolls back on any error.

    Bumps the database revision in the same transaction, so every reader that caches
    by revision sees the change.
    """
    engine = engine or get_engine()
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_immediate=True)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as session:
        yield session
        bump_revision(session)


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
