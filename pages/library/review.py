"""Case review (admin): the queue of submitted cases; approve, return with a reason, publish,
select as typical or guiding with the reason. Every action goes through `ipoverseas.cases`,
which checks the policy, keeps a before-image and writes the audit trail."""

from __future__ import annotations

import streamlit as st

from ipoverseas.audit import labels as audit_labels
from ipoverseas.core import errors, localtime
from ipoverseas.core.markdown import escape
from ipoverseas.cases import library, review
from ipoverseas.core import vocab
from ipoverseas.ui import actions, state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import parse_id
from ipoverseas.ui.widgets import country, label, metrics, time_header

PAGE = PageSpec(key="review", title_key="cases.review.title", icon=":material/fact_check:", action="review_cases",
                order=30, section="nav.section.knowledge")

QUEUES = ("submitted", "approved", "returned", "published")
PAGE_SIZE = 25
FLASH = "review_flash"

_queue = cached(review.review_queue)
_counts = cached(review.review_counts)
_case = cached(library.get_case)
_history = cached(review.history)


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("cases.review.title"))
    st.caption(state.t("cases.review.intro"))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(flash[1])

    counts = _counts(user)
    metrics([(label(vocab.REVIEW_STATUSES, q), counts.get(q, 0)) for q in QUEUES], columns=len(QUEUES))
    names = {q: label(vocab.REVIEW_STATUSES, q) for q in QUEUES}
    queue = st.radio(state.t("cases.review.queue"), QUEUES, horizontal=True, key="review_queue",
                     format_func=names.get) or "submitted"
    page_no = int(st.session_state.get("review_page") or 1)
    result = _queue(user, statuses=(queue,), page=page_no, page_size=PAGE_SIZE)
    if not result.rows:
        st.info(state.t("cases.review.empty"))
        return
    event = st.dataframe([{
        "#": record_url(PAGE.key, r["id"]),
        state.t("cases.field.case_ref"): r["case_ref"],
        state.t("cases.field.title"): r["title"],
        state.t("cases.field.country"): country(r["country"]),
        state.t("cases.field.dispute_type"): label(vocab.DISPUTE_TYPES, r["dispute_type"]),
        state.t("cases.field.filed_on"): r["filed_on"],
        state.t("cases.field.distinction"): label(vocab.DISTINCTIONS, r["distinction"]),
        state.t("cases.field.review_note"): r["review_note"] or "",
    } for r in result.rows], hide_index=True, width="stretch", key="review_table", on_select="rerun",
        selection_mode="single-row", column_config={"#": st.column_config.LinkColumn(
            "#", display_text=r"case=(\d+)", width="small", help=state.t("cases.review.open_help"))}, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked and 0 <= picked[0] < len(result.rows):     # one click on a row opens the case below
        st.query_params["case"] = str(result.rows[picked[0]]["id"])
        st.rerun()
    if result.pages > 1:
        st.number_input(state.t("cases.review.page", pages=result.pages), min_value=1, max_value=result.pages,
                        step=1, key="review_page")

    titles = {r["id"]: f"#{r['id']} {r['title'][:50]}" for r in result.rows}
    wanted = parse_id(st.query_params.get("case"))     # a link, a row picked, or a bookmark
    if wanted is not None and wanted not in titles:
        titles = {wanted: f"#{wanted}", **titles}
    if wanted is not None and st.session_state.get("review_opened") != wanted:
        st.session_state["review_pick"] = st.session_state["review_opened"] = wanted
    case_id = st.selectbox(state.t("cases.review.pick"), list(titles), key="review_pick",
                           format_func=lambda i: titles.get(i, str(i)))
    if case_id is not None:
        _panel(user, case_id)


def _panel(user, case_id: int) -> None:
    case = _case(user, case_id)
    if case is None:
        st.warning(state.t("errors.not_found"))
        return
    with st.container(border=True):
        st.subheader(escape(case["title"]))
        st.caption(" · ".join(filter(None, [country(case["country"]), label(vocab.DISPUTE_TYPES, case["dispute_type"]),
                                            label(vocab.REVIEW_STATUSES, case["review_status"])])))
        for name in ("summary", "guidance", "lessons"):
            st.markdown(f"**{state.t(f'cases.field.{name}')}**: " + escape(case[name], multiline=True))
        reason = st.text_area(state.t("cases.review.reason"), key=f"review_reason_{case_id}", max_chars=review.MAX_REASON)
        status = case["review_status"]
        cols = st.columns(4)
        for col, action in zip(cols, ("approve", "return", "publish", "unpublish")):
            allowed = status in review.TRANSITIONS[action][0]
            with col:
                if st.button(state.t(f"cases.review.{action}"), key=f"review_{action}_{case_id}", disabled=not allowed,
                             type="primary" if action in ("approve", "publish") else "secondary"):
                    _do(lambda: review.transition(user, case_id, action, reason=reason,
                                                 expected_version=case["version"]),
                        state.t(f"cases.review.{action}"), case_id)
        if status == "published":
            options = [None, *vocab.DISTINCTIONS.codes]
            names = {d: label(vocab.DISTINCTIONS, d) if d else state.t("cases.review.distinction_none") for d in options}
            choice = st.radio(state.t("cases.review.distinction"), options, horizontal=True,
                              index=options.index(case["distinction"]), key=f"review_distinction_{case_id}",
                              format_func=names.get)
            if st.button(state.t("cases.review.save_distinction"), key=f"review_save_distinction_{case_id}"):
                _do(lambda: review.set_distinction(user, case_id, choice, reason or case["distinction_reason"],
                                                  expected_version=case["version"]),
                    state.t("cases.review.save_distinction"), case_id)
        history = _history(user, case_id)
        if history:
            with st.expander(state.t("cases.review.history")):
                lang = state.lang()
                st.dataframe([{
                    time_header("history.when"): localtime.text(h["at"]),
                    state.t("history.who"): h["who"],
                    state.t("history.what"): audit_labels.action(f"case.{h['action']}", lang),
                    state.t("history.review_status"): label(vocab.REVIEW_STATUSES, h["status"]),
                    state.t("history.reason"): h["reason"],
                } for h in history], hide_index=True, width="stretch", placeholder="—")


def _do(fn, action_label: str, case_id: int) -> None:
    try:
        fn()
    except errors.Refusal as err:  # shown after the rerun, like the success
        st.session_state[FLASH] = ("error", actions.message((None, err.key, err.values)))
    else:
        st.session_state[FLASH] = ("ok", state.t("cases.review.done", action=action_label, id=case_id))
        st.session_state.pop(f"review_reason_{case_id}", None)
    st.rerun()
