"""Run one page's render() in Streamlit's AppTest, logged in as a given user."""

from __future__ import annotations

import functools
import re

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

# A server scans the installed packages for components once, at start-up; AppTest does it
# on every run (0.6-0.8 s here), which no user waits for and which would swamp page timings.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def _script(module_name: str) -> None:
    import pages

    pages.by_name(module_name).render()


def run_page(module_name: str, user=None, *, lang: str = "en", query: dict | None = None,
             timeout: float = 30) -> AppTest:
    """AppTest of the page module named `module_name` (pages.by_name) for `user` (a Principal, or None for nobody)."""
    at = AppTest.from_function(_script, args=(module_name,), default_timeout=timeout)
    if user is not None:
        at.session_state["auth_user"] = user
    at.session_state["ui_lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~\n])")


def shown(markdown_text: object) -> str:
    """What a reader sees of Markdown's backslash escapes (ipoverseas.core.markdown.escape):
    the characters themselves. Compare with this, so that a text that must not be shown is not
    merely hidden from the test behind backslashes."""
    return _ESCAPED.sub(r"\1", str(markdown_text))


def texts(at: AppTest) -> str:
    """All visible text of the run, for assertions (escapes shown as the characters they stand for)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(getattr(el, "value", "")) for el in getattr(at, kind))
    parts.extend(str(m.label) + " " + str(m.value) for m in at.metric)
    return shown("\n".join(parts))
