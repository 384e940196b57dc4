"""Benchmark: backup and restore (with the check) of the benchmark case database.

`IPOVERSEAS_BENCH_CASES` cases (1,000,000 by default, the file tests/bench/test_library.py builds
and reuses); with IPOVERSEAS_TEST_DATABASE_URL the same cases are copied into PostgreSQL too.
Prints name=value lines.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ipoverseas.core import db
from ipoverseas.ops import backup as ops_backup
from tests.conftest import PG_URL, _pg_admin_engine, _pg_url

pytestmark = pytest.mark.bench

BENCH_DIR = Path(os.environ.get("IPOVERSEAS_BENCH_DIR", "/tmp"))
N = int(os.environ.get("IPOVERSEAS_BENCH_CASES", "1000000"))


def _bench_sqlite() -> Path:
    from tests.bench.data import build_sqlite

    path = BENCH_DIR / f"ipoverseas-bench-{'1m' if N == 1_000_000 else N}.db"
    build_sqlite(str(path), N, 20_000 if N == 1_000_000 else 0, seed=0)
    db.dispose_all()
    return path


def _measure(label: str, source_url: str, target_url: str, tmp_path: Path) -> None:
    started = time.perf_counter()
    taken = ops_backup.backup(tmp_path / f"bench-{label}.bak", url=source_url)
    backup_s = time.perf_counter() - started
    started = time.perf_counter()
    restored = ops_backup.restore(taken.path, url=target_url)
    restore_s = time.perf_counter() - started
    assert restored.ok, restored.differences
    print(f"ops.{label}_cases={taken.figures['tables']['cases']}")
    print(f"ops.{label}_backup_s={backup_s:.1f}")
    print(f"ops.{label}_backup_mb={taken.path.stat().st_size / 1e6:.0f}")
    print(f"ops.{label}_restore_and_check_s={restore_s:.1f}")


def test_backup_and_restore_of_the_benchmark_database(tmp_path):
    source = _bench_sqlite()
    _measure("sqlite", f"sqlite:///{source}", f"sqlite:///{tmp_path / 'restored.db'}", tmp_path)
    if not PG_URL:
        return
    names = [f"ipo_bench_{uuid.uuid4().hex[:8]}_{k}" for k in ("src", "dst")]
    with _pg_admin_engine().connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        from tests.bench.data import fill_cases

        engine = create_engine(_pg_url(names[0]), poolclass=NullPool)
        db.migrate(engine)
        fill_cases(engine, N, 0)
        engine.dispose()
        _measure("postgresql", _pg_url(names[0]), _pg_url(names[1]), tmp_path)
    finally:
        db.dispose_all()
        with _pg_admin_engine().connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
