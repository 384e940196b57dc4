"""The unfiltered analytics read `case_rollups`; they must equal the live queries, after any write.

The live path is forced with a filter that selects every review status (the same rows,
but not an empty filter). Checked on SQLite and PostgreSQL, before and after inserts,
updates of every watched column and deletes, which the triggers must follow.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import delete, func, select, update

from ipoverseas import analytics, case_rollups, db, vocab
from ipoverseas.cases import CaseFilter
from ipoverseas.models import Case, CaseRollup

EVERYTHING = CaseFilter(review_statuses=tuple(vocab.REVIEW_STATUSES.codes))
CHARTS = ("by_country", "trend", "country_dispute", "outcomes", "resolution_by_forum", "amounts",
          "defendants_by_province")


def _canonical(frame: pd.DataFrame) -> list[tuple]:
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in frame.itertuples(index=False)]
    return sorted(rows, key=repr)


def _assert_paths_agree(user) -> None:
    fast, live = analytics.kpis(user, CaseFilter()), analytics.kpis(user, EVERYTHING)
    assert fast.keys() == live.keys()
    for key in fast:
        assert fast[key] == pytest.approx(live[key]), key
    for name in CHARTS:
        fn = getattr(analytics, name)
        assert _canonical(fn(user, CaseFilter())) == _canonical(fn(user, EVERYTHING)), name


def _rollup_table() -> list[tuple]:
    with db.read_session() as s:
        rows = s.execute(select(CaseRollup.chart, CaseRollup.sub_centre_id, CaseRollup.a, CaseRollup.b,
                                CaseRollup.n, CaseRollup.m1, CaseRollup.m2, CaseRollup.m3, CaseRollup.m4,
                                CaseRollup.m5, CaseRollup.m6).where(CaseRollup.n != 0)).all()
    return sorted((r[0], r[1], r[2], r[3], r[4], *[round(float(m), 4) for m in r[5:]]) for r in rows)


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_rollups_equal_the_live_queries_after_writes(demo_database, principal, role):
    user = principal(role)
    _assert_paths_agree(user)
    with db.write_session() as s:
        ids = s.scalars(select(Case.id).where(Case.sub_centre_id == user.sub_centre_id if role == "staff"
                                              else Case.id > 0).order_by(Case.id).limit(6)).all()
        other_centre = s.scalar(select(func.max(Case.sub_centre_id)))
        s.execute(update(Case).where(Case.id == ids[0]).values(country="BR", dispute_type="ecommerce",
                                                               province="ZJ", defendants_count=321))
        s.execute(update(Case).where(Case.id == ids[1]).values(closed_on=date(2026, 1, 5), filed_on=date(2025, 2, 1),
                                                               forum="court", outcome="won"))
        s.execute(update(Case).where(Case.id == ids[2]).values(amount_usd=Decimal("12345678.90"),
                                                               distinction="typical"))
        s.execute(update(Case).where(Case.id == ids[3]).values(filed_on=None, closed_on=None, outcome=None,
                                                               amount_usd=None))
        s.execute(update(Case).where(Case.id == ids[4]).values(sub_centre_id=other_centre))
        s.execute(delete(Case).where(Case.id == ids[5]))
    _assert_paths_agree(user)


def test_the_triggers_keep_what_a_rebuild_computes(demo_database):
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id % 7 == 0).values(closed_on=date(2026, 3, 1), amount_usd=Decimal("5000")))
        s.execute(delete(Case).where(Case.id % 11 == 0))
    kept = _rollup_table()
    with db.write_session() as s:
        case_rollups.rebuild(s.connection())
    assert _rollup_table() == kept
    assert kept, "the demo content should give rollups"


def test_amount_bands_agree_with_the_rollup_edges():
    assert tuple(hi for _, hi, _ in analytics.AMOUNT_BANDS[:-1]) == case_rollups.AMOUNT_EDGES


def test_the_unfiltered_view_reads_the_rollups_not_the_cases(demo_database, principal):
    admin = principal("admin")
    assert analytics.kpis(admin, CaseFilter())["cases"] > 0
    with db.write_session() as s:
        s.execute(delete(CaseRollup))
    assert analytics.kpis(admin, CaseFilter())["cases"] == 0
    assert analytics.kpis(admin, EVERYTHING)["cases"] > 0
