"""Small display helpers shared by pages.

Streamlit renders Markdown in nearly every text it shows (st.markdown, captions, titles, alerts,
toasts, button, expander, tab and widget labels, radio options, page links); user-written text
goes into them through `escape` (ipoverseas.core.markdown), or through these helpers that do it.
Table cells and selectbox/multiselect options are plain text: they take the raw value.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.core import localtime, vocab
from ipoverseas.core.markdown import escape
from . import state


def label(vocabulary: vocab.Vocabulary, code: str | None) -> str:
    return vocabulary.label(code, state.lang())


def country(code: str | None) -> str:
    return vocab.countries().label(code, state.lang())


def article_title(row: dict) -> str:
    """The article's title in the user's language, escaped: it is shown by Markdown widgets."""
    if state.lang() == "en" and row.get("title_en"):
        return escape(row["title_en"])
    return escape(row.get("title_zh") or row.get("title_en") or "")


def t_md(key: str, **values: object) -> str:
    """`state.t` with every value escaped: a message that names user-written text (a display
    name, a username, a value typed into a form) for a widget that renders Markdown."""
    return state.t(key, **{name: escape(value) for name, value in values.items()})


def metrics(items: list[tuple[str, object]], columns: int = 4) -> None:
    """A row of KPI tiles: (label, value) pairs."""
    cols = st.columns(min(columns, len(items)) or 1)
    for i, (name, value) in enumerate(items):
        with cols[i % len(cols)]:
            st.metric(name, value, border=True)


def demo_badge(is_demo: bool) -> str:
    return f" `{state.t('common.demo')}`" if is_demo else ""


def time_header(key: str) -> str:
    """A time column's header, naming the zone once for the whole table: 时间（北京时间）."""
    return state.t("time.header", name=state.t(key), zone=localtime.label(state.lang()))
