"""The command line. Each module in this package adds its commands through
`register(subparsers)`, so a feature brings its own commands without editing a
central file. Exit codes: 0 done, 1 refused or failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from ipoverseas.core import config
from ipoverseas.core.logging_setup import configure_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ipoverseas",
                                     description="ipoverseas: the overseas IP dispute guidance database.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging(config.get("log_level"))
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 1
    except Exception as exc:  # a clear line, not a traceback; details in the log
        logging.getLogger("ipoverseas.cli").debug("command failed", exc_info=True)
        print(f"error: {exc}", file=sys.stderr)
        return 1
