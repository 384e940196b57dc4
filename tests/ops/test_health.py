"""The load balancer's health check, asked of a real server (and of a database that is down)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.error
import urllib.request

import pytest

from ipoverseas.ops import health


@pytest.fixture(scope="module")
def health_db(_templates, tmp_path_factory):
    path = tmp_path_factory.mktemp("health") / "health.db"
    shutil.copyfile(_templates.get("sqlite", False), path)
    return path


@pytest.fixture(scope="module")
def live_server_env(health_db):
    return {"IPOVERSEAS_DATABASE_URL": f"sqlite:///{health_db}"}


def _get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def _set_revision(path, revision: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_health_route_on_a_real_server(live_server, health_db):
    url = live_server + "/_ipoverseas/health"
    status, body, headers = _get(url)
    assert (status, body) == (200, {"database": "ok", "migrations": "current"})
    assert headers.get("cache-control") == "no-store"

    head = sorted(health.head_revisions())[0]
    _set_revision(health_db, "0016")      # as if new code had started on an old schema
    try:
        assert _get(url)[:2] == (503, {"database": "ok", "migrations": "behind"})
        _set_revision(health_db, "9999")  # migrated by newer code than this process runs
        assert _get(url)[:2] == (503, {"database": "ok", "migrations": "unknown"})
    finally:
        _set_revision(health_db, head)
    assert _get(url)[0] == 200


def test_a_database_that_does_not_answer_is_unreachable(monkeypatch):
    from ipoverseas.core import db

    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    try:
        result = health.check()
    finally:
        db.dispose_all()
    assert result == {"database": "unreachable", "migrations": "unknown"}
    assert not health.healthy(result)


def test_current_database_is_healthy(database):
    assert health.check() == {"database": "ok", "migrations": "current"}
