"""The shipped deployment files agree with each other: deploy/compose.yaml is valid Compose (the
compose-spec schema, through check-jsonschema) and runs the same command, environment, ports,
health check and background jobs as deploy/systemd/ and the nginx upstream."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.deploy.harness import NGINX_CONF, ROOT, UPSTREAM_SERVER

DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"


def _unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's `Key=value` lines (a key may repeat), comments left out."""
    found: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def _env_file() -> dict[str, str]:
    lines = (SYSTEMD / "ipoverseas.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load((DEPLOY / "compose.yaml").read_text())


def _apps(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if name.startswith("app-")}


def _python_args(command: str) -> list[str]:
    """`/srv/.../.venv/bin/python ARGS...` -> ARGS (the interpreter's path differs per host)."""
    words = shlex.split(command)
    assert words[0].endswith("/python"), command
    return words[1:]


def test_compose_is_valid_compose_spec():
    result = subprocess.run([str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema",
                             "vendor.compose-spec", str(DEPLOY / "compose.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_same_ports_in_compose_and_the_nginx_upstream(compose):
    upstream = sorted(re.search(r"127\.0\.0\.1:(\d+)", m.group(0))[1]
                      for m in UPSTREAM_SERVER.finditer(NGINX_CONF.read_text()))
    apps = _apps(compose)
    assert len(apps) >= 2 and sorted(name.removeprefix("app-") for name in apps) == upstream
    for app in apps.values():   # nginx reaches them at 127.0.0.1, as in the systemd setup
        assert app["network_mode"] == "service:nginx"
    unit_doc = (SYSTEMD / "ipoverseas@.service").read_text()
    assert all(f"ipoverseas@{port}" in unit_doc for port in upstream)


def test_the_same_command_environment_and_health_check(compose):
    unit = _unit("ipoverseas@.service")
    env = _env_file()
    assert unit["EnvironmentFile"] == ["/etc/ipoverseas/ipoverseas.env"]
    for name, app in _apps(compose).items():
        port = name.removeprefix("app-")
        # The command: the unit's, with its port and the address of its environment.
        expected = [w.replace("%i", port).replace("${IPOVERSEAS_LISTEN_ADDRESS}", env["IPOVERSEAS_LISTEN_ADDRESS"])
                    for w in _python_args(unit["ExecStart"][0])]
        assert app["command"] == ["python", *expected], name
        # The environment: the same names, the same fixed values (the database URL differs by host).
        assert set(app["environment"]) == set(env), name
        for key, value in env.items():
            if key != "IPOVERSEAS_DATABASE_URL":
                assert str(app["environment"][key]) == value, key
        assert app["environment"]["IPOVERSEAS_DATABASE_URL"].startswith("postgresql+psycopg://")
        # The health check: the same script on the same port.
        health = [w.replace("%i", port) for w in _python_args(unit["ExecStartPost"][0])]
        assert app["healthcheck"]["test"] == ["CMD", "python", *health[:2]], name
        assert health[2:] == ["--wait", "90"] and app["healthcheck"]["start_period"] == "90s"
    assert (DEPLOY / "healthcheck.py").exists()
    assert unit["Restart"] == ["always"] and all(a["restart"] == "always" for a in _apps(compose).values())


def test_the_same_background_jobs_in_the_timers_and_compose(compose):
    timers = sorted(p.name.removeprefix("ipoverseas-").removesuffix(".timer") for p in SYSTEMD.glob("*.timer"))
    for job in timers:
        assert _unit(f"ipoverseas-{job}.timer")["Unit"] == [f"ipoverseas-job@{job}.service"]
    assert _python_args(_unit("ipoverseas-job@.service")["ExecStart"][0]) == ["-m", "ipoverseas", "%i", "--quiet"]
    loop = compose["services"]["jobs"]["command"][-1]
    assert sorted(re.findall(r"python -m ipoverseas (\S+) --quiet", loop)) == timers
    assert timers == ["notify-duties", "notify-overdue", "notify-transfers"]
    # Every one of them takes its cluster-wide lock, so running it on every host is safe.
    from ipoverseas.cli import build_parser
    handlers = build_parser()._subparsers._group_actions[0].choices
    for job in timers + ["recompute-clocks"]:
        handler = handlers[job].get_default("handler")
        assert "once.<locals>" in handler.__qualname__, job
