"""Traces of failure: an import killed or crashed mid-apply leaves a failed batch and an audit
event, found at the next start-up; the history shows it; it is never rolled back or counted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from ipoverseas import bootstrap
from ipoverseas.core import db, i18n
from ipoverseas.core.models import AuditEvent, Case, ImportBatch, utcnow
from ipoverseas.dashboard import summary
from ipoverseas.imports import Refused, running, service
from tests.imports.helpers import add_sub_centre, cases_workbook
from tests.pages.apptest import run_page

ROOT = Path(__file__).resolve().parents[2]

# A process that imports with a progress callback that never returns: killed there, it dies
# mid-apply, its rows written and not committed, exactly like an import killed by the OOM killer.
_HANGING_IMPORT = """
import sys, time
from ipoverseas.imports import service
def hang(fraction):
    print("applying", flush=True)
    time.sleep(600)
service.run(sys.argv[1], "killed.xlsx", "cases", None, int(sys.argv[2]), progress=hang)
"""


def _centre() -> int:
    return add_sub_centre("KL", "中断")


def _batches() -> list[tuple]:
    with db.read_session() as s:
        return s.execute(select(ImportBatch.id, ImportBatch.status, ImportBatch.filename, ImportBatch.user_id)
                         .order_by(ImportBatch.id)).all()


def _failed_events() -> list[AuditEvent]:
    with db.read_session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "import.failed")))


def _sweep_until_found(batch_id: int) -> None:
    """PostgreSQL ends the killed client's backend (and its lock on the row) a moment later."""
    deadline = time.time() + 10
    while batch_id not in running.sweep():
        assert time.time() < deadline, "the killed import's batch was never marked failed"
        time.sleep(0.2)


def test_an_import_killed_mid_apply_is_found_failed_at_the_next_start(demo_database, tmp_path, principal):
    centre = _centre()
    book = cases_workbook(tmp_path / "killed.xlsx", 2000, ref_prefix="KL")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _HANGING_IMPORT, str(book), str(centre)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "applying", proc.stderr.read()
        [(batch_id, status, filename, _)] = _batches()[-1:]
        assert (status, filename) == ("running", "killed.xlsx")   # visible while it applies
        assert running.sweep() == []                              # a live import is left alone
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    db.dispose_all()

    bootstrap.prepare_database() if db.is_sqlite() else _sweep_until_found(batch_id)
    assert _batches()[-1][:3] == (batch_id, "failed", "killed.xlsx")
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.case_ref.like("KL-%"))) == 0
    [event] = _failed_events()
    assert (event.entity, event.entity_id) == ("import_batch", batch_id)
    assert event.detail["filename"] == "killed.xlsx" and event.detail["cause"] == "process_gone"
    assert event.detail["dataset"] == "cases" and event.detail["sub_centre_id"] == centre
    assert event.detail["started_at"]
    assert running.sweep() == [] and len(_failed_events()) == 1   # found once, audited once

    admin = principal("admin")
    [row] = [r for r in service.history(admin) if r["kind"] == "batch" and r["id"] == batch_id]
    assert row["status"] == "failed" and row["filename"] == "killed.xlsx"
    with pytest.raises(Refused) as refused:
        service.rollback(batch_id, admin)
    assert refused.value.key.endswith("not_applied")
    assert [r["status"] for r in summary.recent_imports(admin) if r["id"] == batch_id] == ["failed"]

    # The same file imports afresh: a failed batch is not "this file was applied already".
    prepared, result = service.run(book, "killed.xlsx", "cases", None, centre)
    assert result.batch_id and prepared.already_batch is None


def test_an_import_that_breaks_in_process_is_marked_failed_at_once(database, tmp_path, monkeypatch):
    centre = _centre()
    book = cases_workbook(tmp_path / "broken.xlsx", 50, ref_prefix="BR")
    prepared = service.prepare(book, "broken.xlsx", "cases", None, centre)

    def broken(*args, **kwargs):
        raise RuntimeError("a fault in the writer")

    monkeypatch.setattr(service.applier, "write", broken)
    with pytest.raises(RuntimeError):
        service.apply(prepared, None)
    assert [(status, name) for _, status, name, _ in _batches()] == [("failed", "broken.xlsx")]
    [event] = _failed_events()
    assert event.detail["cause"] == "error" and event.detail["error"] == "RuntimeError"


def test_a_refused_or_finished_import_leaves_no_running_mark(database, tmp_path):
    centre = _centre()
    book = cases_workbook(tmp_path / "twice.xlsx", 30, ref_prefix="TW")
    service.run(book, "twice.xlsx", "cases", None, centre)
    _, again = service.run(book, "twice.xlsx", "cases", None, centre)   # nothing to do
    assert again.nothing_to_do
    prepared = service.prepare(book, "twice.xlsx", "cases", None, centre)
    with db.write_session() as s:   # the stored rows change after the preview: the apply refuses
        s.execute(update(Case).where(Case.case_ref == "TW-000001").values(title="changed meanwhile"))
    with pytest.raises(service.Busy):
        service.apply(prepared, None)
    assert [status for _, status, _, _ in _batches()] == ["applied"]
    assert _failed_events() == []


def _running_row(process: str, age: timedelta) -> int:
    with db.write_session() as s:
        batch = ImportBatch(dataset="cases", filename="x.xlsx", sha256="0" * 64, status="running",
                            created_at=utcnow() - age, process=process)
        s.add(batch)
        s.flush()
        return batch.id


def test_which_running_batches_the_sweep_marks_failed(database):
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = _running_row(running.this_process(), timedelta(hours=3))          # this very process, however old
    gone = _running_row(f"{host}:{dead.pid}:1", timedelta(seconds=5))       # a pid that has ended
    reused = _running_row(f"{host}:{os.getpid()}:1", timedelta(seconds=5))  # our pid, another start time
    elsewhere = _running_row("other-host:123:456", timedelta(minutes=2))      # maybe still applying there
    stale = _running_row("other-host:124:456", running.STALE_AFTER + timedelta(minutes=1))
    assert sorted(running.sweep()) == sorted([gone, reused, stale])
    failed = {r[0] for r in _batches() if r[1] == "failed"}
    assert failed == {gone, reused, stale}
    assert {e.entity_id: e.detail["cause"] for e in _failed_events()} == {
        gone: "process_gone", reused: "process_gone", stale: "stale"}
    assert {live, elsewhere}.isdisjoint(failed)


def test_the_history_page_labels_a_failed_import_in_both_languages(sqlite_demo_database, principal):
    admin = principal("admin")
    batch = _running_row("gone-host:1:1", running.STALE_AFTER * 2)
    running.sweep()
    for lang in ("zh", "en"):
        at = run_page("upload", admin, lang=lang)
        history = [df.value for df in at.dataframe][-1]
        label = i18n.t("upload.history.status.failed", lang)
        assert label != "upload.history.status.failed"
        assert label in list(history[i18n.t("upload.history.status", lang)])
        assert f"upload?batch={batch}" in list(history[i18n.t("upload.history.batch", lang)])
