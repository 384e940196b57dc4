"""The notification badge and list, for the sidebar:

    from ipoverseas.ui.notifications import render_notifications
    render_notifications(user)

Shows the count of unread notifications and, in an expander (a Material bell icon: no emoji
font needed), the newest ones, each a link to its consultation (opening the consultation marks
its notifications read); a button marks them all read.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.accounts import notifications
from ipoverseas.core.markdown import escape
from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from . import state
from .links import page_link, record_link
from ipoverseas.core import localtime

# Where a notification about a consultation leads: the page of what the user does with it.
TARGET_PAGES = (("triage_consultation", "consultations"), ("answer_consultation", "assignments"),
                ("follow_own_consultations", "my-consultations"))
# Where a notification about another record leads: its entity -> the page that opens it.
ENTITY_PAGES = {"duty": "reports", "transfer": "transfers", "follow_event": "follows", "article": "guides"}
# An import of another sub-centre's cases about the user's region: the library's "concerning my region" filter.
FILTERED_PAGES = {"import_batch": ("cases", {"region": "mine"})}
FOLLOW_KINDS = ("follow_cases", "follow_case_changed", "follow_articles", "follow_alert_changed", "follow_digest")


def follow_text(n: dict) -> str:
    """A follow notification's line: its count is in the message ("12", or a digest's "2026-W49|3|1")."""
    parts = (n.get("message") or "").split("|")
    if n["kind"] == "follow_digest" and len(parts) == 3:
        return state.t("follows.notify.follow_digest", week=parts[0], cases=parts[1], articles=parts[2])
    return state.t(f"follows.notify.{n['kind']}", n=parts[0] or "?")


def render_notifications(user: Principal | None, key: str = "notifications") -> None:
    if user is None:
        return
    unread = notifications.unread_count(user)
    title = state.t("service.notifications.title", n=unread) if unread else state.t("service.notifications.none_new")
    with st.expander(title, expanded=False,
                     icon=":material/notifications_active:" if unread else ":material/notifications:"):
        items = notifications.recent(user, limit=15)
        if not items:
            st.caption(state.t("service.notifications.empty"))
            return
        page = next((page for action, page in TARGET_PAGES if policy.can(user, action)), None)
        for n in items:
            text = state.t(f"service.notify.{n['kind']}", id=n["consultation_id"] or n["entity_id"] or "") \
                if n["kind"] not in FOLLOW_KINDS else follow_text(n)
            icon = ":material/mark_email_unread:" if n["read_at"] is None else ":material/drafts:"
            if n["entity"] == "digest" and n["entity_id"]:
                page_link("follows", text, icon=icon, digest=str(n["entity_id"]))   # opening it marks it read
            elif n["consultation_id"] and page:
                record_link(page, n["consultation_id"], text, icon=icon)   # opening it marks it read
            elif n["entity"] in FILTERED_PAGES:
                page_key, query = FILTERED_PAGES[n["entity"]]
                page_link(page_key, escape(text), icon=icon, **query)
            elif n["entity"] in ENTITY_PAGES and n["entity_id"]:
                record_link(ENTITY_PAGES[n["entity"]], n["entity_id"], text, icon=icon)   # opening it marks it read
            else:
                st.markdown(f"{icon} {escape(text)}")
            st.caption(localtime.text(n["created_at"]) if n["kind"] in FOLLOW_KINDS
                       else f"{localtime.text(n['created_at'])} · {escape((n['message'] or '')[:80])}")
        if unread and st.button(state.t("service.notifications.mark_read"), key=key + "_read"):
            notifications.mark_read(user)
            st.rerun()

