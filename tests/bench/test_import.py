"""Benchmark of the upload pipeline on a generated 100,000-row case workbook (opt-in: make bench).

Prints name=value lines: the pipeline (pre-flight + read and validate in the child
process + plan + apply, and after it the duplicate check against another sub-centre's case)
into a database that holds none of the benchmark sub-centre's cases and again as an update of half the
rows; the floor on this machine (python-calamine plus a plain executemany into the
real table, in one transaction); the true floor (issue 16: the fastest reader
installed, fastexcel too when it is, the rows into a table with the same indexes and
no triggers, the full-text index and each totals table by one statement each; its
update one keyed UPDATE .. FROM a staging table; on PostgreSQL a COPY into the real
table, and the bare COPY into a copy without indexes or triggers); their ratios; and
peak memory. The workbook's summary, guidance and lessons differ from row to row.
Floors and pipeline each run in a fresh process, so their peak memory is their own.

SQLite always; PostgreSQL too when IPOVERSEAS_TEST_DATABASE_URL is set (the floor is
then psycopg's executemany, run only up to 5,000 rows: row by row it cannot finish
100,000). IPOVERSEAS_BENCH_RUNS=N repeats floors and pipeline N times, one right
after the other, and prints every run's ratios and their median: the machine is
shared, so one run's ratio is noisy. The CPU seconds (the process and its reader child; on
PostgreSQL also the server processes serving the benchmark's connections, read from /proc, so
the server must run on this machine) are printed too: they move less with the load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.imports.helpers import BENCH_ROWS, bench_files

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("IPOVERSEAS_TEST_DATABASE_URL")
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "1"))
OLD_FLOOR_PG_ROWS = 5_000


def _run(function: str, url: str, first: Path, second: Path) -> dict[str, str]:
    code = (f"from tests.imports.helpers import {function}; "
            f"{function}({url!r}, {str(first)!r}, {str(second)!r})")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=3600,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(
                             [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])})
    assert out.returncode == 0, out.stderr[-3000:]
    figures = {}
    for line in out.stdout.splitlines():
        if "=" in line:
            name, value = line.split("=", 1)
            figures[name] = value
    return figures


class _Databases:
    """A fresh database per side and run: a file for SQLite, a created (and dropped) one on PostgreSQL."""

    def __init__(self, backend: str, folder: Path):
        self.backend, self.folder, self.made = backend, folder, []

    def new(self, tag: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / tag}.db"
        name = f"ipo_bench_{tag}_{uuid.uuid4().hex[:8]}"
        with self._admin().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def _admin(self):
        return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop(self) -> None:
        if self.made:
            with self._admin().connect() as conn:
                for name in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.bench
@pytest.mark.parametrize("backend", ["sqlite"] + (["postgresql"] if PG_URL else []))
def test_bench_import_100k_cases(backend, tmp_path):
    first, second = bench_files(BENCH_ROWS)
    databases = _Databases(backend, tmp_path)
    ratios: dict[str, list[float]] = {"create": [], "update": [], "create_cpu": [], "update_cpu": [],
                                      "true_floor_create": [], "true_floor_update": [],
                                      "true_floor_create_cpu": [], "true_floor_update_cpu": []}
    peaks, bare = [], []
    print()
    print(f"rows={BENCH_ROWS}")
    print(f"backend={backend}")
    try:
        for run in range(1, RUNS + 1):
            load = os.getloadavg()[0]
            # PostgreSQL's row-by-row floor cannot finish 100,000 rows (each row rewrites the same totals rows)
            old = backend == "sqlite" or BENCH_ROWS <= OLD_FLOOR_PG_ROWS
            floor = _run("bench_floor", databases.new(f"floor{run}"), first, second) if old else {}
            true = _run("bench_true_floor", databases.new(f"truefloor{run}"), first, second)
            pipe = _run("bench_pipeline", databases.new(f"pipeline{run}"), first, second)
            for name, value in {**floor, **true, **pipe}.items():
                print(f"run{run}_{name}={value}")
            for kind in ("create", "update"):
                figures = [("", floor, "floor"), ("true_floor_", true, "true_floor")] if old else [("true_floor_", true, "true_floor")]
                for prefix, base, name in figures:
                    ratios[f"{prefix}{kind}"].append(float(pipe[f"pipeline_{kind}_s"]) / float(base[f"{name}_{kind}_s"]))
                    # on PostgreSQL the true floor's and the pipeline's CPU include the server's (not the old floor's)
                    if backend == "sqlite" or prefix:
                        ratios[f"{prefix}{kind}_cpu"].append(float(pipe[f"pipeline_{kind}_cpu_s"])
                                                             / float(base[f"{name}_{kind}_cpu_s"]))
            if "true_floor_copy_bare_s" in true:
                bare.append(float(true["true_floor_copy_s"]) / float(true["true_floor_copy_bare_s"]))
            peaks.append(max(float(pipe["pipeline_peak_parent_mb"]), float(pipe["pipeline_peak_reader_mb"])))
            # the machine is shared: the 1-minute load average before and after the run, as the conditions
            print(f"run{run}_load_average={load:.2f}")
            print(f"run{run}_load_average_end={os.getloadavg()[0]:.2f}")
            for name in ("create", "update", "true_floor_create", "true_floor_update", "true_floor_create_cpu",
                         "true_floor_update_cpu"):
                if ratios[name]:
                    print(f"run{run}_ratio_{name}={ratios[name][-1]:.2f}")
    finally:
        databases.drop()
    for name, values in ratios.items():
        if values:
            print(f"ratio_{name}={statistics.median(values):.2f}")
    if bare:   # PostgreSQL: how much of the COPY floor the real table's indexes and triggers cost
        print(f"ratio_true_floor_copy_over_bare={statistics.median(bare):.2f}")
    print(f"peak_memory_mb={max(peaks):.0f}")
    assert max(peaks) < 1024, "over 1 GB peak memory"
    if ratios["create"]:
        create, update = statistics.median(ratios["create"]), statistics.median(ratios["update"])
        assert create < 2 and update < 2, "more than twice the floor"
    true_create, true_update = statistics.median(ratios["true_floor_create"]), statistics.median(ratios["true_floor_update"])
    # a few thousand rows are mostly the pipeline's fixed costs (a reader process, the pre-flight)
    assert BENCH_ROWS < 100_000 or (true_create < 2 and true_update < 2), "more than twice the true floor"
