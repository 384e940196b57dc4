"""Backups taken while an import applies, restored and checked, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from ipoverseas.cli import main as cli
from ipoverseas.core import db
from ipoverseas.core.models import Case, ImportBatch, RecordVersion, SubCentre
from ipoverseas.imports import service
from ipoverseas.ops import backup as ops_backup, summary
from tests.conftest import PG_URL, _pg_admin_engine, _pg_url
from tests.imports.helpers import add_sub_centre, cases_workbook

ROWS = 3000


@pytest.fixture
def empty_target(tmp_path):
    """empty_target(url) -> the URL of a new, empty database of the same kind (dropped after)."""
    made = []

    def make(like: str) -> str:
        if like.startswith("sqlite"):
            return f"sqlite:///{tmp_path / ('restored_' + uuid.uuid4().hex[:6] + '.db')}"
        name = f"ipo_restore_{uuid.uuid4().hex[:10]}"
        with _pg_admin_engine().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return _pg_url(name)

    yield make
    if PG_URL and made:
        with _pg_admin_engine().connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _figures_of(url: str) -> dict[str, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {"cases": conn.scalar(select(func.count()).select_from(Case).where(Case.case_ref.like("BK-%"))),
                    "applied": conn.scalar(select(func.count()).select_from(ImportBatch)
                                           .where(ImportBatch.status == "applied")),
                    "running": conn.scalar(select(func.count()).select_from(ImportBatch)
                                           .where(ImportBatch.status == "running")),
                    "versions": conn.scalar(select(func.count()).select_from(RecordVersion)),
                    "totals": conn.scalar(text("SELECT COALESCE(SUM(n), 0) FROM case_facet_totals"))}
    finally:
        engine.dispose()


def _sub_centre() -> int:
    return add_sub_centre("BK", "备份")


def test_a_backup_taken_while_an_import_applies_holds_all_of_it_or_none(database, tmp_path, empty_target,
                                                                        monkeypatch):
    centre = _sub_centre()
    book = cases_workbook(tmp_path / "big.xlsx", ROWS, ref_prefix="BK")
    prepared = service.prepare(book, book.name, "cases", None, centre)
    halfway, go_on, seen, outcome = threading.Event(), threading.Event(), [], []

    def progress(fraction: float) -> None:
        """Hold the import at its first report: rows written (a report follows each chunk), not committed."""
        seen.append(fraction)
        if not halfway.is_set():
            halfway.set()
            go_on.wait(120)

    def work():
        try:
            outcome.append(service.apply(prepared, None, progress=progress))
        except BaseException as exc:  # failed below
            outcome.append(exc)
        halfway.set()

    importer = threading.Thread(target=work)
    importer.start()
    try:
        assert halfway.wait(120) and seen, f"the import never reported progress: {outcome}"
        during = ops_backup.backup(tmp_path / "during.bak")
    finally:
        go_on.set()
        importer.join(300)
    assert isinstance(outcome[0], service.Result), outcome
    after = ops_backup.backup(tmp_path / "after.bak")
    assert during.figures["tables"]["cases"] + ROWS == after.figures["tables"]["cases"]
    with db.get_engine().connect() as conn:   # every committed row, also those still in SQLite's -wal file
        assert summary.read(conn) == after.figures

    # During: only the import's "running" mark (its own committed transaction, imports/running.py).
    for taken, expect in ((during, {"cases": 0, "applied": 0, "running": 1}),
                          (after, {"cases": ROWS, "applied": 1, "running": 0})):
        target = empty_target(database)
        restored = ops_backup.restore(taken.path, url=target)
        assert restored.ok and not restored.replaced, restored.differences
        got = _figures_of(target)
        assert {k: got[k] for k in expect} == expect
        assert got["totals"] == restored.found["totals"]["case_facet_totals"]["n"]
        assert got["versions"] == restored.found["tables"]["record_versions"]

    # The restored database works: the batch rolls back there (sequences, triggers), totals follow.
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", target)
    db.dispose_all()
    service.rollback(outcome[0].batch_id, None)
    assert _figures_of(target)["cases"] == 0
    assert _figures_of(target)["totals"] == during.figures["totals"]["case_facet_totals"]["n"]


def test_backups_in_a_loop_during_an_import_never_see_half(database, tmp_path):
    centre = _sub_centre()
    book = cases_workbook(tmp_path / "loop.xlsx", ROWS, ref_prefix="BK")
    prepared = service.prepare(book, book.name, "cases", None, centre)
    base = ops_backup.backup(tmp_path / "base.bak").figures["tables"]["cases"]
    outcome = []
    importer = threading.Thread(target=lambda: outcome.append(service.apply(prepared, None)))
    importer.start()
    counts = []
    while importer.is_alive():
        counts.append(ops_backup.backup(tmp_path / f"loop{len(counts)}.bak").figures["tables"]["cases"])
    importer.join()
    assert isinstance(outcome[0], service.Result)
    assert counts and set(counts) <= {base, base + ROWS}, counts


def test_restore_refuses_a_database_that_is_not_empty_and_says_so(demo_database, tmp_path, capsys):
    assert cli(["backup", str(tmp_path)]) == 0
    written = next(p for p in tmp_path.glob("ipoverseas-*") if p.suffix != ".json")
    assert "backup written" in capsys.readouterr().out
    with db.write_session() as s:   # a change after the backup, which a refused restore must keep
        s.add(SubCentre(code="ZZ", name_zh="后来", name_en="Later"))
    assert cli(["restore", str(written)]) == 1
    out = capsys.readouterr().out
    assert "is not empty" in out and "--force" in out and "nothing was changed" in out
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(SubCentre).where(SubCentre.code == "ZZ")) == 1

    db.dispose_all()
    assert cli(["restore", "--force", str(written)]) == 0
    out = capsys.readouterr().out
    assert "replaced the database that was there (--force)" in out and "check passed" in out
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(SubCentre).where(SubCentre.code == "ZZ")) == 0


def test_a_restore_that_does_not_match_its_manifest_fails_the_check(demo_database, tmp_path, empty_target, capsys):
    taken = ops_backup.backup(tmp_path / "x.bak")
    manifest = json.loads(taken.manifest.read_text(encoding="utf-8"))
    manifest["figures"]["tables"]["cases"] += 1
    manifest["figures"]["audit"]["last_id"] += 1
    taken.manifest.write_text(json.dumps(manifest), encoding="utf-8")
    restored = ops_backup.restore(taken.path, url=empty_target(demo_database))
    assert not restored.ok
    assert any(line.startswith("table cases:") for line in restored.differences)
    assert any(line.startswith("audit trail:") for line in restored.differences)


def test_a_missing_pg_dump_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ops_backup.BackupError, match="apt install postgresql-client"):
        ops_backup.backup("/tmp", url="postgresql+psycopg://postgres@127.0.0.1:5432/whatever")
