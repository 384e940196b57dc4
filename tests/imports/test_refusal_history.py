"""Refused uploads are in the import history, with their problems, and nothing of them is written (issue 12)."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from ipoverseas.core import localtime
from ipoverseas.core.models import Case, ImportBatch, ImportRefusal
from ipoverseas.imports import Refused, refusals, service
from tests.imports.helpers import CASE_HEADER, count, sub_centre_id, xlsx_bytes

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 2000


def _refusals(user):
    return [r for r in service.history(user) if r["kind"] == "refusal"]


def test_a_file_refused_as_a_whole_is_in_the_history_with_its_cause(demo_database, principal):
    staff = principal("staff")
    cases = count(Case)
    with pytest.raises(Refused) as caught:
        service.prepare(EXE, "setup.xlsx", "cases", staff, staff.sub_centre_id)
    assert caught.value.code == "not_workbook"
    [row] = _refusals(staff)
    assert row["status"] == "refused" and row["cause"] == "not_workbook"
    assert row["filename"] == "setup.xlsx" and row["size_bytes"] == len(EXE)
    assert row["sha256"] == hashlib.sha256(EXE).hexdigest()
    assert row["username"] == "staff" and row["sub_centre"] == "ZJ" and row["dataset"] == "cases"
    assert localtime.text(row["created_at"])   # shown in Beijing time by the page
    for lang in ("zh", "en"):
        assert refusals.summary(row["problems"], row["problem_count"], lang) == caught.value.message(lang)
    assert count(Case) == cases and count(ImportBatch) == 0
    assert service.history_count(staff) == 1


def test_rows_with_errors_are_noted_with_their_row_column_and_what_to_do(demo_database, principal):
    staff = principal("staff")
    data = xlsx_bytes([CASE_HEADER[:6],
                       ["R-1", "好的一行", "美国", "法院", "诉讼", "发明专利"],
                       ["R-2", "", "美国", "法院", "诉讼", "发明专利"],          # the title is required
                       ["R-3", "另一行", "美国", "法院", "诉讼", "发明专利"]])
    cases = count(Case)
    prepared = service.prepare(data, "bad-row.xlsx", "cases", staff, staff.sub_centre_id)
    assert prepared.refusal_id is not None
    [row] = _refusals(staff)
    assert row["cause"] == "row_errors" and row["problem_count"] == 1
    assert row["sha256"] == prepared.sha256 and row["size_bytes"] == len(data)
    [problem] = refusals.problems(row["problems"], "zh")
    assert (problem["row"], problem["column"]) == (3, CASE_HEADER[1]) and "必填" in problem["message"]
    summary = refusals.summary(row["problems"], row["problem_count"], "en")
    assert "row 3" in summary and CASE_HEADER[1] in summary and "required" in summary.lower()
    assert "R-2" not in row["problems"] and "好的一行" not in row["problems"]   # none of the file's data
    assert count(Case) == cases and count(ImportBatch) == 0


def test_staff_see_their_own_sub_centres_refusals_and_admin_all(demo_database, principal):
    staff, admin = principal("staff"), principal("admin")
    other = dataclasses.replace(staff, id=admin.id, sub_centre_id=sub_centre_id("GD"))
    with pytest.raises(Refused):
        service.prepare(EXE, "zj.xlsx", "cases", staff, staff.sub_centre_id)
    with pytest.raises(Refused):
        service.prepare(EXE, "gd.csv", "cases", admin, sub_centre_id("GD"))
    assert [r["filename"] for r in _refusals(staff)] == ["zj.xlsx"]
    assert [r["filename"] for r in _refusals(other)] == ["gd.csv"]
    assert [r["filename"] for r in _refusals(admin)] == ["gd.csv", "zj.xlsx"]
    assert service.history_count(staff) == 1 and service.history_count(admin) == 2


def test_batches_and_refusals_are_listed_together_newest_first(demo_database, principal):
    admin = principal("admin")
    zj = sub_centre_id("ZJ")
    good = xlsx_bytes([CASE_HEADER[:6], ["G-1", "一行", "美国", "法院", "诉讼", "发明专利"]])
    service.run(good, "good.xlsx", "cases", admin, zj)
    with pytest.raises(Refused):
        service.prepare(EXE, "bad.xlsx", "cases", admin, zj)
    rows = service.history(admin)
    assert [(r["kind"], r["filename"], r["status"]) for r in rows] == [
        ("refusal", "bad.xlsx", "refused"), ("batch", "good.xlsx", "applied")]
    assert service.history(admin, limit=1, offset=1)[0]["filename"] == "good.xlsx"
    assert count(ImportRefusal) == 1


def test_stored_problems_are_capped(sqlite_demo_database, principal):
    staff = principal("staff")
    rows = [CASE_HEADER[:6]] + [[f"M-{i}", "", "美国", "法院", "诉讼", "发明专利"] for i in range(300)]
    service.prepare(xlsx_bytes(rows), "many.xlsx", "cases", staff, staff.sub_centre_id)
    [row] = _refusals(staff)
    assert row["problem_count"] == 300
    assert len(refusals.problems(row["problems"], "zh")) == refusals.MAX_STORED
    assert len(row["problems"]) <= refusals.MAX_JSON_CHARS


def test_removing_the_demo_keeps_a_refusal_without_its_demo_user(demo_database, principal):
    """The demo's users and sub-centres go (python -m ipoverseas demo remove): a refusal that one
    of them made keeps its row without the user (ON DELETE SET NULL) or goes with its sub-centre."""
    from sqlalchemy import select

    from ipoverseas import demo
    from ipoverseas.core import db

    staff = principal("staff")
    with pytest.raises(Refused):
        service.prepare(EXE, "by-demo-staff.xlsx", "cases", staff, staff.sub_centre_id)
    demo.remove()
    with db.read_session() as s:
        left = s.execute(select(ImportRefusal.user_id, ImportRefusal.sub_centre_id)).all()
    assert all(user_id is None for user_id, _ in left)
