"""Command: settings — print the settings registry (the README's table comes from it)."""

from __future__ import annotations

from ipoverseas.core import config


def register(sub) -> None:
    p = sub.add_parser("settings", help="list the settings with their current values")
    p.add_argument("--markdown", action="store_true", help="print the README's configuration table")
    p.set_defaults(handler=_settings)


def markdown_table() -> str:
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for s in config.SETTINGS:
        default = str(s.default).lower() if isinstance(s.default, bool) else str(s.default)
        lines.append(f"| `{s.env_var}` | `{default}` | {s.help} |")
    return "\n".join(lines)


def _settings(args) -> int:
    if args.markdown:
        print(markdown_table())
        return 0
    for s in config.SETTINGS:
        value = config.get(s.name)
        if s.name == "database_url":
            value = config.database_url()
        print(f"{s.env_var}={value}")
    return 0
