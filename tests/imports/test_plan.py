"""The plan reads the stored rows in one of two ways; both give the same plan.

A file that names most of a sub-centre's rows is compared in one pass over the
sub-centre's rows; a small file against a big sub-centre by keyed chunks.
"""

from __future__ import annotations

from sqlalchemy import select

from ipoverseas.core import db
from ipoverseas.imports import plan as planner, service
from ipoverseas.core.models import SubCentre
from tests.imports.helpers import cases_workbook


def _plan(path, sc):
    prepared = service.prepare(path, path.name, "cases", None, sc, with_plan=False)
    with db.read_session() as s:
        return planner.make(s, prepared.parsed, sc)


def _summary(plan):
    return ({ch.key: (ch.diff, ch.version, ch.review_status) for ch in plan.updates},
            {key for _, key, _ in plan.unchanged}, {key for _, key, _ in plan.creates})


def test_a_pass_over_the_sub_centre_and_keyed_chunks_plan_alike(database, tmp_path):
    with db.write_session() as s:
        s.add(SubCentre(code="PL", name_zh="PL", name_en="PL"))
    with db.read_session() as s:
        sc = s.scalar(select(SubCentre.id).where(SubCentre.code == "PL"))
    service.run(cases_workbook(tmp_path / "v1.xlsx", 60, seed=8, ref_prefix="PL"), "v1.xlsx", "cases", None, sc)
    # 64 keys against 60 stored rows: one pass; 12 keys against 60: keyed chunks.
    whole = _plan(cases_workbook(tmp_path / "all.xlsx", 64, seed=8, ref_prefix="PL", changed_every=3), sc)
    part = _plan(cases_workbook(tmp_path / "part.xlsx", 12, seed=8, ref_prefix="PL", changed_every=3), sc)
    updates, unchanged, creates = _summary(whole)
    assert len(updates) == 20 and len(unchanged) == 40 and len(creates) == 4
    part_updates, part_unchanged, part_creates = _summary(part)
    assert part_updates == {k: v for k, v in updates.items() if k in part_updates} and len(part_updates) == 4
    assert part_unchanged <= unchanged and len(part_unchanged) == 8 and not part_creates
    change = whole.updates[0]
    assert set(change.diff) == {"title", "amount_usd"}
    assert change.review_status == "submitted"
