"""What a page declares (PageSpec) and how it guards itself.

The registry of pages is `pages.REGISTRY`; the shell builds a role's navigation from it, and each
page checks the role again through `guard()` before it shows anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

import streamlit as st

from ipoverseas.access import policy
from . import state


@dataclass(frozen=True)
class PageSpec:
    key: str                 # url path, and the prefix of the page's session keys
    title_key: str           # i18n key of the title
    icon: str
    roles: tuple[str, ...]
    order: int = 100
    section: str = "nav.section.main"


def pages_for(registry: Iterable[ModuleType], role: str) -> list[tuple[PageSpec, Callable[[], None]]]:
    """The pages of the registry (pages/__init__.py) a role may open, in menu order."""
    found = [(module.PAGE, module.render) for module in registry if role in module.PAGE.roles]
    return sorted(found, key=lambda item: (item[0].order, item[0].key))


def guard(spec: PageSpec) -> policy.Principal:
    """Stop the script unless the logged-in user has a role this page is for."""
    user = state.current_user()
    if user is None or user.role not in spec.roles:
        st.warning(state.t("errors.not_allowed"))
        st.stop()
    return user
