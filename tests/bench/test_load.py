"""Load test (opt-in: make bench): how many concurrent users 1 and 2 app processes behind nginx
serve with the 95th percentile page time within 2 s, on PostgreSQL with 1,000,000 cases.

The users are Locust users speaking Streamlit's own protocol (tests/load/): enterprises, sub-centre
staff, experts and admins in the proportions of scenarios.WEIGHTS, each logging in through the
app's cookie route and then opening pages, searching, filtering, opening records, asking,
answering and previewing a 1,000-row upload, with think time between steps. A page time runs from
the rerun request to `script_finished`. The user count steps up (IPOVERSEAS_LOAD_STEPS); each
step runs IPOVERSEAS_LOAD_STEP_SECONDS, its first LOAD_WARMUP seconds (the new users' logins)
not measured; a step whose p95 is over 4 s ends the run (more users would only be slower).
IPOVERSEAS_LOAD_PROCS (default 1,2) says which process counts run.
Locust runs under `nice -n 19` (pinned with `taskset -c IPOVERSEAS_LOAD_GENERATOR_CPUS` when set).

Needs IPOVERSEAS_TEST_DATABASE_URL (the server; the database `load_bench_1m` is built there once,
about 15 minutes, and kept) and nginx. Prints, for N in 1 and 2:
load_users_p95_2s_procsN (the highest step with p95 <= 2 s and no error), load_errors_procsN,
load_rss_mb_procsN (peak RSS of the app processes, summed), load_p95_s_procsN_usersU per step,
load_generator_cpu_share_procsN, load_app_cpu_s_per_page_procsN (the app processes' CPU seconds
over the page runs: the capacity of a process whatever the machine's load),
load_db_cpu_s_per_page_procsN (PostgreSQL's, on this machine), and loadavg_before / loadavg_after.

Quick smoke run: IPOVERSEAS_LOAD_STEPS=2 IPOVERSEAS_LOAD_STEP_SECONDS=30 IPOVERSEAS_BENCH_CASES=10000.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.load.cluster import cluster, processes_cpu_seconds, run_locust, sustained
from tests.load.scenarios import pool_from_database, upload_workbook

pytestmark = pytest.mark.bench

PG_URL = os.environ.get("IPOVERSEAS_TEST_DATABASE_URL")
N_CASES = int(os.environ.get("IPOVERSEAS_BENCH_CASES", "1000000"))
STEPS = [int(x) for x in os.environ.get("IPOVERSEAS_LOAD_STEPS", "4,8,12,16,24,32,40,48").split(",")]
PROCS = [int(x) for x in os.environ.get("IPOVERSEAS_LOAD_PROCS", "1,2").split(",")]
STEP_SECONDS = float(os.environ.get("IPOVERSEAS_LOAD_STEP_SECONDS", "45"))
WARMUP = float(os.environ.get("IPOVERSEAS_LOAD_WARMUP", "15"))
THINK = os.environ.get("IPOVERSEAS_LOAD_THINK", "5,15")
GENERATOR_CPUS = os.environ.get("IPOVERSEAS_LOAD_GENERATOR_CPUS") or None
P95_LIMIT_S = 2.0


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@pytest.fixture(scope="module")
def bench_db():
    if not PG_URL:
        pytest.skip("the load test runs on PostgreSQL: set IPOVERSEAS_TEST_DATABASE_URL")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("nginx is not installed")
    from tests.bench.data import build_postgres

    name = "load_bench_1m" if N_CASES == 1_000_000 else f"load_bench_{N_CASES}"
    return build_postgres(PG_URL, name, N_CASES, 20_000 if N_CASES >= 100_000 else 200, seed=0, demo=True)


def test_bench_load(bench_db, tmp_path):
    pool = tmp_path / "pool.json"
    pool.write_text(json.dumps(pool_from_database(bench_db).__dict__))
    workbook = tmp_path / "upload-1000.xlsx"
    workbook.write_bytes(upload_workbook(1_000))
    print()
    print(f"load_cases={N_CASES}")
    print(f"loadavg_before={_loadavg()}")
    users, errors, shares = {}, {}, {}
    for procs in PROCS:
        folder = tmp_path / f"procs{procs}"
        with cluster(bench_db, procs, folder) as c:
            cpu_before, db_before = c.cpu_seconds(), processes_cpu_seconds("postgres")
            result = run_locust(c.base, folder, steps=STEPS, step_seconds=STEP_SECONDS, warmup_seconds=WARMUP,
                                think=THINK, pool=pool, workbook=workbook, cpus=GENERATOR_CPUS)
            rss = c.rss_mb("VmHWM")
            cpu = c.cpu_seconds() - cpu_before
            db_cpu = processes_cpu_seconds("postgres") - db_before
        spread = c.sessions_per_process()      # nginx logs a WebSocket when it closes: after the run
        assert result.steps, result.output
        for step in result.steps:
            print(f"load_p95_s_procs{procs}_users{step['users']}={step['p95']}")
            print(f"load_p50_s_procs{procs}_users{step['users']}={step['p50']}")
            print(f"load_pages_procs{procs}_users{step['users']}={step['pages']}")
            for name, message in step["error_samples"]:
                print(f"load_error_sample_procs{procs}={name}: {message[:200]}")
        users[procs] = sustained(result.steps, P95_LIMIT_S)
        errors[procs] = sum(s["errors"] for s in result.steps)
        shares[procs] = result.generator_share
        print(f"load_users_p95_2s_procs{procs}={users[procs]}")
        if users[procs] == STEPS[-1]:   # the highest step tried held: the process may serve more
            print(f"load_users_p95_2s_procs{procs}_is_the_highest_step_tried=1")
        print(f"load_errors_procs{procs}={errors[procs]}")
        print(f"load_rss_mb_procs{procs}={rss:.0f}")
        print(f"load_sessions_per_process_procs{procs}={','.join(map(str, spread))}")
        print(f"load_generator_cpu_share_procs{procs}={shares[procs]:.3f}")
        runs = sum(s.get("runs", 0) for s in result.steps)
        # The app's own CPU per page run (logins included), which the machine's load inflates far less
        # than the wall-clock page time: one process serves at most 1 / this page runs a second.
        print(f"load_app_cpu_s_per_page_procs{procs}={cpu / runs:.3f}" if runs else
              f"load_app_cpu_s_per_page_procs{procs}=n/a")
        # PostgreSQL's CPU per page run (the server runs on this machine, on the same cores): what the
        # second process has to share the machine with
        if runs:
            print(f"load_db_cpu_s_per_page_procs{procs}={db_cpu / runs:.3f}")
    print(f"load_generator_cpu_share={max(shares.values()):.3f}")
    print(f"load_users_ratio_procs2_procs1={users[2] / users[1]:.2f}" if users.get(1) and 2 in users else
          "load_users_ratio_procs2_procs1=n/a")
    print(f"loadavg_after={_loadavg()}")
