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
    action: str | None       # the policy action the page is for; None: every signed-in user
    order: int = 100
    section: str = "nav.section.main"

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles whose navigation has the page: those the policy lets do its action at all."""
        return policy.ROLES if self.action is None else policy.roles_for(self.action)


def pages_for(registry: Iterable[ModuleType], user: policy.Principal) -> list[tuple[PageSpec, Callable[[], None]]]:
    """The pages of the registry (pages/__init__.py) the user may open, in menu order."""
    found = [(module.PAGE, module.render) for module in registry if policy.may_open(user, module.PAGE.action)]
    return sorted(found, key=lambda item: (item[0].order, item[0].key))


def guard(spec: PageSpec) -> policy.Principal:
    """Stop the script unless the logged-in user's role is one the page is for."""
    user = state.current_user()
    if user is None or not policy.may_open(user, spec.action):
        st.warning(state.t("errors.not_allowed"))
        st.stop()
    return user
