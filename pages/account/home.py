"""Home: each role's counts and the newest items that matter to it."""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.dashboard import summary
from ipoverseas.core import i18n, localtime, vocab
from ipoverseas.access.policy import ADMIN, ENTERPRISE, EXPERT, STAFF
from ipoverseas.ui import state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.compliance import render_compliance
from ipoverseas.ui.links import RECORD_PARAMS, record_link, record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import country, label, metrics, t_md, time_header

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
    today = localtime.today()   # the users' date: an alert valid until yesterday Beijing time is over
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


SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "blue"}


def _consultation_page(user) -> str:
    """The page on which this user opens a consultation: an enterprise's own list, an expert's
    assignments, or the sub-centre's / national centre's queue."""
    if policy.can(user, "follow_own_consultations"):
        return "my-consultations"
    if policy.can(user, "answer_consultation"):
        return "assignments"
    return "consultations"


def _stand_in() -> None:   # stands for the registered page of the same URL path (st.switch_page matches it)
    pass


def _record_table(rows: list[dict], ids: list, page_key: str, key: str) -> None:
    """A table whose "#" column links each row to its record (a bookmarkable URL, `record_url`) and
    in which picking a row opens that record here, in one click."""
    event = st.dataframe(rows, hide_index=True, width="stretch", key=key, on_select="rerun",
                         selection_mode="single-row", placeholder="—",
                         column_config={"#": st.column_config.LinkColumn(
                             "#", display_text=r"=(\d+)", width="small", help=state.t("home.open_help"))})
    picked = event.selection.rows if event is not None else []
    if picked:
        st.switch_page(st.Page(_stand_in, url_path=page_key, title=page_key),
                       query_params={RECORD_PARAMS[page_key]: str(ids[picked[0]])})


def _alerts_block(user, today) -> None:
    alerts = _alerts(user, today)
    st.subheader(state.t("home.alerts"))
    if not alerts:
        st.info(state.t("home.no_alerts"))
        return
    for alert in alerts:   # each one a link to the alert itself
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.badge(label(vocab.SEVERITIES, alert["severity"]), icon=":material/campaign:",
                     color=SEVERITY_COLOURS.get(alert["severity"], "blue"))
            title = alert["title_en"] if state.lang() == "en" and alert["title_en"] else alert["title_zh"]
            until = (state.t("home.valid_until", date=alert["valid_until"].isoformat())
                     if alert["valid_until"] else None)
            record_link("guides", alert["id"], title or "", help=until)
            if until:
                st.caption(until)


def _cases_block(user) -> None:
    st.subheader(state.t("home.review_queue" if policy.can(user, "review_cases") else "home.newest_cases"))
    rows = _cases(user)
    if not rows:
        st.caption(state.t("common.none"))
        return
    _record_table([{
        "#": record_url("cases", r["id"]),
        state.t("case.ref"): r["case_ref"],
        state.t("case.title"): r["title"],
        state.t("case.country"): country(r["country"]),
        state.t("case.dispute_type"): label(vocab.DISPUTE_TYPES, r["dispute_type"]),
        state.t("case.filed_on"): r["filed_on"].isoformat() if r["filed_on"] else "",
        state.t("case.review_status"): label(vocab.REVIEW_STATUSES, r["review_status"]),
        state.t("home.col.badge"): state.t("common.demo") if r["is_demo"] else "",
    } for r in rows], [r["id"] for r in rows], "cases", "home_cases")


def _articles_block(user) -> None:
    st.subheader(state.t("home.newest_articles"))
    rows = _articles(user)
    if not rows:
        st.caption(state.t("common.none"))
        return
    for r in rows:
        title = r["title_en"] if state.lang() == "en" and r["title_en"] else r["title_zh"]
        record_link("guides", r["id"], title or "", icon=":material/article:",
                    help=" · ".join(filter(None, [label(vocab.ARTICLE_KINDS, r["kind"]),
                                                  r["published_on"].isoformat() if r["published_on"] else ""])))


def _consultations_block(user) -> None:
    st.subheader(state.t(f"home.consultations.{user.role}"))
    rows = _consultations(user)
    if not rows:
        st.caption(state.t("common.none"))
        return
    page_key = _consultation_page(user)
    own = policy.can(user, "follow_own_consultations")   # an enterprise's own: its company goes without saying
    _record_table([{
        "#": record_url(page_key, r["id"]),
        state.t("consultation.status"): label(vocab.CONSULTATION_STATUSES, r["status"]),
        state.t("consultation.question"): (r["question"] or "")[:60],
        **({} if own else {state.t("consultation.company"): r["company"]}),
        state.t("case.country"): country(r["country"]),
        state.t("consultation.deadline"): r["enterprise_deadline"].isoformat() if r["enterprise_deadline"] else "",
    } for r in rows], [r["id"] for r in rows], page_key, "home_consultations")


def _imports_block(user) -> None:
    rows = _imports(user)
    st.subheader(state.t("home.recent_imports"))
    if not rows:
        st.caption(state.t("common.none"))
        return
    lang = state.lang()
    st.dataframe([{
        "#": r["id"], state.t("import.dataset"): i18n.catalogue(lang).get(f"upload.dataset.{r['dataset']}", r["dataset"]),
        state.t("import.filename"): r["filename"], state.t("home.import.result"): _import_result(r, lang),
        time_header("import.when"): localtime.text(r["created_at"]),
    } for r in rows], hide_index=True, width="stretch", placeholder="—")


def _import_result(row: dict, lang: str) -> str:
    """What the upload did: "新增 20 · 更新 3", or that it was rolled back (its rows are gone)."""
    counts = {"created": row["created_count"] or 0, "updated": row["updated_count"] or 0}
    if row["status"] == "applied":
        return state.t("home.import.applied", **counts)
    if row["status"] == "rolled_back":
        return state.t("home.import.rolled_back", **counts)
    return i18n.catalogue(lang).get(f"upload.history.status.{row['status']}", row["status"])


# --- issue 13 (the network, engineer h-d): the admin's reminder to enter next year's holiday notice ---
def _calendar_reminder(user) -> None:
    from ipoverseas.consultations import calendar
    from ipoverseas.core import localtime
    from ipoverseas.ui.links import page_link
    if policy.can(user, "manage_calendar") and (due := calendar.calendar_reminder(localtime.today())):
        st.warning(state.t("calendar.reminder", year=due["year"]), icon=":material/event:")
        page_link("admin-calendar", state.t("nav.admin_calendar"))
