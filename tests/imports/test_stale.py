"""A row edited by someone else after the import read it: the whole batch is refused, nothing written.

apply() plans again inside its write transaction and updates each row only where its
version is still the one the plan read (UPDATE ... WHERE id = ? AND version = ?). When
fewer rows match than were planned, the batch is refused with "changed since your
preview" and the transaction rolls back. On PostgreSQL the other edit really comes from
another connection between the plan and the write (the import only locks its
sub-centre row); SQLite's BEGIN IMMEDIATE shuts every other writer out for the whole
transaction, so there the edit is made inside it, which the UPDATE sees the same way.
"""

from __future__ import annotations

from sqlalchemy import create_engine, func, select, text

from ipoverseas.core import db
from ipoverseas.imports import Busy, plan as planner, service
from ipoverseas.core.models import Case, ImportBatch, RecordVersion, SubCentre
from tests.imports.helpers import cases_workbook, snapshot


def _sub_centre() -> int:
    with db.write_session() as s:
        s.add(SubCentre(code="ST", name_zh="ST", name_en="ST"))
    with db.read_session() as s:
        return s.scalar(select(SubCentre.id).where(SubCentre.code == "ST"))


def _edit_elsewhere(session, case_id: int) -> None:
    sql = "UPDATE cases SET title = 'edited elsewhere', version = version + 1 WHERE id = :id"
    if session.get_bind().dialect.name == "postgresql":
        other = create_engine(db.get_engine().url, isolation_level="AUTOCOMMIT")
        try:
            with other.connect() as conn:
                assert conn.execute(text(sql), {"id": case_id}).rowcount == 1
        finally:
            other.dispose()
    else:
        session.execute(text(sql), {"id": case_id})


def _race_after_plan(monkeypatch, pick):
    """Make apply's own plan (service.run makes no other) be followed by an edit of the row `pick` chooses."""
    original = planner.make
    edited: list[int] = []

    def make(session, parsed, sub_centre_id, *args, **kw):
        plan = original(session, parsed, sub_centre_id, *args, **kw)
        if not edited:
            edited.append(pick(plan))
            _edit_elsewhere(session, edited[0])
        return plan

    monkeypatch.setattr(planner, "make", make)
    return edited


def _counts() -> tuple[int, int, int]:
    with db.read_session() as s:
        return (s.scalar(select(func.count()).select_from(Case)), s.scalar(select(func.count()).select_from(ImportBatch)),
                s.scalar(select(func.count()).select_from(RecordVersion)))


def test_a_row_edited_between_plan_and_write_refuses_the_whole_batch(database, tmp_path, monkeypatch):
    sc = _sub_centre()
    service.run(cases_workbook(tmp_path / "v1.xlsx", 40, seed=5, ref_prefix="ST"), "v1.xlsx", "cases", None, sc)
    before, counts = snapshot(("cases",)), _counts()
    # 60 rows: the first 40 as stored, every third one changed, and 20 new ones.
    second = cases_workbook(tmp_path / "v2.xlsx", 60, seed=5, ref_prefix="ST", changed_every=3)
    edited = _race_after_plan(monkeypatch, lambda plan: plan.updates[len(plan.updates) // 2].id)
    try:
        service.run(second, "v2.xlsx", "cases", None, sc)
    except Busy as exc:
        assert exc.code == "changed"
        assert "changed" in exc.message("en") and "Nothing was written" in exc.message("en")
    else:
        raise AssertionError("the import overwrote a row edited after it was read")
    assert _counts() == counts                       # no new case, batch or before-image
    after = snapshot(("cases",))["cases"]
    assert [r for r in after if r[0] != edited[0]] == [r for r in before["cases"] if r[0] != edited[0]]
    with db.read_session() as s:
        row = tuple(s.execute(select(Case.title, Case.version).where(Case.id == edited[0])).one())
    if db.get_engine().dialect.name == "postgresql":
        assert row == ("edited elsewhere", 2)        # the other editor's change stands
    else:
        assert row[1] == 1                           # the edit inside the transaction rolled back with it


def test_the_same_import_goes_through_once_nobody_else_edits(database, tmp_path, monkeypatch):
    sc = _sub_centre()
    service.run(cases_workbook(tmp_path / "v1.xlsx", 30, seed=6, ref_prefix="OK"), "v1.xlsx", "cases", None, sc)
    _, result = service.run(cases_workbook(tmp_path / "v2.xlsx", 40, seed=6, ref_prefix="OK", changed_every=2),
                            "v2.xlsx", "cases", None, sc)
    assert result.counts["updated"] == 15 and result.counts["created"] == 10 and result.counts["unchanged"] == 15
    with db.read_session() as s:
        versions = s.scalars(select(RecordVersion.after_version).where(RecordVersion.batch_id == result.batch_id,
                                                                       RecordVersion.action == "update")).all()
    assert sorted(set(versions)) == [2] and len(versions) == 15
