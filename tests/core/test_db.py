"""The database layer: SQLite pragmas, write transactions and the revision counter."""

import threading

import pytest
from sqlalchemy import select, text

from ipoverseas.core import db
from ipoverseas.core.models import SubCentre


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_database):
    with db.get_engine().connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_every_write_bumps_the_revision(database):
    before = db.revision()
    with db.write_session() as s:
        s.add(SubCentre(code="T1", name_zh="测试", name_en="Test"))
    assert db.revision() == before + 1


def test_a_failed_write_changes_nothing(database):
    before = db.revision()
    with pytest.raises(RuntimeError):
        with db.write_session() as s:
            s.add(SubCentre(code="T2", name_zh="测试", name_en="Test"))
            s.flush()
            raise RuntimeError("boom")
    with db.read_session() as s:
        assert s.scalar(select(SubCentre).where(SubCentre.code == "T2")) is None
    assert db.revision() == before


def test_read_then_write_transactions_do_not_fail_under_a_competing_writer(database):
    """Two threads each read and then write, many times; none may fail with 'busy snapshot'."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(tag: str) -> None:
        try:
            barrier.wait()
            for i in range(25):
                with db.write_session() as s:
                    s.scalar(select(SubCentre.id).limit(1))  # read first...
                    s.add(SubCentre(code=f"{tag}{i}", name_zh=tag, name_en=tag))  # ...then write
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(tag,)) for tag in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read_session() as s:
        assert len(s.scalars(select(SubCentre.id)).all()) == 50
    assert db.revision() == 50


def test_postgresql_sessions_get_the_apps_work_mem_and_no_jit(database, monkeypatch):
    """A search for a term in most cases needs an exact bitmap (work_mem) and no JIT compile (see db)."""
    if not database.startswith("postgresql"):
        assert db._postgresql_options(database) == {}
        return
    with db.read_session() as s:
        assert s.execute(text("SHOW work_mem")).scalar() == "64MB"
        assert s.execute(text("SHOW jit")).scalar() == "off"
    monkeypatch.setenv("IPOVERSEAS_PG_WORK_MEM", "128MB; DROP TABLE cases")
    with pytest.raises(ValueError, match="IPOVERSEAS_PG_WORK_MEM"):
        db._postgresql_options(database)
    monkeypatch.setenv("IPOVERSEAS_PG_WORK_MEM", "256 MB")
    assert db._postgresql_options(database) == {"options": "-c work_mem=256MB -c jit=off"}
