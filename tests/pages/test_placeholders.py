"""No selectbox or multiselect shows Streamlit's English default "Choose an option" (issue 12)."""

from __future__ import annotations

import pytest

import pages
from ipoverseas.access import policy
from tests.pages.apptest import run_page

DEMO_USERS = {policy.ADMIN: "admin", policy.STAFF: "staff", policy.ENTERPRISE: "enterprise", policy.EXPERT: "expert"}
# Every page of the registry, opened as the first demo account whose role may open it.
PAGES = {module.__name__.rsplit(".", 1)[1]: DEMO_USERS[next(r for r in (policy.ADMIN, policy.STAFF, policy.ENTERPRISE,
                                                                        policy.EXPERT) if r in module.PAGE.roles)]
         for module in pages.REGISTRY}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_picker_has_a_placeholder_in_the_users_language(sqlite_demo_database, principal, page, lang):
    at = run_page(page, principal(PAGES[page]), lang=lang)
    assert not at.exception
    # A selectbox showing a value shows no placeholder; one with none, and every multiselect, do.
    pickers = [*[w for w in at.selectbox if not w.proto.HasField("default")], *at.multiselect]
    for widget in pickers:
        # An empty placeholder makes the browser show Streamlit's own "Choose an option".
        placeholder = widget.proto.placeholder.strip()
        assert placeholder and "Choose an option" not in placeholder, (page, widget.label)
        if lang == "zh":
            assert not placeholder.isascii(), (page, widget.label, placeholder)
