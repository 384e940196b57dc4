"""A record's history (audit events and before-images), for any page that shows a record.

Call `render_history("case", case.id)` after the page has checked the user may see the record.
"""

from __future__ import annotations

import streamlit as st

from .. import audit_query
from . import state
from .cache import cached

_history = cached(audit_query.history)


def render_history(entity: str, entity_id: int, *, limit: int = 50, expanded: bool = False) -> None:
    rows = _history(entity, int(entity_id), limit=limit)
    with st.expander(state.t("history.title", count=len(rows)), expanded=expanded, icon=":material/history:"):
        if not rows:
            st.caption(state.t("history.none"))
            return
        st.dataframe([{
            state.t("history.when"): r["at"],
            state.t("history.who"): r["who"],
            state.t("history.what"): r["what"],
            state.t("history.change"): r["change"],
        } for r in rows], hide_index=True, width="stretch")
        st.caption(state.t("history.utc"))
