"""SQLite's pooled ranking (search.RANK_POOL): bm25 orders the newest hits, the older follow newest first.

With the pool made small, the same set as a substring scan; the pool is exactly the
newest hits in bm25 order; a first page read without scoring every hit is the head of
the full ranked order, for every page size; the library's relevance page agrees.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text

from ipoverseas.core import db, search
from ipoverseas.core.models import Case, SubCentre

POOL = 5


@pytest.fixture
def cases(sqlite_demo_database, monkeypatch):
    monkeypatch.setattr(search, "RANK_POOL", POOL)
    with db.write_session() as s:
        sc = s.execute(insert(SubCentre).values(code="P1", name_zh="池", name_en="Pool").returning(SubCentre.id)).scalar_one()
        # 甲乙 in 14 of 16 cases, as often as i says: bm25 prefers the cases that repeat it
        s.execute(insert(Case), [dict(case_ref=f"P{i}", sub_centre_id=sc, title=f"案件{i}", country="US",
                                      dispute_type="litigation", summary="甲乙" * (1 + i % 4) + "丙丁" * (i % 3),
                                      guidance="", lessons="") for i in range(14)]
                  + [dict(case_ref=f"Q{i}", sub_centre_id=sc, title="戊己", country="US", dispute_type="litigation",
                          summary="无关", guidance="", lessons="") for i in range(2)])
        return list(s.scalars(select(Case.id).order_by(Case.id)))


def test_the_pool_is_ranked_and_the_rest_follows_newest_first(cases):
    full = search.search_ids("cases", "甲乙")
    assert set(full) == search.reference_ids("cases", "甲乙") and len(full) == 14
    hits = sorted(full, reverse=True)
    pool, rest = set(hits[:POOL]), hits[POOL:]
    with db.get_engine().connect() as conn:
        by_bm25 = [r[0] for r in conn.execute(text(
            "SELECT rowid FROM cases_fts WHERE cases_fts MATCH :m ORDER BY bm25(cases_fts), rowid DESC"),
            {"m": search._sqlite_expand(conn, search.KINDS["cases"], ["甲乙"])})]
    assert full[:POOL] == [i for i in by_bm25 if i in pool]
    assert full[:POOL] != sorted(full[:POOL], reverse=True)   # bm25 did reorder the pool
    assert full[POOL:] == rest
    for limit in range(0, 17):
        search.forget()
        assert search.search_ids("cases", "甲乙", limit=limit) == full[:limit], limit


def test_a_search_within_the_pool_is_scored_in_full(cases):
    assert len(search.search_ids("cases", "丙丁", ranked=False)) > POOL   # 丙丁: pooled
    few = search.search_ids("cases", "戊己")
    assert sorted(few) == sorted(search.reference_ids("cases", "戊己")) and len(few) == 2
    assert search.search_ids("cases", "庚辛") == []


def test_the_library_relevance_page_uses_the_same_order(cases, principal):
    from ipoverseas.cases import library

    full = search.search_ids("cases", "甲乙")
    for size in (3, 7, 50):
        page = library.list_cases(principal("admin"), library.CaseFilter(text="甲乙"), sort="relevance", page_size=size)
        assert [r["id"] for r in page.rows] == full[:size] and page.total == len(full)
    second = library.list_cases(principal("admin"), library.CaseFilter(text="甲乙"), sort="relevance", page=2, page_size=4)
    assert [r["id"] for r in second.rows] == full[4:8]


def test_a_scoped_relevance_page_keeps_the_order_of_what_the_user_sees(cases, principal):
    from sqlalchemy import update

    from ipoverseas.cases import library

    with db.write_session() as s:   # an enterprise reads the published cases only
        s.execute(update(Case).where(Case.id.in_(cases[::3])).values(review_status="published"))
    full = search.search_ids("cases", "甲乙")
    seen = [i for i in full if i in set(cases[::3])]
    assert 0 < len(seen) < len(full)
    for size in (1, 2, 3, 50):
        for number in (1, 2, 3):
            page = library.list_cases(principal("enterprise"), library.CaseFilter(text="甲乙"), sort="relevance",
                                      page=number, page_size=size)
            assert [r["id"] for r in page.rows] == seen[(number - 1) * size:number * size], (size, number)
