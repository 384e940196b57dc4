"""`python -m ipoverseas search`: the same ids, in the same order, as the search the pages use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ipoverseas.core import search
from ipoverseas.cli import main


def test_search_command_prints_ranked_ids(demo_database, capsys):
    assert main(["search", "专利"]) == 0
    out = capsys.readouterr().out.split()
    assert [int(x) for x in out] == search.search_ids("cases", "专利", limit=50)
    assert out
    assert main(["search", "337", "--kind", "articles", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ids"] == search.search_ids("articles", "337", limit=50) and payload["count"] == len(payload["ids"])
    assert main(["search", "专利", "--limit", "3"]) == 0
    assert len(capsys.readouterr().out.split()) == 3
    assert main(["search", "没有这个词语啊"]) == 0
    assert capsys.readouterr().out == ""


def test_search_command_pages_like_the_ui(demo_database, capsys, monkeypatch):
    """The first 50 ids by default, every id with --all; --limit and --all do not go together."""
    from ipoverseas.cli import search as command

    every = search.search_ids("cases", "专利")
    assert command.DEFAULT_LIMIT == 50
    monkeypatch.setattr(command, "DEFAULT_LIMIT", 2)   # the demo has fewer than 50 hits
    assert len(every) > 2
    assert main(["search", "专利", "--all"]) == 0
    assert [int(x) for x in capsys.readouterr().out.split()] == every
    assert main(["search", "专利", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(every) > payload["count"] == len(payload["ids"]) and payload["ids"] == every[:payload["count"]]
    with pytest.raises(SystemExit) as both:
        main(["search", "专利", "--all", "--limit", "3"])
    assert both.value.code == 2
    capsys.readouterr()
    assert main(["search", "专利", "--limit", "-1"]) == 2


def test_search_command_in_a_real_process(demo_database):
    done = subprocess.run([sys.executable, "-m", "ipoverseas", "search", "商标", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ids"] == search.search_ids("cases", "商标", limit=50)
    bad = subprocess.run([sys.executable, "-m", "ipoverseas", "search", "x", "--kind", "experts"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
