"""Benchmark of the upload pipeline on a generated 100,000-row case workbook (opt-in: make bench).

Prints name=value lines: the pipeline (pre-flight + read and validate in the child
process + plan + apply) into an empty database and again as an update of half the
rows; the floor on this machine (python-calamine, the fastest reader installed,
plus a plain executemany in one transaction); their ratios; and peak memory.
Floor and pipeline each run in a fresh process, so their peak memory is their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_helpers import BENCH_ROWS, bench_files

ROOT = Path(__file__).resolve().parent.parent


def _run(function: str, url: str, first: Path, second: Path) -> dict[str, str]:
    code = (f"from tests.import_helpers import {function}; "
            f"{function}({url!r}, {str(first)!r}, {str(second)!r})")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=3600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    figures = {}
    for line in out.stdout.splitlines():
        if "=" in line:
            name, value = line.split("=", 1)
            figures[name] = value
    return figures


@pytest.mark.bench
def test_bench_import_100k_cases(tmp_path):
    first, second = bench_files(BENCH_ROWS)
    backends = [("sqlite", lambda tag: f"sqlite:///{tmp_path / tag}.db")]
    for backend, url_for in backends:
        floor = _run("bench_floor", url_for("floor"), first, second)
        pipe = _run("bench_pipeline", url_for("pipeline"), first, second)
        figures = {**floor, **pipe}
        create_ratio = float(pipe["pipeline_create_s"]) / float(floor["floor_create_s"])
        update_ratio = float(pipe["pipeline_update_s"]) / float(floor["floor_update_s"])
        peak = max(float(pipe["pipeline_peak_parent_mb"]), float(pipe["pipeline_peak_reader_mb"]))
        print()
        print(f"rows={BENCH_ROWS}")
        print(f"backend={backend}")
        for name, value in figures.items():
            print(f"{name}={value}")
        print(f"ratio_create={create_ratio:.2f}")
        print(f"ratio_update={update_ratio:.2f}")
        print(f"peak_memory_mb={peak:.0f}")
        assert peak < 1024, "over 1 GB peak memory"
        assert create_ratio < 2 and update_ratio < 2, "more than twice the floor"
