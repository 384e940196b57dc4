"""Background work runs once for the whole cluster (ipoverseas/ops/once.py): a run started while
another holds the job's lock exits 0 saying so and does nothing; two concurrent runs, as two hosts'
cron would start them, notify each overdue consultation once. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from ipoverseas.core import db
from ipoverseas.ops import once

ROOT = Path(__file__).resolve().parents[2]
JOBS = ["notify-overdue", "notify-transfers", "notify-duties", "recompute-clocks"]

# Waits for the start file, then tries the lock and, if it got it, holds it for HOLD_S.
HOLDER = """
import sys, time
from pathlib import Path
from ipoverseas.ops import once
start = Path(sys.argv[1])
while not start.exists():
    time.sleep(0.01)
with once.cluster_lock("notify-overdue") as got:
    print("got" if got else "busy", flush=True)
    if got:
        time.sleep(3)
"""


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ipoverseas", *args], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _overdue_state() -> tuple[int, int]:
    """(consultations marked notified, overdue notifications)."""
    with db.read_session() as s:
        marked = s.scalar(text("SELECT count(*) FROM consultations WHERE overdue_notified_at IS NOT NULL"))
        sent = s.scalar(text("SELECT count(*) FROM notifications WHERE kind = 'overdue'"))
    return marked, sent


def _make_overdue() -> int:
    """Every open demo consultation past its due time and not yet notified; returns how many."""
    with db.write_session() as s:
        count = s.execute(text("UPDATE consultations SET due_at = :past, overdue_notified_at = NULL "
                               "WHERE status IN ('submitted', 'assigned', 'in_progress') AND answered_at IS NULL"),
                          {"past": "2020-01-01 00:00:00"}).rowcount
    return count


def test_lock_keys_differ_per_job_and_fit_a_bigint():
    keys = [once.lock_key(job) for job in JOBS]
    assert len(set(keys)) == len(JOBS) and all(-2**63 <= k < 2**63 for k in keys)


def test_the_lock_is_exclusive_and_released(database):
    with once.cluster_lock("notify-overdue") as first:
        assert first
        with once.cluster_lock("notify-transfers") as other_job:
            assert other_job                                  # one lock per job
    with once.cluster_lock("notify-overdue") as again:
        assert again                                         # released at the end of the block


@pytest.mark.parametrize("job", JOBS)
def test_a_run_while_another_holds_the_lock_exits_0_and_does_nothing(demo_database, job):
    assert _make_overdue() > 0
    before = _overdue_state()
    with once.cluster_lock(job) as got:
        assert got
        run = _cli(job)
        out, _ = run.communicate(timeout=120)
    assert run.returncode == 0, out
    assert "another process" in out and "skipped" in out
    assert _overdue_state() == before
    if job == "notify-overdue":                              # and once released, the next run does it
        run = _cli(job)
        out, _ = run.communicate(timeout=120)
        assert run.returncode == 0 and "notified" in out, out
        assert _overdue_state()[0] > before[0]


def test_two_processes_at_once_one_gets_the_lock(database, tmp_path):
    start = tmp_path / "start"
    procs = [subprocess.Popen([sys.executable, "-c", HOLDER, str(start)], cwd=ROOT, env=dict(os.environ),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(2)   # both imported and waiting
    start.touch()
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert sorted(out.strip() for out, _ in results) == ["busy", "got"], results


def test_two_concurrent_cron_runs_notify_each_overdue_consultation_once(demo_database):
    assert _make_overdue() > 0
    marked_before, sent_before = _overdue_state()
    runs = [_cli("notify-overdue"), _cli("notify-overdue")]
    outputs = [r.communicate(timeout=120)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    with db.read_session() as s:
        marked = s.scalar(text("SELECT count(*) FROM consultations WHERE overdue_notified_at IS NOT NULL"))
        per_consultation = s.execute(text(
            "SELECT consultation_id, user_id, count(*) FROM notifications WHERE kind = 'overdue' "
            "GROUP BY consultation_id, user_id")).all()
    assert _overdue_state()[1] > sent_before
    assert all(n == 1 for _, _, n in per_consultation), per_consultation   # nobody notified twice
    notified = sum(int(o.split("notified ")[1].split()[0]) for o in outputs if "notified " in o)
    assert notified == marked - marked_before > 0, outputs  # together they did each one once
