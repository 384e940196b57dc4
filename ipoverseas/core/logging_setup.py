"""Server-side logging: errors go to the server log, never to the user's screen."""

import logging


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger("ipoverseas")
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
