"""My consultations (enterprise): status, the answer, follow-up questions, rating, closing.

One consultation opens with ?consultation=<n>; an id that is not the enterprise's own shows
"not found", exactly as one that does not exist.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.consultations import states, workflow
from ipoverseas.core import localtime, vocab
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import run
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import country, label

PAGE = PageSpec(key="my-consultations", title_key="service.nav.my_consultations", icon=":material/forum:",
                action="follow_own_consultations", order=52, section="nav.section.service")

K = "my-consultations_"


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("service.mine.title"))
    chosen = view.pick_id(PAGE.key)
    if chosen is not None:
        _detail(user, chosen)
        return
    rows, total = workflow.list_for(user, limit=200)
    if not rows:
        st.info(state.t("service.mine.none"))
        return
    st.caption(state.t("service.mine.count", n=total))
    view.zone_caption()
    view.consultation_table([{
        "#": record_url(PAGE.key, r["id"]),
        state.t("service.field.asked_at"): localtime.text(r["created_at"]),
        state.t("service.field.country"): country(r["country"]),
        state.t("service.field.stage"): label(vocab.STAGES, r["stage"]),
        state.t("service.field.status"): view.status_label(r["status"]),
        state.t("service.field.clock"): view.clock_text(r["clock"]),
        state.t("service.field.question"): (r["question"] or "")[:80],
    } for r in rows], [r["id"] for r in rows], PAGE.key, K)


def _detail(user: policy.Principal, consultation_id: int) -> None:
    item = view.detail_header(user, consultation_id, K, PAGE.key)
    if item is None:
        return
    if item["status"] == "waiting":
        st.warning(state.t("service.mine.waiting_hint"), icon=":material/reply:")
    view.summary(item)
    view.thread(item)
    moves = states.actions(user, item)
    if "follow_up" in moves:
        with st.form(K + "message_form", clear_on_submit=True):
            body = st.text_area(state.t("service.mine.followup"), key=K + "message", max_chars=workflow.MAX_QUESTION)
            if st.form_submit_button(state.t("service.mine.send")):
                run(lambda: workflow.post_message(user, item["id"], body, "followup"), done="service.mine.sent",
                    fields=view.FIELDS)
    if "rate" in moves:
        st.subheader(state.t("service.mine.rate"))
        with st.form(K + "rate_form"):
            options = [1, 2, 3, 4, 5]
            stars = st.radio(state.t("service.field.rating"), options, horizontal=True, key=K + "stars",
                             index=options.index(item["rating"]) if item["rating"] in options else None,
                             format_func=lambda n: "★" * n + "☆" * (5 - n), help=state.t("service.mine.rate_help"))
            comment = st.text_area(state.t("service.field.rating_comment"), value=item["rating_comment"] or "",
                                   key=K + "comment", max_chars=2000)
            if st.form_submit_button(state.t("service.mine.rate_submit")):
                run(lambda: workflow.rate(user, item["id"], stars, comment), done="service.mine.rated", fields=view.FIELDS)
        if item["rating"]:
            st.caption(state.t("service.mine.your_rating", rating=item["rating"]))
    if "close" in moves:
        _close(user, item)
    view.history(item)


def _close(user: policy.Principal, item: dict) -> None:
    """Close; while a question or follow-up is unanswered, only after confirming."""
    pending = states.awaiting_answer(item)
    if pending is None:
        clicked = st.button(state.t("service.mine.close"), key=K + "close")
    else:
        with st.popover(state.t("service.mine.close")):
            st.warning(state.t(f"service.mine.close_unanswered.{pending}"))
            clicked = st.button(state.t("service.mine.close_confirm"), key=K + "close", type="primary")
    if clicked:
        run(lambda: workflow.close(user, item["id"]), done="service.mine.closed", fields=view.FIELDS)
