"""A record's history (audit events and before-images), for any page that shows a record.

Call `render_history("case", case.id, user=user)` with the user from the page's `guard`:
`audit_query.history` decides whether that user may see the record's history, and when not,
nothing is shown.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.core import errors, localtime
from ipoverseas.audit import query
from ipoverseas.access.policy import Principal
from . import state
from .cache import cached
from .widgets import time_header

_history = cached(query.history)


def render_history(entity: str, entity_id: int, *, user: Principal | None = None, limit: int = 50,
                   expanded: bool = False) -> None:
    """The history expander, or nothing when `user` (the signed-in user if not given) may not see it."""
    if user is None:
        user = state.current_user()
    try:
        rows = _history(user, entity, int(entity_id), limit=limit, lang=state.lang())
    except errors.Denied:
        return
    with st.expander(state.t("history.title", count=len(rows)), expanded=expanded, icon=":material/history:"):
        if not rows:
            st.caption(state.t("history.none"))
            return
        st.dataframe([{
            time_header("history.when"): localtime.text(r["at"]),
            state.t("history.who"): r["who"],
            state.t("history.what"): r["label"],
            state.t("history.change"): r["change"],
        } for r in rows], hide_index=True, width="stretch", placeholder="—")
