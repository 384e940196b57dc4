"""My assignments (expert): accept or decline, answer in Markdown, ask the enterprise for
more (which pauses the clock). Each consultation shows similar cases and articles."""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.consultations import states, workflow
from ipoverseas.core import vocab
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import run
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import country, label

PAGE = PageSpec(key="assignments", title_key="service.nav.assignments", icon=":material/assignment_ind:",
                action="answer_consultation", order=54, section="nav.section.service")

K = "assignments_"


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("service.inbox.title"))
    chosen = view.pick_id(PAGE.key)
    if chosen is not None:
        _detail(user, chosen)
        return
    if user.expert_id is None:
        st.info(state.t("service.inbox.no_profile"))
        return
    rows, total = workflow.list_for(user, limit=200)
    if not rows:
        st.info(state.t("service.inbox.none"))
        return
    open_rows = [r for r in rows if r["status"] in states.WITH_EXPERT]
    st.caption(state.t("service.inbox.count", open=len(open_rows), n=total))
    view.zone_caption()
    table = [{
        state.t("service.field.flag"): view.clock_flag(r["clock"]),
        "#": record_url(PAGE.key, r["id"]),
        state.t("service.field.status"): view.status_label(r["status"]),
        state.t("service.field.clock"): view.clock_text(r["clock"]),
        state.t("service.field.deadline"): view.day_text(r["enterprise_deadline"]),
        state.t("service.field.country"): country(r["country"]),
        state.t("service.field.ip_type"): label(vocab.IP_TYPES, r["ip_type"]),
        state.t("service.field.question"): (r["question"] or "")[:80],
    } for r in rows]
    view.consultation_table(view.highlighted(table, [r["clock"].state for r in rows]), [r["id"] for r in rows],
                            PAGE.key, K)


def _detail(user: policy.Principal, consultation_id: int) -> None:
    item = view.detail_header(user, consultation_id, K, PAGE.key)
    if item is None:
        return
    moves = states.actions(user, item)
    left, right = st.columns([3, 2])
    with left:
        view.summary(item)
        view.thread(item)
        if "accept" in moves or "decline" in moves:
            c1, c2 = st.columns(2)
            if "accept" in moves and c1.button(state.t("service.inbox.accept"), type="primary", key=K + "accept"):
                run(lambda: workflow.accept(user, item["id"]), done="service.inbox.accepted", fields=view.FIELDS)
            if "decline" in moves:
                _ask_then(c2, "service.inbox.decline", ("reason", "service.inbox.decline_reason"),
                          ("decline", "service.inbox.decline_confirm"),
                          lambda reason: workflow.decline(user, item["id"], reason), "service.inbox.declined")
        if "answer" in moves:
            st.subheader(state.t("service.inbox.answer"))
            st.caption(state.t("service.inbox.answer_help"))
            if states.answering_accepts(item):
                st.info(state.t("service.inbox.answer_accepts"), icon=":material/how_to_reg:")
            text = st.text_area(state.t("service.inbox.answer_label"), value=item["answer"] or "", height=220,
                                key=K + "answer", max_chars=workflow.MAX_QUESTION)
            if text.strip():
                with st.expander(state.t("service.inbox.preview")):
                    view.safe_markdown(text)
            c1, c2 = st.columns(2)
            if c1.button(state.t("service.inbox.send_answer"), type="primary", key=K + "send"):
                run(lambda: workflow.answer(user, item["id"], text), done="service.inbox.answered", fields=view.FIELDS)
            if "request_info" in moves:
                _ask_then(c2, "service.inbox.ask_more", ("request", "service.inbox.ask_more_label"),
                          ("waiting", "service.inbox.ask_more_send"),
                          lambda request: workflow.set_waiting(user, item["id"], request), "service.inbox.paused")
            elif "resume" in moves and c2.button(state.t("service.queue.resume"), key=K + "resume"):
                run(lambda: workflow.resume(user, item["id"]), done="service.done", fields=view.FIELDS)
        elif "note" in moves:
            with st.form(K + "note_form", clear_on_submit=True):
                note = st.text_area(state.t("service.inbox.note"), key=K + "note", max_chars=workflow.MAX_QUESTION)
                if st.form_submit_button(state.t("service.mine.send")):
                    run(lambda: workflow.post_message(user, item["id"], note, "note"), done="service.mine.sent",
                        fields=view.FIELDS)
        view.history(item)
    with right:
        st.subheader(state.t("service.selfhelp.similar"))
        view.suggestions(user, country_code=item["country"], dispute_type=item["dispute_type"],
                         ip_type=item["ip_type"], industry=item["industry"], text=item["opposing_party"] or "")
        view.response_clock(item["dispute_type"], item["stage"], K)


def _ask_then(column, label_key: str, text: tuple[str, str], button: tuple[str, str], call, done: str) -> None:
    """A popover that asks for a text (`text`: its key and label) and sends it with `call` when its
    button (`button`: key and label) is pressed."""
    with column.popover(state.t(label_key)):
        value = st.text_area(state.t(text[1]), key=K + text[0], max_chars=2000)
        if st.button(state.t(button[1]), key=K + button[0]):
            run(lambda: call(value), done=done, fields=view.FIELDS)
