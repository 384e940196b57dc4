"""SQLite: copy a live database with the online backup API, in one step under one read snapshot
(WAL: writers go on meanwhile). Never `cp` a live WAL database: committed rows still in the -wal
file are silently lost, and both copies pass the integrity check."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from ipoverseas.core import db
from . import summary
from .errors import BackupError


def database_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up or restore")
    return Path(database)


def backup(url: str, partial: Path) -> dict[str, Any]:
    source = database_file(url)
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
    return figures(partial)


def figures(path: Path, *, read_only: bool = True) -> dict[str, Any]:
    """(A live WAL database is opened read-write: a read-only reader may find no -shm to use.)"""
    return summary.read_url(f"sqlite:///file:{path}?mode=ro&uri=true" if read_only else f"sqlite:///{path}")


def restore(source: Path, url: str) -> None:
    target = database_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)   # replaces every page of the target in one write transaction
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
        src.close()
