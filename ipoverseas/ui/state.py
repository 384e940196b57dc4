"""Who is logged in, and in which language, for this browser session."""

from __future__ import annotations

import streamlit as st

from .. import auth, config, i18n

USER_KEY = "auth_user"
LANG_KEY = "ui_lang"


def current_user() -> auth.Principal | None:
    return st.session_state.get(USER_KEY)


def refresh_user() -> auth.Principal | None:
    """Re-read the logged-in user, so a disabled account or a role change takes effect at once."""
    user = current_user()
    if user is None:
        return None
    fresh = auth.get_principal(user.id)
    if fresh is None:
        st.session_state.pop(USER_KEY, None)
    else:
        st.session_state[USER_KEY] = fresh
    return fresh


def log_in(user: auth.Principal) -> None:
    st.session_state[USER_KEY] = user


def log_out() -> None:
    keep_lang = st.session_state.get(LANG_KEY)
    st.session_state.clear()
    if keep_lang:
        st.session_state[LANG_KEY] = keep_lang


def lang() -> str:
    """The chosen language; else the setting; else the browser's locale."""
    chosen = st.session_state.get(LANG_KEY)
    if chosen in i18n.LANGUAGES:
        return chosen
    default = config.get("default_language")
    if default in i18n.LANGUAGES:
        return default
    try:
        locale = st.context.locale
    except Exception:  # AppTest and old clients may not report one
        locale = None
    return i18n.language_from_locale(locale)


def t(key: str, **values: object) -> str:
    return i18n.t(key, lang(), **values)
