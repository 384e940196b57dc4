"""The load generator really drives the app (no timing here: the figures are in tests/bench/test_load.py).

On a live server (SQLite, demo content): every scenario step of every role renders its page over
Streamlit's own protocol, and what it writes arrives in the database (a question filed, an answer
sent, a 1,000-row upload previewed); a fault injected into the database is counted as an error;
and Locust, hosting the user classes, runs a short step and reports its page times.
"""

from __future__ import annotations

import random
import shutil
import sqlite3

import pytest

from tests.load.client import LoadError, StreamlitTab
from tests.load.scenarios import Pool, Visitor, new_tab, pool_from_database, upload_workbook

TITLES = {"guides": "风险指南", "cases.search": "案例库", "cases.filter": "案例库", "cases.record": "案情摘要",
          "ask": "提交咨询", "my-consultations": "我的咨询", "queue": "咨询分派",
          "upload": "Excel 数据上传", "inbox": "我的待办咨询", "analytics": "统计分析", "review": "案例审核"}


@pytest.fixture(scope="module")
def db_path(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("load") / "load.db"
    shutil.copyfile(_templates.get("sqlite", True), path)
    return path


@pytest.fixture(scope="module")
def live_server_env(db_path):
    return {"IPOVERSEAS_DATABASE_URL": f"sqlite:///{db_path}"}


class Always(random.Random):
    """Takes every optional branch (files the question, ...)."""

    def random(self) -> float:
        return 0.0


class Recorder:
    def __init__(self):
        self.pages: list[tuple[str, float, str | None, list[str]]] = []

    def __call__(self, name, run, seconds, error):
        self.pages.append((name, seconds, error, run.texts if run else []))

    def errors(self):
        return [(name, error) for name, _, error, _ in self.pages if error]


def _visit_every_step(base, role, pool, recorder, workbook=None):
    visitor = Visitor(new_tab(base), role, pool, recorder, Always(0), workbook)
    visitor.start()
    for _, step in visitor.steps:
        step()
    visitor.tab.close()


def test_every_role_walks_its_pages(live_server, db_path):
    pool = pool_from_database(f"sqlite:///{db_path}", size=20)
    assert pool.cases and pool.articles and pool.queue and pool.inbox and pool.review
    recorder = Recorder()
    for role in ("enterprise", "staff", "expert", "admin"):
        _visit_every_step(live_server, role, pool, recorder, upload_workbook(1_000) if role == "staff" else None)
    assert not recorder.errors()
    names = [name for name, *_ in recorder.pages]
    assert names.count("login") == 4
    assert all(seconds > 0 for _, seconds, _, _ in recorder.pages)
    for name, _, _, texts in recorder.pages:
        if name in TITLES:
            assert any(TITLES[name] == t for t in texts), (name, texts[:6])
    preview = next(texts for name, _, _, texts in recorder.pages if name == "upload.preview")
    assert "数据行 1000" in preview and "新增 1000" in preview
    with sqlite3.connect(db_path) as conn:
        asked = conn.execute("SELECT count(*) FROM consultations WHERE question LIKE '负载测试%'").fetchone()[0]
        answered = conn.execute("SELECT count(*) FROM consultations WHERE answer LIKE '负载测试答复%'").fetchone()[0]
    assert asked == 1 and answered == 1


def test_a_fault_on_the_page_is_counted_as_an_error(live_server, db_path):
    recorder = Recorder()
    visitor = Visitor(new_tab(live_server), "enterprise", Pool(), recorder, Always(0))
    visitor.start()
    visitor.page("search", "cases", {"q": "无人机"})
    assert not recorder.errors()
    with sqlite3.connect(db_path) as conn:   # a search (never cached before) finds no table of cases
        conn.execute("ALTER TABLE cases RENAME TO cases_gone")
    try:
        with pytest.raises(LoadError):
            visitor.page("search", "cases", {"q": "无人机 德国 专利"})
    finally:
        with sqlite3.connect(db_path) as conn:
            conn.execute("ALTER TABLE cases_gone RENAME TO cases")
    assert [name for name, _ in recorder.errors()] == ["search"]
    visitor.page("search", "cases", {"q": "无人机"})   # and the next page is fine again
    assert len(recorder.errors()) == 1


def test_a_dead_server_is_an_error_not_a_hang():
    tab = StreamlitTab("http://127.0.0.1:9", timeout=5)
    with pytest.raises(LoadError):
        tab.login("enterprise", "ipoverseas-demo")


def test_locust_hosts_the_users(live_server, db_path, tmp_path):
    import json

    from tests.load.cluster import run_locust

    pool = tmp_path / "pool.json"
    pool.write_text(json.dumps(pool_from_database(f"sqlite:///{db_path}", size=20).__dict__))
    workbook = tmp_path / "upload.xlsx"
    workbook.write_bytes(upload_workbook(200))
    result = run_locust(live_server, tmp_path, steps=[3], step_seconds=25, warmup_seconds=0, think="0.5,1",
                        pool=pool, workbook=workbook, spawn_rate=3, stop_p95=60)
    assert result.returncode == 0, result.output
    [step] = result.steps
    assert step["users"] == 3 and step["pages"] >= 5, (step, result.output)
    assert step["errors"] == 0, step
    assert 0 < result.generator_share < 1
