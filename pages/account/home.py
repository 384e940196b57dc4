"""Home: each role's counts and the newest items that matter to it."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.dashboard import summary
from ipoverseas.core import vocab
from ipoverseas.access.policy import ADMIN, ENTERPRISE, EXPERT, STAFF
from ipoverseas.ui import state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.compliance import render_compliance
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import article_title, country, label, metrics, t_md

PAGE = PageSpec(key="home", title_key="nav.home", icon=":material/home:", action=None, order=0)

_counts = cached(summary.counts)
_alerts = cached(summary.active_alerts)
_cases = cached(summary.newest_cases)
_articles = cached(summary.newest_articles)
_consultations = cached(summary.my_consultations)
_imports = cached(summary.recent_imports)

KPIS = {
    ENTERPRISE: ("published_cases", "articles", "active_alerts", "my_open", "my_answered"),
    STAFF: ("cases", "to_review", "to_assign", "open_consultations", "experts"),
    EXPERT: ("assigned_open", "answered", "published_cases", "active_alerts"),
    ADMIN: ("cases", "to_review", "to_assign", "open_consultations", "experts", "sub_centres"),
}


def render() -> None:
    user = guard(PAGE)
    today = date.today()
    st.title(state.t(f"home.title.{user.role}"))
    st.caption(t_md(f"home.intro.{user.role}", name=user.display_name))

    figures = _counts(user, today)
    metrics([(state.t(f"home.kpi.{k}"), figures.get(k, 0)) for k in KPIS[user.role]], columns=len(KPIS[user.role]))

    _alerts_block(user, today)
    _calendar_reminder(user)   # issue 13 (h-d): next year's holiday notice, admin only
    left, right = st.columns(2)
    reviews = policy.can(user, "review_cases")   # the national centre: the review queue comes first
    curates = policy.can(user, "edit_case")      # a sub-centre: its region's newest cases, full width
    with left:
        if reviews:
            _cases_block(user)
        else:
            _consultations_block(user)
    with right:
        if not curates:
            _cases_block(user)
        _articles_block(user)
    if curates and not reviews:
        _cases_block(user)
    if policy.can(user, "read_compliance"):
        render_compliance(user, key="home_compliance", today=today)
        _imports_block(user)


def _alerts_block(user, today) -> None:
    alerts = _alerts(user, today)
    st.subheader(state.t("home.alerts"))
    if not alerts:
        st.info(state.t("home.no_alerts"))
        return
    for alert in alerts:
        text = f"**{label(vocab.SEVERITIES, alert['severity'])}** · {article_title(alert)}"
        if alert["valid_until"]:
            text += " · " + state.t("home.valid_until", date=alert["valid_until"].isoformat())
        {"high": st.error, "medium": st.warning}.get(alert["severity"], st.info)(text, icon=":material/campaign:")


def _cases_block(user) -> None:
    st.subheader(state.t("home.review_queue" if policy.can(user, "review_cases") else "home.newest_cases"))
    rows = _cases(user)
    if not rows:
        st.caption(state.t("common.none"))
        return
    st.dataframe([{
        state.t("case.ref"): r["case_ref"],
        state.t("case.title"): r["title"] + (f" ({state.t('common.demo')})" if r["is_demo"] else ""),
        state.t("case.country"): country(r["country"]),
        state.t("case.dispute_type"): label(vocab.DISPUTE_TYPES, r["dispute_type"]),
        state.t("case.filed_on"): r["filed_on"],
        state.t("case.review_status"): label(vocab.REVIEW_STATUSES, r["review_status"]),
    } for r in rows], hide_index=True, width="stretch")


def _articles_block(user) -> None:
    st.subheader(state.t("home.newest_articles"))
    rows = _articles(user)
    if not rows:
        st.caption(state.t("common.none"))
        return
    for r in rows:
        st.markdown(f"- {label(vocab.ARTICLE_KINDS, r['kind'])} · **{article_title(r)}** · {r['published_on'] or ''}")


def _consultations_block(user) -> None:
    st.subheader(state.t(f"home.consultations.{user.role}"))
    rows = _consultations(user)
    if not rows:
        st.caption(state.t("common.none"))
        return
    st.dataframe([{
        "#": r["id"],
        state.t("consultation.company"): r["company"],
        state.t("case.country"): country(r["country"]),
        state.t("consultation.status"): label(vocab.CONSULTATION_STATUSES, r["status"]),
        state.t("consultation.deadline"): r["enterprise_deadline"],
        state.t("consultation.question"): (r["question"] or "")[:60],
    } for r in rows], hide_index=True, width="stretch")


def _imports_block(user) -> None:
    rows = _imports(user)
    st.subheader(state.t("home.recent_imports"))
    if not rows:
        st.caption(state.t("common.none"))
        return
    st.dataframe([{
        "#": r["id"], state.t("import.dataset"): r["dataset"], state.t("import.filename"): r["filename"],
        state.t("import.created"): r["created_count"], state.t("import.updated"): r["updated_count"],
        state.t("import.when"): r["created_at"],
    } for r in rows], hide_index=True, width="stretch")


# --- issue 13 (the network, engineer h-d): the admin's reminder to enter next year's holiday notice ---
def _calendar_reminder(user) -> None:
    from ipoverseas.consultations import calendar
    from ipoverseas.core import localtime
    from ipoverseas.ui.links import page_link
    if policy.can(user, "manage_calendar") and (due := calendar.calendar_reminder(localtime.today())):
        st.warning(state.t("calendar.reminder", year=due["year"]), icon=":material/event:")
        page_link("admin-calendar", state.t("nav.admin_calendar"))
