"""Two imports at once, on SQLite and PostgreSQL: both succeed, or one is told 'busy, try again'.

Never partial data, never a raw database error.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from ipoverseas.core import db
from ipoverseas.imports import Busy, service
from ipoverseas.core.models import Case, ImportBatch, SubCentre
from tests.imports.helpers import cases_workbook


def _make_sub_centres() -> dict[str, int]:
    with db.write_session() as s:
        for code in ("AA", "BB"):
            s.add(SubCentre(code=code, name_zh=code, name_en=code))
    with db.read_session() as s:
        return dict(s.execute(select(SubCentre.code, SubCentre.id)).all())


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def work(i, path, sc):
        barrier.wait()
        try:
            outcomes[i] = service.run(path, path.name, "cases", None, sc)[1]
        except Busy as exc:
            outcomes[i] = exc
        except BaseException as exc:  # anything else fails the test below
            outcomes[i] = exc

    threads = [threading.Thread(target=work, args=(i, path, sc)) for i, (path, sc) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return outcomes


def _rows(sc: int, prefix: str) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Case).where(Case.sub_centre_id == sc,
                                                                     Case.case_ref.like(prefix + "-%")))


def test_two_imports_into_one_sub_centre_at_once(database, tmp_path):
    ids = _make_sub_centres()
    a = cases_workbook(tmp_path / "a.xlsx", 400, seed=1, ref_prefix="CA")
    b = cases_workbook(tmp_path / "b.xlsx", 400, seed=2, ref_prefix="CB")
    outcomes = _race([(a, ids["AA"]), (b, ids["AA"])])
    for outcome, prefix in zip(outcomes, ("CA", "CB")):
        assert isinstance(outcome, (service.Result, Busy)), repr(outcome)
        if isinstance(outcome, Busy):
            assert outcome.message("en").startswith("The database is busy") or "changed" in outcome.message("en")
            assert _rows(ids["AA"], prefix) == 0
        else:
            assert outcome.counts["created"] == 400 and _rows(ids["AA"], prefix) == 400
    with db.read_session() as s:
        batches = s.scalar(select(func.count()).select_from(ImportBatch))
    assert batches == sum(isinstance(o, service.Result) for o in outcomes)


def test_the_same_file_twice_at_once_never_doubles_rows(database, tmp_path):
    ids = _make_sub_centres()
    a = cases_workbook(tmp_path / "same.xlsx", 300, seed=3, ref_prefix="SAME")
    outcomes = _race([(a, ids["BB"]), (a, ids["BB"])])
    assert all(isinstance(o, (service.Result, Busy)) for o in outcomes), outcomes
    applied = [o for o in outcomes if isinstance(o, service.Result) and not o.nothing_to_do]
    assert len(applied) == 1
    assert _rows(ids["BB"], "SAME") == 300


def test_imports_into_two_sub_centres_at_once(database, tmp_path):
    ids = _make_sub_centres()
    a = cases_workbook(tmp_path / "x.xlsx", 300, seed=4, ref_prefix="X")
    outcomes = _race([(a, ids["AA"]), (a, ids["BB"])])
    for outcome, code in zip(outcomes, ("AA", "BB")):
        assert isinstance(outcome, (service.Result, Busy)), repr(outcome)
        assert _rows(ids[code], "X") == (300 if isinstance(outcome, service.Result) else 0)
