"""The stored rows read while the reader parses (plan.read_ahead) give the same plan, and never a stale one."""

from __future__ import annotations

from sqlalchemy import select, update

from ipoverseas.core import db
from ipoverseas.imports import plan as planner, service
from ipoverseas.core.models import Case, SubCentre
from tests.imports.helpers import cases_workbook


def _sub_centre(code: str) -> int:
    with db.write_session() as s:
        s.add(SubCentre(code=code, name_zh=code, name_en=code))
    with db.read_session() as s:
        return s.scalar(select(SubCentre.id).where(SubCentre.code == code))


def _summary(plan):
    return ({ch.key: (ch.id, ch.version, ch.diff, ch.review_status) for ch in plan.updates},
            sorted(plan.unchanged), [(row, key) for row, key, _ in plan.creates])


def _parsed(tmp_path, sc, n: int):
    path = cases_workbook(tmp_path / f"v2-{n}.xlsx", n, seed=9, ref_prefix="RA", changed_every=3)
    return service.prepare(path, path.name, "cases", None, sc, with_plan=False).parsed


def _no_second_read(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the plan read the stored rows again")
        yield  # pragma: no cover

    monkeypatch.setattr(planner, "_stored_rows", refuse)


def test_a_plan_from_the_rows_read_ahead_equals_a_plan_that_reads_them(database, tmp_path, monkeypatch):
    sc = _sub_centre("RA")
    service.run(cases_workbook(tmp_path / "v1.xlsx", 60, seed=9, ref_prefix="RA"), "v1.xlsx", "cases", None, sc)
    parsed = _parsed(tmp_path, sc, 64)
    with db.read_session() as s:
        ahead = planner.read_ahead(s, "cases", sc, 64)
        read = planner.make(s, parsed, sc)
    assert ahead is not None and len(ahead.rows) == 60
    with monkeypatch.context() as m:
        _no_second_read(m)
        with db.read_session() as s:
            from_ahead = planner.make(s, parsed, sc, ahead)
    assert _summary(from_ahead) == _summary(read)
    assert len(read.updates) == 20 and len(read.unchanged) == 40 and len(read.creates) == 4


def test_a_write_after_the_read_ahead_is_seen_by_the_plan(database, tmp_path):
    sc = _sub_centre("RB")
    service.run(cases_workbook(tmp_path / "v1.xlsx", 30, seed=9, ref_prefix="RA"), "v1.xlsx", "cases", None, sc)
    parsed = _parsed(tmp_path, sc, 30)
    with db.read_session() as s:
        ahead = planner.read_ahead(s, "cases", sc, 30)
    first = parsed.rows[0][1][parsed.index("case_ref")]
    with db.write_session() as s:   # someone edits a row the file does not change: its revision moves
        s.execute(update(Case).where(Case.sub_centre_id == sc, Case.case_ref == first)
                  .values(title="edited meanwhile", version=Case.version + 1))
    with db.read_session() as s:
        plan = planner.make(s, parsed, sc, ahead)
    [change] = [ch for ch in plan.updates if ch.key == first]
    assert change.diff["title"][0] == "edited meanwhile" and change.version == 2


def test_no_read_ahead_for_a_small_file_against_a_big_sub_centre(database, tmp_path):
    sc = _sub_centre("RC")
    service.run(cases_workbook(tmp_path / "v1.xlsx", 30, seed=9, ref_prefix="RA"), "v1.xlsx", "cases", None, sc)
    with db.read_session() as s:
        assert planner.read_ahead(s, "cases", sc, 10) is None
        assert planner.read_ahead(s, "cases", _sub_centre("RD"), 10) is None   # nothing stored


def test_an_import_reads_the_stored_rows_once(database, tmp_path, monkeypatch):
    sc = _sub_centre("RE")
    service.run(cases_workbook(tmp_path / "v1.xlsx", 40, seed=9, ref_prefix="RA"), "v1.xlsx", "cases", None, sc)
    monkeypatch.setattr(service, "READ_AHEAD_ROWS", 10)
    reads = []
    original = planner._stored_rows

    def counted(*args, **kwargs):
        reads.append(args[3] is None)   # keys None: the read-ahead's pass over the sub-centre
        yield from original(*args, **kwargs)

    monkeypatch.setattr(planner, "_stored_rows", counted)
    path = cases_workbook(tmp_path / "v2.xlsx", 40, seed=9, ref_prefix="RA", changed_every=2)
    _, result = service.run(path, path.name, "cases", None, sc)
    assert result.counts["updated"] == 20 and result.counts["unchanged"] == 20
    assert reads == [True]


def test_a_failed_read_ahead_only_costs_the_head_start(database, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    sc = _sub_centre("RF")
    service.run(cases_workbook(tmp_path / "v1.xlsx", 20, seed=9, ref_prefix="RA"), "v1.xlsx", "cases", None, sc)
    monkeypatch.setattr(service, "READ_AHEAD_ROWS", 10)

    def fail(*args, **kwargs):
        raise OperationalError("SELECT ...", {}, Exception("database is locked"))

    monkeypatch.setattr(planner, "read_ahead", fail)
    path = cases_workbook(tmp_path / "v2.xlsx", 20, seed=9, ref_prefix="RA", changed_every=2)
    _, result = service.run(path, path.name, "cases", None, sc)
    assert result.counts["updated"] == 10 and result.counts["unchanged"] == 10
