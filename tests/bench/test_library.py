"""Benchmark of the case library, search and analytics at 1,000,000 cases (opt-in: make bench).

Two SQLite databases are built once and kept under /tmp (rebuilt only when missing):
1,000,000 cases + 20,000 articles, and 10,000 cases + 200 articles. Then:

- each page's script runs in AppTest with Streamlit's caches cleared, median of RUNS runs;
- the case page and the first page of a filtered list at 1M cost at most 1.5x their 10k cost;
- search returns exactly a substring scan's set, and is timed against that scan.

Prints one `name=value` line per figure. Environment: IPOVERSEAS_BENCH_DIR (default /tmp),
IPOVERSEAS_BENCH_CASES (default 1000000), IPOVERSEAS_BENCH_RUNS (default 5).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest

from ipoverseas.core import db, search
from ipoverseas.access.policy import Principal

pytestmark = pytest.mark.bench

BENCH_DIR = Path(os.environ.get("IPOVERSEAS_BENCH_DIR", "/tmp"))
N_BIG = int(os.environ.get("IPOVERSEAS_BENCH_CASES", "1000000"))
RUNS = int(os.environ.get("IPOVERSEAS_BENCH_RUNS", "5"))
PAGE_LIMIT_S = 2.0
RATIO_LIMIT = 1.5
SEARCH_SPEEDUP = 50

SEARCH_QUERIES = ["华新宏电子", "Northgate GmbH", "扫地机", "电动牙刷", "专利", "禁令", "灯具", "drones", "337调查",
                  "巴西 商标", "无人机 德国", "胜诉"]


def _path(n: int) -> Path:
    return BENCH_DIR / f"ipoverseas-bench-{'1m' if n == 1_000_000 else n}.db"


@pytest.fixture(scope="module")
def databases():
    from tests.bench.data import build_sqlite

    out = {}
    for label, n, articles in (("10k", 10_000, 200), ("1m", N_BIG, 20_000)):
        path = _path(n)
        started = time.perf_counter()
        existed = path.exists()
        build_sqlite(str(path), n, articles, seed=0)
        if not existed:
            print(f"bench.build_{label}_s={time.perf_counter() - started:.1f}")
        out[label] = f"sqlite:///{path}"
    db.dispose_all()
    return out


def _users(url: str) -> dict[str, Principal]:
    from sqlalchemy import select

    from ipoverseas.core.models import SubCentre
    engine = db.get_engine(url)
    with engine.connect() as conn:
        sc = conn.execute(select(SubCentre.id).where(SubCentre.code == "BENCH01")).scalar_one()
    return {"enterprise": Principal(-1, "bench-enterprise", "bench", "enterprise"),
            "staff": Principal(-2, "bench-staff", "bench", "staff", sub_centre_id=sc),
            "admin": Principal(-3, "bench-admin", "bench", "admin")}


def _some_case(url: str) -> int:
    from sqlalchemy import func, select

    from ipoverseas.core.models import Case
    with db.get_engine(url).connect() as conn:
        top = conn.execute(select(func.max(Case.id)).where(Case.review_status == "published")).scalar_one()
        return int(top)


def _time_page(monkeypatch, url: str, module: str, user, query: dict | None = None) -> float:
    import streamlit as st

    from tests.pages.apptest import run_page
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    times = []
    for _ in range(RUNS):
        st.cache_data.clear()
        db.dispose_all()  # and what a connection remembers of a search (search._remembered)
        started = time.perf_counter()
        at = run_page(module, user, query=query, timeout=120)
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
        if module != "home":  # home shows high-severity alerts with st.error: content, not failure
            assert not at.error, [e.value for e in at.error]
    return statistics.median(times)


PAGES = [
    ("cases_list_enterprise", "cases", "enterprise", lambda cid: None),
    ("cases_list_admin", "cases", "admin", lambda cid: None),
    ("cases_list_staff", "cases", "staff", lambda cid: None),
    ("cases_filtered_first_page", "cases", "enterprise", lambda cid: {"country": "DE", "dispute": "litigation"}),
    ("cases_search_first_page", "cases", "enterprise", lambda cid: {"q": "扫地机"}),
    # a term in more than half the cases: every count and facet reads all its hits
    ("cases_search_common_first_page", "cases", "enterprise", lambda cid: {"q": "专利"}),
    ("cases_search_common_admin", "cases", "admin", lambda cid: {"q": "专利"}),
    ("cases_year_filter_staff", "cases", "staff", lambda cid: {"year": "2021"}),
    ("cases_sorted_by_amount_admin", "cases", "admin", lambda cid: {"sort": "amount_desc"}),
    ("cases_sorted_by_title_enterprise", "cases", "enterprise", lambda cid: {"sort": "title"}),
    ("case_page", "cases", "enterprise", lambda cid: {"case": str(cid)}),
    ("review", "review", "admin", lambda cid: None),
    ("analytics_admin", "analytics", "admin", lambda cid: None),
    ("analytics_staff", "analytics", "staff", lambda cid: None),
    ("analytics_filtered", "analytics", "admin", lambda cid: {"country": "US", "dispute": "ecommerce"}),
    ("analytics_staff_filtered", "analytics", "staff", lambda cid: {"country": "US"}),
    ("home_admin", "home", "admin", lambda cid: None),
    ("home_enterprise", "home", "enterprise", lambda cid: None),
]


def test_pages_at_10k_and_1m(databases, monkeypatch):
    figures: dict[tuple[str, str], float] = {}
    for label, url in databases.items():
        users = _users(url)
        cid = _some_case(url)
        for name, module, role, query in PAGES:
            seconds = _time_page(monkeypatch, url, module, users[role], query(cid))
            figures[(name, label)] = seconds
            print(f"bench.page.{name}.{label}_s={seconds:.3f}", flush=True)
        db.dispose_all()
    print("\n| page | 10k (s) | 1M (s) | 1M / 10k |\n| --- | ---: | ---: | ---: |")
    for name, *_ in PAGES:
        small, big = figures[(name, "10k")], figures[(name, "1m")]
        print(f"| {name} | {small:.3f} | {big:.3f} | {big / small:.2f} |")
    for name in ("case_page", "cases_filtered_first_page"):
        ratio = figures[(name, "1m")] / figures[(name, "10k")]
        print(f"bench.ratio.{name}={ratio:.2f}")
    slow = {name: round(figures[(name, "1m")], 3) for name, *_ in PAGES if figures[(name, "1m")] > PAGE_LIMIT_S}
    assert not slow, f"pages over {PAGE_LIMIT_S} s at 1M: {slow}"
    for name in ("case_page", "cases_filtered_first_page"):
        assert figures[(name, "1m")] <= RATIO_LIMIT * figures[(name, "10k")], name


def test_search_against_a_substring_scan_at_1m(databases):
    """The search the library filters with (every matching id, newest first) against a scan.

    The ranked variant (bm25 over the newest search.RANK_POOL hits, used when a user sorts by relevance)
    is timed too and printed, but the target is on the set the library uses.
    """
    engine = db.get_engine(databases["1m"])
    print("\n| query | hits | search (ms) | ranked (ms) | substring scan (ms) | speed-up |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: |")
    speedups, mismatches = [], []
    for q in SEARCH_QUERIES:
        # each timed search cold: no expansion of a short term is remembered
        t_search = _best(lambda: (search.forget(), search.search_ids("cases", q, ranked=False, engine=engine)))
        t_ranked = _best(lambda: search.search_ids("cases", q, engine=engine), runs=1)
        t_scan = _best(lambda: search.reference_ids("cases", q, engine=engine), runs=1)
        found = search.search_ids("cases", q, ranked=False, engine=engine)
        expected = search.reference_ids("cases", q, engine=engine)
        if set(found) != expected or len(found) != len(set(found)):
            mismatches.append(q)
        speedup = t_scan / t_search
        speedups.append(speedup)
        print(f"| {q} | {len(expected):,} | {t_search * 1000:.1f} | {t_ranked * 1000:.0f} | {t_scan * 1000:.0f} "
              f"| {speedup:.0f}x |")
        print(f"bench.search.{q.replace(' ', '_')}.hits={len(expected)} search_ms={t_search * 1000:.1f} "
              f"ranked_ms={t_ranked * 1000:.0f} scan_ms={t_scan * 1000:.0f} speedup={speedup:.1f}")
    page = [_best(lambda: search.search_ids("cases", q, limit=50, engine=engine)) for q in SEARCH_QUERIES]
    print(f"bench.search.first_50_median_ms={statistics.median(page) * 1000:.1f}")
    print(f"bench.search.speedup_median={statistics.median(speedups):.1f}")
    print(f"bench.search.speedup_min={min(speedups):.1f}")
    assert not mismatches, f"search and substring scan differ for {mismatches}"
    assert statistics.median(speedups) >= SEARCH_SPEEDUP


RANKED_QUERIES = ["专利", "专", "禁令", "商标", "337", "扫地机", "没有这样的词"]
RANKED_PAGE_LIMIT_S = 0.5


def test_ranked_search_never_slower_than_a_scan_at_1m(databases, monkeypatch):
    """Issue 16: the first page of a relevance-sorted search (the CLI's default 50 ids, and the
    library's page of 50 for an admin) within 0.5 s, and no search slower than the scan it replaces.
    Each figure is the median of 3 cold runs (nothing a connection remembers of a search kept)."""
    from ipoverseas.cases import library

    url = databases["1m"]
    engine = db.get_engine(url)
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    admin = _users(url)["admin"]

    def cold(fn) -> float:
        times = []
        for _ in range(3):
            search.forget()
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    print(f"\nload_average={os.getloadavg()[0]:.2f}")
    print("| query | hits | first 50 ranked (ms) | library page, relevance (ms) | every id ranked (ms) "
          "| every id (ms) | substring scan (ms) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    slow = []
    for q in RANKED_QUERIES:
        hits = len(search.reference_ids("cases", q, engine=engine))
        first = cold(lambda: search.search_ids("cases", q, limit=50, engine=engine))
        page = cold(lambda: library.list_cases(admin, library.CaseFilter(text=q), sort="relevance", page_size=50))
        ranked = cold(lambda: search.search_ids("cases", q, engine=engine))
        unranked = cold(lambda: search.search_ids("cases", q, ranked=False, engine=engine))
        scan = cold(lambda: search.reference_ids("cases", q, engine=engine))
        print(f"| {q} | {hits:,} | {first * 1000:.0f} | {page * 1000:.0f} | {ranked * 1000:.0f} | {unranked * 1000:.0f} "
              f"| {scan * 1000:.0f} |")
        print(f"bench.ranked.{q}.hits={hits} first_page_ms={first * 1000:.0f} library_page_ms={page * 1000:.0f} "
              f"ranked_ms={ranked * 1000:.0f} unranked_ms={unranked * 1000:.0f} scan_ms={scan * 1000:.0f}")
        if max(first, page) > RANKED_PAGE_LIMIT_S or max(first, page, ranked, unranked) > scan:
            slow.append(q)
    db.dispose_all()
    assert not slow, f"over {RANKED_PAGE_LIMIT_S} s or slower than a scan: {slow}"


def _best(fn, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


PG_URL = os.environ.get("IPOVERSEAS_TEST_DATABASE_URL")


@pytest.mark.skipif(not PG_URL, reason="needs IPOVERSEAS_TEST_DATABASE_URL (PostgreSQL)")
def test_pages_at_1m_on_postgresql(monkeypatch):
    """The same pages on PostgreSQL with 1M cases (the load test's database, tests/bench/test_load.py,
    built once and kept): bench.page_pg.<page>_s=, and none over PAGE_LIMIT_S."""
    from tests.bench.data import build_postgres

    url = build_postgres(PG_URL, "load_bench_1m", 1_000_000, 20_000, seed=0, demo=True)
    users, cid = _users(url), _some_case(url)
    figures = {}
    for name, module, role, query in PAGES:
        figures[name] = _time_page(monkeypatch, url, module, users[role], query(cid))
        print(f"bench.page_pg.{name}_s={figures[name]:.3f}", flush=True)
    db.dispose_all()
    slow = {name: round(seconds, 3) for name, seconds in figures.items() if seconds > PAGE_LIMIT_S}
    assert not slow, f"pages over {PAGE_LIMIT_S} s at 1M on PostgreSQL: {slow}"


# the ask form's facets (and its opposing party, a full-text query): common, rare and partial
SUGGESTION_QUESTIONS = [
    {"country": "US", "dispute_type": "litigation", "ip_type": "patent", "industry": "machinery"},
    {"country": "DE", "dispute_type": "trade_fair", "ip_type": "design", "industry": None},
    {"country": "BR", "dispute_type": "customs", "ip_type": None, "industry": None, "text": "Northgate GmbH"},
    {"country": None, "dispute_type": "ecommerce", "ip_type": "trademark", "industry": "textiles"},
    # rare together (about 1 case in 100,000): most sets of its facets are queried
    {"country": "AR", "dispute_type": "trade_secret_criminal", "ip_type": "trade_secret", "industry": "food_agri"},
]
# PostgreSQL walks the sets of facets (core.best_matches); SQLite scores every published case, 0.5 s at 1M
SUGGESTIONS_LIMIT_S = {"postgresql": 0.3, "sqlite": 1.0}


def _suggestions_at_1m(monkeypatch, url: str, label: str) -> None:
    """The ask form's self-help at 1M cases, each question the median of RUNS cold runs, enterprise."""
    from ipoverseas.consultations import workflow

    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    enterprise = _users(url)["enterprise"]
    slow = {}
    for i, question in enumerate(SUGGESTION_QUESTIONS):
        times = []
        for _ in range(RUNS):
            search.forget()
            started = time.perf_counter()
            found = workflow.suggestions(enterprise, **question)
            times.append(time.perf_counter() - started)
        assert found["cases"], question
        seconds = statistics.median(times)
        print(f"bench.suggestions_{label}.q{i}_s={seconds:.3f}", flush=True)
        if seconds > SUGGESTIONS_LIMIT_S[label]:
            slow[i] = round(seconds, 3)
    db.dispose_all()
    assert not slow, f"self-help over {SUGGESTIONS_LIMIT_S[label]} s at 1M: {slow}"


def test_self_help_suggestions_at_1m(databases, monkeypatch):
    _suggestions_at_1m(monkeypatch, databases["1m"], "sqlite")


@pytest.mark.skipif(not PG_URL, reason="needs IPOVERSEAS_TEST_DATABASE_URL (PostgreSQL)")
def test_self_help_suggestions_at_1m_on_postgresql(monkeypatch):
    from tests.bench.data import build_postgres

    _suggestions_at_1m(monkeypatch, build_postgres(PG_URL, "load_bench_1m", 1_000_000, 20_000, seed=0, demo=True),
                       "postgresql")
