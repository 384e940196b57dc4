"""Backups and restores that are consistent while the app runs and imports.

- SQLite: the online backup API copies the database in one step under one read snapshot
  (WAL: writers go on meanwhile), so an import still applying is wholly absent from the copy.
  Never `cp` a live WAL database: committed rows still in the -wal file are silently lost.
- PostgreSQL: `pg_dump -Fc` under a snapshot exported by our own read-only transaction, in
  which the check figures are read too; `pg_restore` in one transaction.

Each backup gets a manifest beside it (`<file>.json`): where and when it was taken and the
figures of `summary.read`. A restore refuses a database that is not empty unless forced, and
then compares the restored database with the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from ipoverseas.core import config, db
from . import summary

FORMAT = "ipoverseas-backup 1"
SQLITE_MAGIC, PG_MAGIC = b"SQLite format 3\x00", b"PGDMP"
INSTALL_HINT = ("install the PostgreSQL client programs of the server's major version or newer "
                "(Debian/Ubuntu: apt install postgresql-client-15; RHEL: dnf install postgresql15), "
                "or put them on PATH")


class BackupError(Exception):
    """A backup or restore that did not happen (or did not check out); the message says why."""


@dataclass
class Taken:
    path: Path
    manifest: Path
    figures: dict[str, Any]
    seconds: float


@dataclass
class Restored:
    source: Path
    target: str
    replaced: bool                      # the target held data (--force)
    expected: dict[str, Any] | None     # the manifest's figures (None: no manifest)
    found: dict[str, Any]
    differences: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.expected is not None and not self.differences


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def backup(dest: str | Path, url: str | None = None) -> Taken:
    """Back up the database at `url` (the configured one) to `dest` (a file, or a folder to put a
    dated file in). The file appears only when complete; it and its manifest are owner-only."""
    url = url or config.database_url()
    dialect = make_url(url).get_backend_name()
    started = time.monotonic()
    path = _destination(Path(dest), "db" if dialect == "sqlite" else "dump")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    old_umask = os.umask(0o077)   # the copy holds password hashes and every record
    try:
        figures = _backup_sqlite(url, partial) if dialect == "sqlite" else _backup_postgres(url, partial)
        manifest = manifest_path(path)
        manifest.write_text(json.dumps({
            "format": FORMAT, "dialect": dialect, "source": make_url(url).render_as_string(hide_password=True),
            "taken_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "figures": figures},
            ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, path)
    finally:
        os.umask(old_umask)
        partial.unlink(missing_ok=True)
    return Taken(path, manifest, figures, time.monotonic() - started)


def _destination(dest: Path, suffix: str) -> Path:
    if dest.is_dir():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return dest / f"ipoverseas-{stamp}.{suffix}"
    if not dest.parent.is_dir():
        raise BackupError(f"no folder {dest.parent} to write the backup in")
    if dest.exists():
        raise BackupError(f"{dest} exists: name a new file, or a folder for a dated one")
    return dest


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up or restore")
    return Path(database)


def _backup_sqlite(url: str, partial: Path) -> dict[str, Any]:
    source = _sqlite_file(url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)   # pages=-1: the whole database in one step, from one read snapshot
        dst.execute("PRAGMA journal_mode = DELETE")   # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    return _sqlite_figures(partial)


def _sqlite_figures(path: Path, *, read_only: bool = True) -> dict[str, Any]:
    """(A live WAL database is opened read-write: a read-only reader may find no -shm to use.)"""
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true" if read_only else f"sqlite:///{path}",
                           poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return summary.read(conn)
    finally:
        engine.dispose()


def _restore_sqlite(source: Path, url: str) -> None:
    target = _sqlite_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)   # replaces every page of the target in one write transaction
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: {INSTALL_HINT}")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq takes it, and the environment carrying its password (never in argv)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{Path(argv[0]).name} failed (exit {done.returncode}): " + " | ".join(said))


def _backup_postgres(url: str, partial: Path) -> dict[str, Any]:
    pg_dump = _tool("pg_dump")
    conninfo, env = _libpq(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with _connected(engine).execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            figures = summary.read(conn)    # the same snapshot as the dump's
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}",
                  f"--dbname={conninfo}"], env)
    finally:
        engine.dispose()
    return figures


def _connected(engine):
    try:
        return engine.connect()
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot connect to {engine.url.render_as_string(hide_password=True)}: "
                          f"{exc.__class__.__name__}") from None


def _restore_postgres(source: Path, url: str) -> None:
    pg_restore = _tool("pg_restore")
    conninfo, env = _libpq(url)
    _run([pg_restore, "--list", str(source)], env)   # a readable archive, before anything is dropped
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:   # the app's tables, functions and triggers all live in public
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={conninfo}", str(source)], env)


# --- restore ------------------------------------------------------------------------------


def _kind(source: Path) -> str:
    with open(source, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{source} is neither an SQLite backup nor a pg_dump archive")


def current_figures(url: str) -> dict[str, Any] | None:
    """The figures of the database at `url`, or None when there is none yet."""
    if make_url(url).get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        return _sqlite_figures(path, read_only=False) if path.is_file() and path.stat().st_size else None
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return summary.read(conn)
    finally:
        engine.dispose()


def restore(source: str | Path, *, force: bool = False, url: str | None = None) -> Restored:
    """Restore the backup `source` into the database at `url` (the configured one)."""
    url = url or config.database_url()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    started = time.monotonic()
    dialect = make_url(url).get_backend_name()
    kind = _kind(source)
    if kind != dialect:
        raise BackupError(f"{source} is a {kind} backup; the configured database is {dialect}")
    expected = _manifest_figures(source)
    try:
        before = current_figures(url)
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot open the database {make_url(url).render_as_string(hide_password=True)} "
                          f"({exc.__class__.__name__}): create it first (PostgreSQL: createdb) or check "
                          "IPOVERSEAS_DATABASE_URL") from None
    replaced = before is not None and not summary.is_empty(before)
    if replaced and not force:
        raise BackupError(f"the database {make_url(url).render_as_string(hide_password=True)} is not empty "
                          f"({summary.describe(before)}); nothing was changed. Restore into an empty "
                          "database, or add --force to replace it")
    db.dispose_all()   # this process's pooled connections would hold the old database
    (_restore_sqlite if dialect == "sqlite" else _restore_postgres)(source, url)
    found = current_figures(url) or {}
    if expected is None and dialect == "sqlite":   # no manifest: the backup file is its own witness
        expected = _sqlite_figures(source)
    differences = summary.differences(expected, found) if expected is not None else []
    return Restored(source, make_url(url).render_as_string(hide_password=True), replaced, expected, found,
                    differences, time.monotonic() - started)


def _manifest_figures(source: Path) -> dict[str, Any] | None:
    path = manifest_path(source)
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"the manifest {path} is unreadable ({exc}); move it away to restore without the check")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"the manifest {path} is not one this version writes")
    return manifest["figures"]
