"""The page registry: every page of the app, grouped by section (DESIGN.md §2).

Each page module defines PAGE (a PageSpec) and render(), and runs nothing at import. The modules
live in sub-folders, out of reach of Streamlit's legacy `pages/*.py` folder mode, so a direct URL on
a freshly started server always runs the app's entry script (tests/e2e/test_security.py).
"""

from __future__ import annotations

from types import ModuleType

from pages.account import account, follows, home
from pages.admin import audit_log, calendar as admin_calendar, sub_centres, users
from pages.library import analytics, cases, duplicates, guides, review, upload
from pages.network import activities, assessment, data_quality, reports, summary, transfers
from pages.service import ask, assignments, consultations, experts, my_consultations, my_profile

REGISTRY: tuple[ModuleType, ...] = (
    home, guides, cases, review, duplicates, analytics, upload, reports, activities, transfers, assessment, summary,
    data_quality,
    ask, my_consultations, consultations, assignments, experts, my_profile,
    users, sub_centres, admin_calendar, audit_log, follows, account,
)


def by_name(name: str) -> ModuleType:
    """A page module by its file name (`guides`, `users`...)."""
    for module in REGISTRY:
        if module.__name__.rsplit(".", 1)[1] == name:
            return module
    raise KeyError(name)
