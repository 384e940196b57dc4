"""Small display helpers shared by pages."""

from __future__ import annotations

import streamlit as st

from ipoverseas.core import vocab
from . import state


def label(vocabulary: vocab.Vocabulary, code: str | None) -> str:
    return vocabulary.label(code, state.lang())


def country(code: str | None) -> str:
    return vocab.countries().label(code, state.lang())


def article_title(row: dict) -> str:
    if state.lang() == "en" and row.get("title_en"):
        return row["title_en"]
    return row.get("title_zh") or row.get("title_en") or ""


def metrics(items: list[tuple[str, object]], columns: int = 4) -> None:
    """A row of KPI tiles: (label, value) pairs."""
    cols = st.columns(min(columns, len(items)) or 1)
    for i, (name, value) in enumerate(items):
        with cols[i % len(cols)]:
            st.metric(name, value, border=True)


def demo_badge(is_demo: bool) -> str:
    return f" `{state.t('common.demo')}`" if is_demo else ""
