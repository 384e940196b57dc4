"""Consultations (staff, admin): the triage queue, the ranked shortlist, assignment and
reassignment, and the follow-up after the dispute. One consultation opens with ?consultation=<n>."""

from __future__ import annotations

import time

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core import config, i18n, vocab
from ipoverseas.core.markdown import escape
from ipoverseas.consultations import queue, states, sweep, workflow
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import run
from ipoverseas.ui.links import record_url
from ipoverseas.ui.compliance import render_compliance
from ipoverseas.ui.history import render_history
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import country, label

PAGE = PageSpec(key="consultations", title_key="service.nav.consultations", icon=":material/support_agent:",
                action="triage_consultation", order=53, section="nav.section.service")

K = "consultations_"
FILTERS = ("all", "overdue", "at_risk", "new", "stale")
SWEEP_SECONDS = 600


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("service.queue.title"))
    chosen = view.pick_id(PAGE.key)
    if chosen is not None:
        _detail(user, chosen)
        return
    queue_tab, compliance_tab = st.tabs([state.t("service.queue.tab"), state.t("service.compliance.title")])
    with queue_tab:
        _queue(user)
    with compliance_tab:
        render_compliance(user, key=K + "compliance")


def _queue(user: policy.Principal) -> None:
    # A fallback for a server without the cron job (`python -m ipoverseas notify-overdue`):
    # notify consultations that just went overdue, at most every 10 minutes per session.
    last = st.session_state.get(K + "swept")
    if last is None or time.time() - last > SWEEP_SECONDS:
        sweep.notify_overdue()
        st.session_state[K + "swept"] = time.time()
    only = st.segmented_control(state.t("service.queue.show"), FILTERS, default="all", key=K + "filter",
                                format_func=lambda f, lang=state.lang(): i18n.t(f"service.queue.filter.{f}", lang))
    counts = queue.queue_counts(user)
    c1, c2, c3 = st.columns(3)
    c1.metric(state.t("service.queue.open"), counts["open"], border=True)
    c2.metric(state.t("service.queue.overdue"), counts["overdue"], border=True)
    c3.metric(state.t("service.queue.at_risk"), counts["at_risk"], border=True)
    only = None if only in (None, "all") else only
    total = counts["open"] if only is None else counts[only]
    size = int(config.get("page_size"))
    offset = view.page_offset(total, size, K + "page_" + (only or "all"))
    rows, total = queue.queue(user, only=only, limit=size, offset=offset)
    if not rows:
        st.info(state.t("service.queue.empty"))
        return
    st.caption(state.t("service.queue.sorted"))
    view.zone_caption()
    table = [{
        state.t("service.field.flag"): view.clock_flag(r["clock"])
        + (" · " + state.t("service.flag.stale") if r["stale"] else ""),
        "#": record_url(PAGE.key, r["id"]),
        state.t("service.field.deadline"): view.day_text(r["enterprise_deadline"]),
        state.t("service.field.clock"): view.clock_text(r["clock"]),
        state.t("service.field.status"): view.status_label(r["status"]),
        state.t("service.field.company"): r["company"],
        state.t("service.field.country"): country(r["country"]),
        state.t("service.field.stage"): label(vocab.STAGES, r["stage"]),
        state.t("service.field.urgency"): label(vocab.URGENCIES, r["urgency"]),
        state.t("service.field.expert"): r["expert_name"] or "",
        state.t("service.field.sub_centre_id"): r.get("sub_centre") or "",
    } for r in rows]
    view.consultation_table(view.highlighted(table, [r["clock"].state for r in rows]), [r["id"] for r in rows],
                            PAGE.key, K)
    st.caption(state.t("service.queue.legend"))


def _detail(user: policy.Principal, consultation_id: int) -> None:
    item = view.detail_header(user, consultation_id, K, PAGE.key)
    if item is None:
        return
    moves = states.actions(user, item)
    left, right = st.columns([3, 2])
    with left:
        view.summary(item)
        view.thread(item)
        for kind, label_key in (("staff_note", "service.queue.note"), ("followup", "service.mine.followup")):
            if states.MESSAGE_MOVES[kind] in moves:
                _message_form(user, item, kind, label_key)
        view.history(item)
        render_history("consultation", item["id"], user=user)
    with right:
        if "reassign" in moves:
            st.warning(state.t("service.queue.stale", days=f"{item['unaccepted_days']:.1f}"))
        if "assign" in moves or "reassign" in moves:
            _shortlist(user, item)
        elif item["status"] == "assigned":
            st.info(state.t("service.queue.waiting_accept", days=f"{item.get('unaccepted_days') or 0:.1f}"))
        if "resume" in moves and st.button(state.t("service.queue.resume"), key=K + "resume"):
            run(lambda: workflow.resume(user, item["id"]), done="service.done", fields=view.FIELDS)
        if "record_outcome" in moves:
            _followup(user, item)
        if "close" in moves and st.button(state.t("service.mine.close"), key=K + "close"):
            run(lambda: workflow.close(user, item["id"]), done="service.mine.closed", fields=view.FIELDS)


def _message_form(user: policy.Principal, item: dict, kind: str, label_key: str) -> None:
    name = K + ("note" if kind == "staff_note" else "message")
    with st.form(name + "_form", clear_on_submit=True):
        body = st.text_area(state.t(label_key), key=name, max_chars=workflow.MAX_QUESTION)
        if st.form_submit_button(state.t("service.mine.send")):
            run(lambda: workflow.post_message(user, item["id"], body, kind), done="service.mine.sent", fields=view.FIELDS)


def _shortlist(user: policy.Principal, item: dict) -> None:
    st.subheader(state.t("service.shortlist.title"))
    st.caption(state.t("service.shortlist.intro"))
    more = st.toggle(state.t("service.shortlist.more"), key=K + "more")
    candidates = workflow.shortlist_for(user, item["id"], limit=50 if more else 10)
    if not candidates:
        st.warning(state.t("service.shortlist.empty"))
        return
    lang = state.lang()
    for rank, c in enumerate(candidates, 1):
        with st.container(border=True):
            st.markdown(f"**{rank}. {escape(c.name)}** · {escape(c.title)} · {escape(c.organisation)} "
                        f"· {escape(c.sub_centre)} — **{c.score:g}**")
            st.caption(" · ".join(state.t(key, **_labels(values, lang)) for key, values in c.reasons))
            if st.button(state.t("service.shortlist.assign"), key=f"{K}assign_{c.expert_id}"):
                run(lambda c=c: workflow.assign(user, item["id"], c.expert_id), done="service.shortlist.assigned",
                    fields=view.FIELDS)


def _labels(values: dict, lang: str) -> dict:
    """Show vocabulary codes in the reasons as labels."""
    out = dict(values)
    code = out.get("code")
    if code:
        for vocabulary in (vocab.countries(), vocab.IP_TYPES, vocab.INDUSTRIES, vocab.LANGUAGES):
            if code in vocabulary:
                out["code"] = vocabulary.label(code, lang)
                break
    return out


def _followup(user: policy.Principal, item: dict) -> None:
    st.subheader(state.t("service.followup.title"))
    outcomes = list(workflow.FOLLOWUP_OUTCOMES)
    with st.form(K + "followup_form"):
        current = item["followup_outcome"]
        outcome = st.selectbox(state.t("service.field.outcome"), outcomes,
                               index=outcomes.index(current) if current in outcomes else None,
                               format_func=lambda c, lang=state.lang(): vocab.OUTCOMES.label(c, lang), key=K + "outcome",
                               placeholder=state.t("service.ask.choose"))
        loss = st.text_input(state.t("service.field.loss_avoided_cny"),
                             value=str(item["loss_avoided_cny"] or ""), key=K + "loss")
        draft = st.checkbox(state.t("service.followup.draft"), key=K + "draft",
                            disabled=item["draft_case_id"] is not None)
        if st.form_submit_button(state.t("service.followup.save")):
            run(lambda: workflow.record_followup(user, item["id"], outcome, loss, draft), done="service.done",
                fields=view.FIELDS)
    if item["draft_case_id"]:
        st.caption(state.t("service.followup.draft_made", id=item["draft_case_id"]))
