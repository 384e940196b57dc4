"""No selectbox or multiselect shows Streamlit's English default "Choose an option" (issue 12)."""

from __future__ import annotations

import pytest

from tests.pages.apptest import run_page

PAGES = {"sub_centres": "admin", "ask": "enterprise", "audit_log": "admin", "analytics": "admin"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_picker_has_a_placeholder_in_the_users_language(sqlite_demo_database, principal, page, lang):
    at = run_page(page, principal(PAGES[page]), lang=lang)
    assert not at.exception
    pickers = [*at.selectbox, *at.multiselect]
    assert pickers, page
    for widget in pickers:
        # An empty placeholder makes the browser show Streamlit's own "Choose an option".
        placeholder = widget.proto.placeholder.strip()
        assert placeholder and "Choose an option" not in placeholder, (page, widget.label)
        if lang == "zh":
            assert not placeholder.isascii(), (page, widget.label, placeholder)
