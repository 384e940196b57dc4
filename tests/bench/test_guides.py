"""Benchmark of the Risk guides page with 20,000 articles (opt-in: make bench).

Each view of the page runs through AppTest with Streamlit's caches cleared before
every run (so every query really runs), as the median of several runs, on a
database of 20,000 generated articles (and 10,000 cases for the related-cases
block), and on one of 1,000 articles for comparison. Prints one name=value line
per figure. Databases are built once into bench-results/ and reused.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = 7
LIMIT_S = 2.0


def _database(name: str, n_cases: int, n_articles: int) -> str:
    from tests.bench.data import build_sqlite

    folder = ROOT / "bench-results"
    folder.mkdir(exist_ok=True)
    return build_sqlite(str(folder / name), n_cases, n_articles, seed=4)


def _users(url: str):
    from sqlalchemy import select

    from ipoverseas.access import policy
    from ipoverseas.core import db
    from ipoverseas.core.models import Article, SubCentre

    engine = db.get_engine(url)
    with db.read_session(engine) as s:
        sub_centre = s.scalar(select(SubCentre.id).order_by(SubCentre.id).limit(1))
        article = s.scalar(select(Article.id).where(Article.sub_centre_id == sub_centre, Article.dispute_type == "itc_337",
                                                    Article.status == "published").order_by(Article.id.desc()).limit(1))
    users = {
        "enterprise": policy.Principal(id=900001, username="bench_ent", display_name="bench", role="enterprise"),
        "staff": policy.Principal(id=900002, username="bench_staff", display_name="bench", role="staff",
                                sub_centre_id=sub_centre),
        "admin": policy.Principal(id=900003, username="bench_admin", display_name="bench", role="admin"),
    }
    return users, article


def _timed_script() -> None:
    """The page's script, timing itself (AppTest's own set-up is not the page's cost)."""
    import importlib
    import time

    import streamlit as st

    started = time.perf_counter()
    try:
        importlib.import_module("pages.library.guides").render()
    finally:
        st.session_state["bench_elapsed"] = time.perf_counter() - started


def _time_view(user, query: dict, session: dict | None = None) -> tuple[float, float]:
    """(median script time, median AppTest wall time) with every cache cleared before each run."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import pages.library.guides

    script, wall = [], []
    for _ in range(RUNS):
        st.cache_data.clear()
        pages.library.guides._map_chart.cache_clear()
        started = time.perf_counter()
        at = AppTest.from_function(_timed_script, default_timeout=60)
        at.session_state["auth_user"] = user
        at.session_state["ui_lang"] = "zh"
        for key, value in (session or {}).items():
            at.session_state[key] = value
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        wall.append(time.perf_counter() - started)
        assert not at.exception, at.exception
        script.append(at.session_state["bench_elapsed"])
    return statistics.median(script), statistics.median(wall)


VIEWS = {
    "browse": ({}, None),
    "country_us": ({}, {"guides_country": "US"}),
    "filtered_kind_ip": ({}, {"guides_kind": "law_procedure", "guides_ip_type": "patent"}),
    "search_short_zh": ({}, {"guides_q": "专利"}),
    "search_word_en": ({}, {"guides_q": "drones"}),
    "alerts": ({"view": "alerts"}, None),
    "clock": ({"view": "clock"}, None),
}


@pytest.mark.bench
def test_bench_guides_page(monkeypatch):
    from ipoverseas.core import db

    sizes = {"20k": _database("guides_20k.db", 10_000, 20_000), "1k": _database("guides_1k.db", 1_000, 1_000)}
    script: dict[str, float] = {}
    wall: dict[str, float] = {}
    for tag, path in sizes.items():
        url = f"sqlite:///{path}"
        monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
        db.dispose_all()
        users, article = _users(url)
        views = dict(VIEWS)
        views["article"] = ({"article": str(article)}, None)
        for name, (query, session) in views.items():
            script[f"guides_{name}_{tag}_s"], wall[f"guides_{name}_{tag}_apptest_s"] = \
                _time_view(users["enterprise"], query, session)
        script[f"guides_editor_{tag}_s"], wall[f"guides_editor_{tag}_apptest_s"] = \
            _time_view(users["staff"], {"edit": str(article)})
        script[f"guides_browse_staff_{tag}_s"], wall[f"guides_browse_staff_{tag}_apptest_s"] = \
            _time_view(users["staff"], {})
        db.dispose_all()
    print()
    print("articles_large=20000")
    print("articles_small=1000")
    print(f"runs_per_figure={RUNS}")
    for name, value in {**script, **wall}.items():
        print(f"{name}={value:.3f}")
    for name in ("browse", "country_us", "article"):
        ratio = script[f"guides_{name}_20k_s"] / script[f"guides_{name}_1k_s"]
        print(f"guides_{name}_ratio_20k_vs_1k={ratio:.2f}")
    slow = {k: v for k, v in script.items() if v > LIMIT_S}
    assert not slow, f"script over {LIMIT_S}s: {slow}"
    if os.environ.get("IPOVERSEAS_BENCH_STRICT_RATIO") == "1":
        assert script["guides_article_20k_s"] <= 1.5 * script["guides_article_1k_s"]
