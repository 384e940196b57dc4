"""Data quality per sub-centre (issue 17): the SQL figures against Python over the same rows, the
scope (staff: their own sub-centre; admin: all), and the page for every role. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipoverseas.core import db, errors
from ipoverseas.core.models import Case, DisputeLink
from ipoverseas.sharing import quality
from tests.pages.apptest import run_page, texts


def _by_hand(sub_centre_id):
    with db.read_session() as s:
        rows = s.execute(select(Case.__table__).where(Case.sub_centre_id == sub_centre_id)).mappings().all()
    n = len(rows)
    out = {"cases": n}
    for f in quality.FIELDS:
        filled = [r for r in rows if (r[f] not in (None, "") if f == "lessons" else r[f] is not None)]
        out[f] = len(filled) / n if n else None
    lags = [(r["created_at"].date() - r["filed_on"]).days for r in rows
            if r["filed_on"] is not None and r["created_at"].date() >= r["filed_on"]]
    out["lag_days"] = round(sum(lags) / len(lags), 1) if lags else None
    out["returned"] = sum(r["review_status"] == "returned" for r in rows)
    return out


def test_the_figures_are_the_rows_counted_by_hand(demo_database, principal):
    admin, staff = principal("admin"), principal("staff")
    with db.write_session() as s:   # a docket number and a pair in the queue, so those columns are not all zero
        ids = s.scalars(select(Case.id).where(Case.sub_centre_id == staff.sub_centre_id).limit(2)).all()
        other = s.scalar(select(Case.id).where(Case.sub_centre_id != staff.sub_centre_id).limit(1))
        s.get(Case, ids[0]).docket_no = "337-TA-1"
        s.add(DisputeLink(case_a_id=min(ids[1], other), case_b_id=max(ids[1], other), status="candidate",
                          reason="near", score=90.0))
    rows = quality.figures(admin)
    assert len(rows) > 1 and [r["code"] for r in rows] == sorted(r["code"] for r in rows)
    for row in rows:
        expected = _by_hand(row["sub_centre_id"])
        for key, value in expected.items():
            assert row[key] == pytest.approx(value) if value is not None else row[key] is None, (row["code"], key)
    zj = next(r for r in rows if r["sub_centre_id"] == staff.sub_centre_id)
    assert zj["duplicates"] == 1 and zj["docket_no"] > 0
    own = quality.figures(staff)
    assert [r["sub_centre_id"] for r in own] == [staff.sub_centre_id] and own[0] == zj
    for name in ("enterprise", "expert"):
        with pytest.raises(errors.Denied):
            quality.figures(principal(name))


def test_the_page_shows_staff_their_own_and_admin_all(sqlite_demo_database, principal):
    staff = run_page("data_quality", principal("staff"))
    assert not staff.exception and len(staff.dataframe) == 1 and len(staff.dataframe[0].value) == 1
    admin = run_page("data_quality", principal("admin"))
    assert not admin.exception and len(admin.dataframe[0].value) == len(quality.figures(principal("admin")))
    zh = run_page("data_quality", principal("admin"), lang="zh")
    assert "数据质量" in texts(zh) and not zh.exception
