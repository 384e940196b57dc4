"""`python -m ipoverseas search`: the same ids, in the same order, as the search the pages use."""

from __future__ import annotations

import json
import subprocess
import sys

from ipoverseas.core import search
from ipoverseas.cli import main


def test_search_command_prints_ranked_ids(demo_database, capsys):
    assert main(["search", "专利"]) == 0
    out = capsys.readouterr().out.split()
    assert [int(x) for x in out] == search.search_ids("cases", "专利")
    assert out
    assert main(["search", "337", "--kind", "articles", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ids"] == search.search_ids("articles", "337") and payload["count"] == len(payload["ids"])
    assert main(["search", "专利", "--limit", "3"]) == 0
    assert len(capsys.readouterr().out.split()) == 3
    assert main(["search", "没有这个词语啊"]) == 0
    assert capsys.readouterr().out == ""


def test_search_command_in_a_real_process(demo_database):
    done = subprocess.run([sys.executable, "-m", "ipoverseas", "search", "商标", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ids"] == search.search_ids("cases", "商标")
    bad = subprocess.run([sys.executable, "-m", "ipoverseas", "search", "x", "--kind", "experts"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
