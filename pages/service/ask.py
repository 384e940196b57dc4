"""Ask: an enterprise files a question (staff may file one on an enterprise's behalf).

The self-help panel (similar published cases and articles, the response clock of the
dispute type) updates as the form is filled in, before anyone answers.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.consultations import workflow
from ipoverseas.core import localtime, vocab
from ipoverseas.sharing import profile
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import run
from ipoverseas.ui.pages import PageSpec, guard

PAGE = PageSpec(key="ask", title_key="service.nav.ask", icon=":material/contact_support:",
                action="ask_consultation", order=51, section="nav.section.service")

K = "ask_"   # session-key prefix


def _select(name: str, vocabulary: vocab.Vocabulary, *, required: bool = False, default: str | None = None):
    options = list(vocabulary.codes)
    lang = state.lang()
    index = options.index(default) if default in options else None
    return st.selectbox(state.t(f"service.field.{name}") + (" *" if required else ""), options, index=index,
                        format_func=lambda c: vocabulary.label(c, lang), key=K + name,
                        placeholder=state.t("service.ask.choose"))


def _own_industry(user) -> str | None:
    """The industry of the enterprise's company profile, when it names just one."""
    if not policy.can(user, "keep_company_profile"):
        return None
    industries = profile.read(user)["industry"]
    return industries[0] if len(industries) == 1 else None


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("service.ask.title"))
    st.caption(state.t("service.ask.intro"))

    done = st.session_state.get(K + "done")
    if done:
        st.success(state.t("service.ask.filed", id=done))
        if st.button(state.t("service.ask.another"), key=K + "again"):
            for k in [k for k in st.session_state if str(k).startswith(K)]:
                del st.session_state[k]
            st.rerun()

    left, right = st.columns([3, 2])
    with left:
        enterprise_id = None
        sub_centre_id = None
        if policy.can(user, "triage_consultation"):  # a sub-centre asks on behalf of an enterprise
            accounts = workflow.enterprise_users()
            enterprise_id = st.selectbox(
                state.t("service.ask.on_behalf"), [a["id"] for a in accounts], index=None, key=K + "enterprise",
                format_func=lambda i: next(f"{a['display_name']} ({a['username']})" for a in accounts if a["id"] == i),
                placeholder=state.t("service.ask.no_account"))
        else:
            centres = workflow.sub_centres()
            if centres:
                default = next((i for i, c in enumerate(centres) if c["id"] == user.sub_centre_id), 0)
                sub_centre_id = st.selectbox(
                    state.t("service.field.sub_centre_id"), [c["id"] for c in centres], index=default,
                    key=K + "sub_centre", placeholder=state.t("service.ask.choose"),
                    format_func=lambda i, lang=state.lang(): next((c["name_zh"] if lang == "zh" else c["name_en"] or c["name_zh"])
                                               for c in centres if c["id"] == i))
        c1, c2 = st.columns(2)
        company = c1.text_input(state.t("service.field.company") + " *", value=user.organisation or "",
                                key=K + "company", max_chars=300)
        contact = c2.text_input(state.t("service.field.contact"), key=K + "contact", max_chars=300)
        c1, c2, c3 = st.columns(3)
        with c1:
            country = _select("country", vocab.countries(), required=True)
        with c2:
            ip_type = _select("ip_type", vocab.IP_TYPES)
        with c3:
            industry = _select("industry", vocab.INDUSTRIES, default=_own_industry(user))
        c1, c2 = st.columns(2)
        with c1:
            stage = _select("stage", vocab.STAGES)
        with c2:
            dispute_type = _select("dispute_type", vocab.DISPUTE_TYPES)
        opposing = st.text_input(state.t("service.field.opposing_party"), key=K + "opposing", max_chars=300,
                                 help=state.t("service.ask.opposing_help"))
        c1, c2 = st.columns(2)
        has_deadline = c1.checkbox(state.t("service.ask.has_deadline"), key=K + "has_deadline",
                                   help=state.t("service.ask.has_deadline_help"))
        deadline = c1.date_input(state.t("service.field.deadline"), value=None, min_value=localtime.today(),
                                 key=K + "deadline", disabled=not has_deadline)
        with c2:
            urgency = st.selectbox(state.t("service.field.urgency"), list(vocab.URGENCIES.codes),
                                   format_func=lambda c, lang=state.lang(): vocab.URGENCIES.label(c, lang), key=K + "urgency",
                                   placeholder=state.t("service.ask.choose"))
        question = st.text_area(state.t("service.field.question") + " *", key=K + "question", height=180,
                                max_chars=workflow.MAX_QUESTION, help=state.t("service.ask.question_help"))
        st.info(state.t("service.ask.disclaimer_text"), icon=":material/gavel:")
        accepted = st.checkbox(state.t("service.ask.disclaimer_accept"), key=K + "disclaimer")
        if st.button(state.t("service.ask.submit"), type="primary", key=K + "submit", disabled=bool(done)):
            q = workflow.Question(
                company=company, contact=contact, country=country, ip_type=ip_type, industry=industry,
                dispute_type=dispute_type, stage=stage, opposing_party=opposing,
                deadline=deadline if has_deadline else None, urgency=urgency or "normal", question=question,
                disclaimer_accepted=accepted, sub_centre_id=sub_centre_id, enterprise_user_id=enterprise_id)
            new_id = run(lambda: workflow.ask(user, q), rerun=False, fields=("service.field.",))
            if new_id is not None:
                st.session_state[K + "done"] = new_id
                st.rerun()
    with right:
        st.subheader(state.t("service.selfhelp.title"))
        st.caption(state.t("service.selfhelp.intro"))
        if country or dispute_type or ip_type:
            view.suggestions(user, country_code=country, dispute_type=dispute_type, ip_type=ip_type,
                             industry=industry, text=opposing or "")
            view.response_clock(dispute_type, stage, K)
        else:
            st.caption(state.t("service.selfhelp.fill"))
        st.caption(state.t("service.ask.promise", days=f"{workflow.promise_days():g}"))
