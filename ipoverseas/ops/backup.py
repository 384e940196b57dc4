"""Backups and restores that are consistent while the app runs and imports.

- SQLite (sqlite_copy.py): the online backup API, one read snapshot, so an import still
  applying is wholly absent from the copy and every committed row is in it.
- PostgreSQL (postgres_copy.py): `pg_dump -Fc` under a snapshot exported by our own read-only
  transaction, in which the check figures are read too; `pg_restore` in one transaction.

Each backup gets a manifest beside it (`<file>.json`): where and when it was taken and the
figures of `summary.read`. A restore refuses a database that is not empty unless forced, and
then compares the restored database with the manifest.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ipoverseas.core import config, db
from . import postgres_copy, sqlite_copy, summary
from .errors import BackupError

FORMAT = "ipoverseas-backup 1"
SQLITE_MAGIC, PG_MAGIC = b"SQLite format 3\x00", b"PGDMP"


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
        figures = (sqlite_copy if dialect == "sqlite" else postgres_copy).backup(url, partial)
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
        path, n = dest / f"ipoverseas-{stamp}.{suffix}", 1
        while path.exists() or manifest_path(path).exists():   # two backups within a second
            n += 1
            path = dest / f"ipoverseas-{stamp}-{n}.{suffix}"
        return path
    if not dest.parent.is_dir():
        raise BackupError(f"no folder {dest.parent} to write the backup in")
    if dest.exists():
        raise BackupError(f"{dest} exists: name a new file, or a folder for a dated one")
    return dest


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
        path = sqlite_copy.database_file(url)
        return sqlite_copy.figures(path, read_only=False) if path.is_file() and path.stat().st_size else None
    return summary.read_url(url)


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
    (sqlite_copy if dialect == "sqlite" else postgres_copy).restore(source, url)
    found = current_figures(url)
    if expected is None and dialect == "sqlite":   # no manifest: the backup file is its own witness
        expected = sqlite_copy.figures(source)
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
