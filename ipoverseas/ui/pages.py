"""The page registry: every module in pages/ declares a PageSpec and a render().

`app.py` builds the navigation for a role from here, and each page checks the
role again through `guard()` before it shows anything.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from .. import auth
from . import state


@dataclass(frozen=True)
class PageSpec:
    key: str                 # url path, and the prefix of the page's session keys
    title_key: str           # i18n key of the title
    icon: str
    roles: tuple[str, ...]
    order: int = 100
    section: str = "nav.section.main"


def discover() -> list[tuple[PageSpec, Callable[[], None]]]:
    import pages

    found = []
    for info in pkgutil.iter_modules(pages.__path__):
        module = importlib.import_module(f"pages.{info.name}")
        spec = getattr(module, "PAGE", None)
        if isinstance(spec, PageSpec):
            found.append((spec, module.render))
    return sorted(found, key=lambda item: (item[0].order, item[0].key))


def pages_for(role: str) -> list[tuple[PageSpec, Callable[[], None]]]:
    return [(spec, fn) for spec, fn in discover() if role in spec.roles]


def guard(spec: PageSpec) -> auth.Principal:
    """Stop the script unless the logged-in user has a role this page is for."""
    user = state.current_user()
    if user is None or user.role not in spec.roles:
        st.warning(state.t("errors.not_allowed"))
        st.stop()
    return user


def run_directly() -> None:
    """What a page file does when Streamlit runs it as a script.

    While a `pages/` folder exists, a freshly started server runs `pages/<name>.py`
    directly for a URL like /<name>, until the app's first `st.navigation` call. A
    page module then only defines functions, so this footer sends the browser to
    the app's entry script, which shows the login page (or the user's pages).
    """
    st.switch_page("app.py")
