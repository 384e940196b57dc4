"""The command line: every command documented in the README, exit codes 0/1/2."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ipoverseas.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_is_listed_in_the_readmes_command_line_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
    commands = build_parser()._subparsers._group_actions[0].choices
    missing = [name for name in commands if not re.search(rf"python -m ipoverseas {re.escape(name)}\b", section)]
    assert missing == []


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_create_user_and_refusals(database, monkeypatch, capsys):
    monkeypatch.setenv("IPOVERSEAS_NEW_PASSWORD", "a long enough password")
    assert main(["create-user", "carol", "--role", "admin", "--name", "Carol"]) == 0
    assert main(["create-user", "carol", "--role", "admin"]) == 1
    assert "already exists" in capsys.readouterr().out
    monkeypatch.setenv("IPOVERSEAS_NEW_PASSWORD", "short")
    assert main(["create-user", "dave", "--role", "admin"]) == 1
    assert "at least 8 characters" in capsys.readouterr().out
    monkeypatch.setenv("IPOVERSEAS_NEW_PASSWORD", "a long enough password")
    assert main(["create-user", "erin", "--role", "staff"]) == 1


def test_demo_remove_then_load_round_trip(demo_database, capsys):
    from ipoverseas import demo
    assert main(["demo", "load"]) == 1  # already loaded: refused with a message
    assert "already loaded" in capsys.readouterr().err
    assert main(["demo", "remove"]) == 0
    assert not demo.is_loaded()
    assert main(["demo", "load"]) == 0
    assert demo.is_loaded()


def test_module_entry_point_runs(sqlite_database):
    out = subprocess.run([sys.executable, "-m", "ipoverseas", "settings"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    assert "IPOVERSEAS_CONSULTATION_PROMISE_DAYS=3" in out.stdout


def test_an_unknown_sub_centre_is_a_usage_error_and_a_refusal_exits_1_in_every_command(demo_database, tmp_path,
                                                                                      capsys):
    for argv in (["duties", "2026", "--sub-centre", "NOPE"], ["summary", "2026", str(tmp_path / "s.docx"),
                                                                "--sub-centre", "NOPE"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2 and "NOPE" in capsys.readouterr().err, argv
    assert main(["duties", "1900"]) == 1          # refused by the service: 1, like `assessment 1900`
    assert main(["assessment", "1900"]) == 1
    assert not (tmp_path / "s.docx").exists()
