"""The settings registry, and the README's configuration table that documents it."""

import re
from pathlib import Path

from ipoverseas.core import config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_has_help_and_a_default_of_its_type():
    for setting in config.SETTINGS:
        assert setting.help.strip(), setting.name
        assert setting.parse(setting.default) == setting.default or setting.parse is str


def test_environment_overrides_the_default(monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_CONSULTATION_PROMISE_DAYS", "5")
    assert config.get("consultation_promise_days") == 5
    monkeypatch.setenv("IPOVERSEAS_LOAD_DEMO", "no")
    assert config.get("load_demo") is False


def test_relative_sqlite_path_is_anchored_at_the_project(monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", "sqlite:///data/x.db")
    assert config.database_url() == f"sqlite:///{config.PROJECT_ROOT / 'data' / 'x.db'}"
    monkeypatch.setenv("IPOVERSEAS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert config.database_url() == "postgresql+psycopg://u@h/db"


def test_readme_configuration_table_matches_the_registry():
    rows = re.findall(r"^\| `(IPOVERSEAS_[A-Z_]+)` \| `([^`]*)` \| (.+?) \|$", README.read_text(encoding="utf-8"), re.M)
    documented = {env: (default, help_) for env, default, help_ in rows}
    expected = {s.env_var: (str(s.default).lower() if isinstance(s.default, bool) else str(s.default), s.help)
                for s in config.SETTINGS}
    assert documented == expected, "regenerate the table with: python -m ipoverseas settings --markdown"
