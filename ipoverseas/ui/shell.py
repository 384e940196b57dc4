"""The app shell: page config, database start-up, login, language and role navigation.

It is also the one place that turns a failure into a message: a database busy with another write
(SQLite's "database is locked" during a long import, a PostgreSQL lock timeout, or a service's
`errors.Busy`) shows "busy, try again" where the page would be; anything else is logged and shown
as "something went wrong". Never Streamlit's error page with a traceback.
"""

from __future__ import annotations

import logging

import streamlit as st

from ipoverseas import bootstrap
from ipoverseas.core import config, db, errors, i18n
from ipoverseas.core.logging_setup import configure_logging
from . import login, pages, scripts, state
from .notifications import render_notifications
from .widgets import t_md

log = logging.getLogger("ipoverseas.app")

FORCED_PAGE = "account"  # the page a user must use first after an admin reset their password


@st.cache_resource(show_spinner=False, max_entries=1)
def _database_ready() -> bool:
    """Migrate (and seed an empty embedded database) once per server process."""
    configure_logging(config.get("log_level"))
    bootstrap.prepare_database()
    return True


def _sidebar(user):
    """The sidebar; returns the slot for the notifications (filled after the page ran, so that a
    notification the page just marked read is no longer counted)."""
    with st.sidebar:
        choice = st.segmented_control(
            state.t("app.language"), options=list(i18n.LANGUAGES),
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            default=state.lang(), key="shell_lang_switch",
        )
        if choice and choice != st.session_state.get(state.LANG_KEY) and choice != state.lang():
            st.session_state[state.LANG_KEY] = choice
            st.rerun()
        elif choice:
            st.session_state[state.LANG_KEY] = choice
        if user is not None:
            st.caption(t_md("app.signed_in_as", name=user.display_name, role=state.t(f"role.{user.role}")))
            slot = st.empty()
            if st.button(state.t("app.logout"), key="shell_logout", icon=":material/logout:"):
                login.log_out()
            return slot
    return None


def is_busy(exc: BaseException) -> bool:
    """A database busy with another write: a moment later the same request would work."""
    return isinstance(exc, errors.Busy) or db.is_busy(exc)


def show_failure(exc: Exception, where: str) -> None:
    """In the page's place: "busy, try again" for a busy database, else "something went wrong"."""
    if is_busy(exc):
        log.warning("%s: database busy (%s)", where, exc.__class__.__name__)
        st.warning(state.t("busy.retry"), icon=":material/hourglass_top:")
        st.button(state.t("busy.again"), key=f"shell_busy_again_{where}", icon=":material/refresh:")
    else:
        log.exception("%s failed", where)
        st.error(state.t("errors.unexpected"))


def _run_page(fn) -> None:
    def wrapped() -> None:
        try:
            fn()
        except Exception as exc:  # st.stop()/st.rerun() are BaseExceptions and pass through
            show_failure(exc, "page")
    wrapped.__name__ = fn.__name__
    return wrapped


def main(registry) -> None:
    """Run the app for this browser session; `registry` is the page modules (pages.REGISTRY)."""
    st.set_page_config(page_title="ipoverseas", page_icon=str(config.DATA_DIR / "favicon.png"), layout="wide")
    try:
        _database_ready()
    except Exception as exc:
        if is_busy(exc):   # migrations wait for the write lock: an import in another process holds it
            show_failure(exc, "start")
        else:
            log.exception("database start-up failed")
            st.error(i18n.t("errors.database", state.lang()))
        st.stop()
    try:
        _session(registry)
    except Exception as exc:  # outside a page: the session check, the sidebar, the bell
        show_failure(exc, "shell")


def _session(registry) -> None:
    """The login page, or the user's navigation and the page chosen."""
    user = state.refresh_user()
    notifications_slot = _sidebar(user)
    if user is not None:
        login.hand_over_token()
    if user is None:
        page = st.navigation([st.Page(_run_page(login.render), title=state.t("login.title"), url_path="login",
                                      icon=":material/login:", default=True)], position="hidden")
        page.run()
        return

    specs = pages.pages_for(registry, user)
    if user.must_change_password:  # after a reset: nothing but the account page until it is changed
        specs = [(spec, fn) for spec, fn in specs if spec.key == FORCED_PAGE] or specs
    sections: dict[str, list] = {}
    for spec, fn in specs:
        st_page = st.Page(_run_page(fn), title=state.t(spec.title_key), icon=spec.icon,
                          url_path=spec.key, default=spec.key == ("home" if len(specs) > 1 else specs[0][0].key))
        sections.setdefault(state.t(spec.section), []).append(st_page)
    page = st.navigation(sections, expanded=True)   # every page listed: no English "View N more"
    _close_menu_on_phones(page.url_path)
    # The bell is drawn before the page, so a page that stops early still has it, and drawn again
    # in its place after the page, whose opening a record marks that record's notifications read.
    _bell(notifications_slot, user, "shell_notifications_before")
    page.run()
    _bell(notifications_slot, user, "shell_notifications")


def _bell(slot, user, key: str) -> None:
    if slot is not None:
        with slot.container():
            render_notifications(user, key=key)


def _close_menu_on_phones(page_key: str) -> None:
    """After a change of page (not on the reruns of a page), close the menu on a narrow screen."""
    if st.session_state.get("shell_page") == page_key:
        return
    st.session_state["shell_page"] = page_key
    with st.sidebar:
        scripts.show("close-menu.js", page=page_key)   # js/close-menu.js: on a phone, close the menu
