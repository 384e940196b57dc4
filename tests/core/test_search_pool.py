"""Pooled ranking: the newest hits are ranked (SQLite: bm25 over search.RANK_POOL; PostgreSQL: the
title holding the first term, over search.PG_RANK_POOL), the older follow newest first.

With the pool made small, the same set as a substring scan; the pool is exactly the
newest hits in rank order; a first page read without ranking every hit is the head of
the full ranked order, for every page size; the library's relevance page agrees.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text

from ipoverseas.core import db, search
from ipoverseas.core.models import Case, SubCentre

POOL = 5
HITS = 400   # more than half the cases (the demo's and these): PostgreSQL's planner then knows the term is broad


@pytest.fixture
def cases(demo_database, monkeypatch):
    monkeypatch.setattr(search, "RANK_POOL", POOL)
    monkeypatch.setattr(search, "PG_RANK_POOL", POOL)
    with db.write_session() as s:
        sc = s.execute(insert(SubCentre).values(code="P1", name_zh="池", name_en="Pool").returning(SubCentre.id)).scalar_one()
        # 甲乙 in HITS cases, as often as i says: bm25 prefers the cases that repeat it; PostgreSQL
        # ranks the ones with it in the title first
        s.execute(insert(Case), [dict(case_ref=f"P{i}", sub_centre_id=sc, title=f"案件{i}" + "甲乙" * (i % 3 == 1),
                                      country="US",
                                      dispute_type="litigation", summary="甲乙" * (1 + i % 4) + "丙丁" * (i % 3),
                                      guidance="", lessons="") for i in range(HITS)]
                  + [dict(case_ref=f"Q{i}", sub_centre_id=sc, title="戊己", country="US", dispute_type="litigation",
                          summary="无关", guidance="", lessons="") for i in range(2)])
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
    if db.get_engine().dialect.name == "postgresql":   # the pool is chosen by the planner's estimate
        with db.get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE cases"))
    return ids


def _ranked(conn, ids: set[int]) -> list[int]:
    """`ids` in the database's own full relevance order (every hit ranked)."""
    if conn.dialect.name == "sqlite":
        return [r[0] for r in conn.execute(text(
            "SELECT rowid FROM cases_fts WHERE cases_fts MATCH :m ORDER BY bm25(cases_fts), rowid DESC"),
            {"m": search._sqlite_expand(conn, search.KINDS["cases"], ["甲乙"])}) if r[0] in ids]
    return [r[0] for r in conn.execute(text(
        "SELECT id FROM cases WHERE id = ANY(:ids) ORDER BY strpos(title, '甲乙') = 0, id DESC"), {"ids": list(ids)})]


def test_the_pool_is_ranked_and_the_rest_follows_newest_first(cases):
    full = search.search_ids("cases", "甲乙")
    assert set(full) == search.reference_ids("cases", "甲乙") and len(full) == HITS
    hits = sorted(full, reverse=True)
    pool, rest = set(hits[:POOL]), hits[POOL:]
    with db.get_engine().connect() as conn:
        assert search.pool_floor(conn, "cases", "甲乙") == hits[POOL]
        assert full[:POOL] == _ranked(conn, pool)
    assert full[:POOL] != sorted(full[:POOL], reverse=True)   # the ranking did reorder the pool
    assert full[POOL:] == rest
    for limit in (*range(0, 17), HITS, HITS + 1):
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


@pytest.mark.parametrize("query", ["丙丁", "戊己", "案件"])
def test_every_relevance_page_follows_the_search_order(cases, principal, query):
    """Pooled (丙丁: two thirds of the hits) or ranked in full (戊己: two hits; 案件: in every title
    here, ranked by the title on PostgreSQL), the library's pages in relevance order are the search's."""
    from ipoverseas.cases import library

    full = search.search_ids("cases", query)
    assert set(full) == search.reference_ids("cases", query)
    rows = []
    for number in (1, 2, 3):
        page = library.list_cases(principal("admin"), library.CaseFilter(text=query), sort="relevance",
                                  page=number, page_size=150)
        assert page.total == len(full)
        rows += [r["id"] for r in page.rows]
    assert rows == full[:450]


def test_a_query_of_control_characters_lists_every_case_by_relevance(cases, principal):
    """No term at all (the control characters are dropped): every case, nothing ranked, no error."""
    from ipoverseas.cases import library

    admin = principal("admin")
    page = library.list_cases(admin, library.CaseFilter(text="\x01\x02"), sort="relevance", page_size=10)
    assert page.total == library.total(admin) and len(page.rows) == 10
