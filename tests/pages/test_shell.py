"""The shell around every page: the notification bell is drawn even when the page stops early."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from ipoverseas.accounts import sessions
from ipoverseas.core import i18n


def _app_as_staff() -> AppTest:
    login = sessions.login("staff", "ipoverseas-demo")
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["ui_lang"] = "en"
    at.session_state["auth_user"] = login.principal
    at.session_state["auth_session"] = login.token_hash
    return at.run()


def test_the_bell_is_there_when_the_page_stops_early(sqlite_demo_database, monkeypatch):
    import pages

    monkeypatch.setattr(pages.by_name("home"), "render", lambda: st.stop())
    at = _app_as_staff()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any(label.startswith(i18n.t("service.notifications.none_new", "en")) for label in labels), labels


def test_the_bell_is_drawn_once(sqlite_demo_database):
    at = _app_as_staff()
    bells = [e.label for e in at.expander if e.label.startswith(i18n.t("service.notifications.none_new", "en"))]
    assert len(bells) == 1, bells
