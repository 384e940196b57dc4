"""The follow button of a record's page (a case, an article or alert):

    from ipoverseas.ui.follow_button import follow_button
    follow_button(user, "case", case_id)

A toggle: "关注 / Follow" or "已关注 · 取消 / Following · unfollow". Followers hear once of each
change of the record (ipoverseas/sharing/fanout.py).
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.sharing import follows
from . import actions, state


def follow_button(user: Principal | None, facet: str, record_id: int) -> None:
    if user is None or not policy.can(user, "keep_follows"):
        return
    key = f"follow_{facet}_{record_id}"
    if follows.is_following(user, facet, record_id):
        if st.button(state.t("follows.button.unfollow"), key=key, icon=":material/notifications_off:",
                     help=state.t("follows.button.help")):
            actions.run(lambda: follows.unfollow(user, facet, record_id), done="follows.done.unfollowed")
    elif st.button(state.t("follows.button.follow"), key=key, icon=":material/notification_add:",
                   help=state.t("follows.button.help")):
        actions.run(lambda: follows.follow(user, facet, record_id), done="follows.done.followed")
