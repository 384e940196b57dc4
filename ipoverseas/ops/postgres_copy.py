"""PostgreSQL: `pg_dump -Fc` under a snapshot our own read-only transaction exports (the check
figures are read in it too), and `pg_restore` in one transaction into a recreated schema."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from . import summary
from .errors import BackupError

INSTALL_HINT = ("install the PostgreSQL client programs of the server's major version or newer "
                "(Debian/Ubuntu: apt install postgresql-client-15; RHEL: dnf install postgresql15), "
                "or put them on PATH")


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


def backup(url: str, partial: Path) -> dict[str, Any]:
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


def restore(source: Path, url: str) -> None:
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
