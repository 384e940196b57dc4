"""Shared fixtures.

- `database`: a fresh, migrated database per test; SQLite always, and PostgreSQL too
  when IPOVERSEAS_TEST_DATABASE_URL is set (each test in its own database, dropped after).
- `demo_database`: the same with the demo content loaded (copied from a template, so fast).
- `--e2e` turns on the browser journeys, `--bench` the benchmarks. With
  IPOVERSEAS_TEST_STRICT=1 (CI), the run fails if PostgreSQL or browser tests were skipped.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("IPOVERSEAS_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
_counter = itertools.count()


def pytest_addoption(parser):
    parser.addoption("--e2e", action="store_true", help="run the browser journeys (system Chromium)")
    parser.addoption("--bench", action="store_true", help="run the benchmarks")


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser journey in a real Chromium (opt-in: --e2e)")
    config.addinivalue_line("markers", "bench: benchmark printing name=value lines (opt-in: --bench)")
    config.addinivalue_line("markers", "postgres: runs on PostgreSQL")


def pytest_collection_modifyitems(config, items):
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)
        if "e2e" in item.keywords and not config.getoption("--e2e"):
            item.add_marker(pytest.mark.skip(reason="browser journey: run with --e2e"))
        if "bench" in item.keywords and not config.getoption("--bench"):
            item.add_marker(pytest.mark.skip(reason="benchmark: run with --bench (make bench)"))


_outcomes: dict[str, list[str]] = {"postgres": [], "e2e": []}


def pytest_runtest_logreport(report):
    if "bench" in report.keywords:
        return  # benchmarks are opt-in (make bench), whatever database they run on
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        for marker in _outcomes:
            if marker in report.keywords:
                _outcomes[marker].append(report.outcome)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("IPOVERSEAS_TEST_STRICT") != "1" or session.config.option.collectonly:
        return
    problems = []
    for marker, outcomes in _outcomes.items():
        if not outcomes:
            problems.append(f"no {marker} test ran")
        elif "skipped" in outcomes:
            problems.append(f"{outcomes.count('skipped')} {marker} tests were skipped")
    if problems:
        print("\nSTRICT: " + "; ".join(problems))
        session.exitstatus = 1


# --- databases ----------------------------------------------------------------------


def _pg_admin_engine():
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _prepare(url: str, with_demo: bool) -> None:
    from ipoverseas.core import db
    from ipoverseas import demo

    old = os.environ.get("IPOVERSEAS_DATABASE_URL")
    os.environ["IPOVERSEAS_DATABASE_URL"] = url
    try:
        db.migrate()
        if with_demo:
            demo.load()
    finally:
        if old is None:
            os.environ.pop("IPOVERSEAS_DATABASE_URL", None)
        else:
            os.environ["IPOVERSEAS_DATABASE_URL"] = old
        db.dispose_all()


class _Templates:
    """Migrated (and demo-loaded) databases made once per run, copied per test."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.made: dict[tuple[str, bool], str] = {}
        self.tag = uuid.uuid4().hex[:8]

    def get(self, backend: str, with_demo: bool) -> str:
        key = (backend, with_demo)
        if key not in self.made:
            if backend == "sqlite":
                path = self.folder / f"template_{int(with_demo)}.db"
                _prepare(f"sqlite:///{path}", with_demo)
                self.made[key] = str(path)
            else:
                name = f"ipo_tmpl_{self.tag}_{int(with_demo)}"
                with _pg_admin_engine().connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                _prepare(_pg_url(name), with_demo)
                self.made[key] = name
        return self.made[key]

    def drop_all(self) -> None:
        if not PG_URL:
            return
        with _pg_admin_engine().connect() as conn:
            for (backend, _), name in self.made.items():
                if backend == "postgresql":
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    templates = _Templates(tmp_path_factory.mktemp("db-templates"))
    yield templates
    templates.drop_all()


def _fresh_database(backend, with_demo, templates, tmp_path, monkeypatch):
    from ipoverseas.core import db

    template = templates.get(backend, with_demo)
    if backend == "sqlite":
        path = tmp_path / f"test_{next(_counter)}.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        name = None
    else:
        name = f"ipo_t_{templates.tag}_{next(_counter)}"
        with _pg_admin_engine().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        url = _pg_url(name)
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", url)
    try:
        yield url
    finally:
        db.dispose_all()
        if name:
            with _pg_admin_engine().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database(request, _templates, tmp_path, monkeypatch):
    """A migrated, empty database for this test; its URL is also in IPOVERSEAS_DATABASE_URL."""
    yield from _fresh_database(request.param, False, _templates, tmp_path, monkeypatch)


@pytest.fixture(params=BACKENDS)
def demo_database(request, _templates, tmp_path, monkeypatch):
    """A migrated database with the demo content loaded."""
    yield from _fresh_database(request.param, True, _templates, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_database(_templates, tmp_path, monkeypatch):
    """An empty migrated SQLite database: for what is SQLite-specific."""
    yield from _fresh_database("sqlite", False, _templates, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_demo_database(_templates, tmp_path, monkeypatch):
    """The demo database on SQLite only: for page tests, whose logic is not dialect-specific."""
    yield from _fresh_database("sqlite", True, _templates, tmp_path, monkeypatch)


@pytest.fixture
def principal():
    """principal("staff") -> the Principal of that username in the current database."""
    from sqlalchemy import select

    from ipoverseas.access import policy
    from ipoverseas.core import db
    from ipoverseas.core.models import User

    def get(username: str) -> policy.Principal:
        with db.read_session() as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None, f"no user {username}"
            return policy.Principal.of(user)

    return get


# --- the browser journeys -------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium; Playwright's own browsers are not installed."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(scope="module")
def live_server_env():
    """Extra environment for this module's server; override the fixture in a test module."""
    return {}


@pytest.fixture(scope="module")
def live_server(_templates, tmp_path_factory, live_server_env):
    """`streamlit run app.py` on a free port, on a fresh copy of the demo SQLite database."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    folder = tmp_path_factory.mktemp("live")
    db_path = folder / "live.db"
    shutil.copyfile(_templates.get("sqlite", True), db_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "IPOVERSEAS_DATABASE_URL": f"sqlite:///{db_path}", "IPOVERSEAS_LOAD_DEMO": "false",
           **live_server_env}
    log = open(folder / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("streamlit did not start:\n" + (folder / "server.log").read_text(errors="replace"))
        time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
