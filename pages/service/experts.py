"""Experts: the directory (search and filters in SQL) and each expert's profile (?expert=<id>).

Contact details show only to those the policy allows (staff, admin, the expert). Staff
and admin maintain the directory here: edit a profile, add an expert, set away periods.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core.markdown import escape
from ipoverseas.consultations import workflow
from ipoverseas.experts import directory
from ipoverseas.core import vocab
from ipoverseas.ui import expert_form
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import run
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import country, label

PAGE = PageSpec(key="experts", title_key="service.nav.experts", icon=":material/groups:", action=None,
                order=50, section="nav.section.service")

K = "experts_"
PAGE_SIZE = 25

_search = cached(directory.search)
_centres = cached(workflow.sub_centres)


def _list(names) -> str:
    return ("、" if state.lang() == "zh" else ", ").join(names)


def _labels(codes: list[str], vocabulary) -> str:
    return _list(vocabulary.label(c, state.lang()) for c in codes)


def _facet_select(name: str, vocabulary, codes=None):
    options = list(codes or vocabulary.codes)
    return st.selectbox(state.t(f"service.experts.filter.{name}"), options, index=None, key=K + "f_" + name,
                        format_func=lambda c, lang=state.lang(): vocabulary.label(c, lang),
                        placeholder=state.t("service.experts.any"))


def render() -> None:
    user = guard(PAGE)
    chosen = view.pick_id(PAGE.key)
    if chosen is not None:
        _profile(user, chosen)
        return
    st.title(state.t("service.experts.title"))
    st.caption(state.t("service.experts.intro"))
    _restore_filters()
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        country_code = _facet_select("country", vocab.countries())
    with c2:
        ip_type = _facet_select("ip_type", vocab.IP_TYPES)
    with c3:
        industry = _facet_select("industry", vocab.INDUSTRIES)
    with c4:
        language = _facet_select("language", vocab.LANGUAGES)
    c1, c2, c3 = st.columns([2, 2, 1])
    centres = _centres()
    sub_centre_id = c1.selectbox(state.t("service.experts.filter.sub_centre"), [c["id"] for c in centres],
                                 index=None, key=K + "f_sub_centre", placeholder=state.t("service.experts.any"),
                                 format_func=lambda i, lang=state.lang(): _centre_name(centres, i, lang))
    text = c2.text_input(state.t("service.experts.filter.text"), key=K + "f_text", max_chars=100)
    available = c3.checkbox(state.t("service.experts.filter.available"), key=K + "f_available")
    filters = dict(country=country_code, ip_type=ip_type, industry=industry, language=language,
                   sub_centre_id=sub_centre_id, available=available, text=text or None)
    st.session_state[K + "kept"] = {k: st.session_state.get(K + "f_" + k) for k in FILTERS}
    page_no = st.session_state.get(K + "page", 0)
    if st.session_state.get(K + "last_filters") != filters:
        st.session_state[K + "last_filters"] = filters
        page_no = st.session_state[K + "page"] = 0
    rows, total = _search(user, **filters, limit=PAGE_SIZE, offset=page_no * PAGE_SIZE)
    st.caption(state.t("service.experts.count", n=total))
    if rows:
        _table(rows, centres)
        pages = max(1, -(-total // PAGE_SIZE))
        c1, c2, c3 = st.columns([1, 2, 1])
        if c1.button(state.t("service.prev"), key=K + "prev", disabled=page_no == 0):
            st.session_state[K + "page"] = page_no - 1
            st.rerun()
        c2.caption(state.t("service.page_of", page=page_no + 1, pages=pages))
        if c3.button(state.t("service.next"), key=K + "next", disabled=page_no + 1 >= pages):
            st.session_state[K + "page"] = page_no + 1
            st.rerun()
    else:
        st.info(state.t("service.experts.none"))
    if policy.can(user, "edit_expert", {"sub_centre_id": user.sub_centre_id}):
        _add_expert(user, centres)


FILTERS = ("country", "ip_type", "industry", "language", "sub_centre", "text", "available")


def _restore_filters() -> None:
    """Back from a profile, the filters as they were: Streamlit forgets the widgets of a page not
    drawn (the profile), so their values are kept apart and put back."""
    for name, value in (st.session_state.get(K + "kept") or {}).items():
        if K + "f_" + name not in st.session_state and value is not None:
            st.session_state[K + "f_" + name] = value


def _table(rows: list[dict], centres: list[dict]) -> None:
    """The directory's page: the "#" column links each expert's profile (`?expert=ID`, a bookmark)
    and picking a row opens it here, in one click. Demo experts are ticked in their own column."""
    name, demo = state.t("service.experts.name"), state.t("common.demo")
    data = [{
        "#": record_url(PAGE.key, r["id"]),
        name: r["name"],
        demo: bool(r["is_demo"]),
        state.t("service.experts.title_org"): f"{r['title']} · {r['organisation']}",
        state.t("service.experts.countries"): _list(country(c) for c in r["countries"]),
        state.t("service.experts.ip_types"): _labels(r["ip_types"], vocab.IP_TYPES),
        state.t("service.experts.industries"): _labels(r["industries"], vocab.INDUSTRIES),
        state.t("service.experts.languages"): _labels(r["languages"], vocab.LANGUAGES),
        state.t("service.experts.sub_centre"): _centre_name(centres, r["sub_centre_id"], state.lang()),
        state.t("service.experts.load"): f"{r['open_load']} / {r['capacity_per_month']}",
        state.t("service.experts.availability"): state.t("service.experts.away") if r["away"]
        else state.t("service.experts.available"),
    } for r in rows]
    # A new key after each opening: the browser may still hold the row picked to open the last
    # profile (when the way back is taken before that page finished), which would open it again.
    key = f"{K}table_{st.session_state.get(K + 'opened', 0)}"
    event = st.dataframe(data, hide_index=True, width="stretch", height="content", key=key,
                         on_select="rerun", selection_mode="single-row", column_config={
                             "#": st.column_config.LinkColumn("#", display_text=r"expert=(\d+)", width="small",
                                                              help=state.t("service.experts.open")),
                             name: st.column_config.TextColumn(name, width="medium"),
                             demo: st.column_config.CheckboxColumn(demo, width="small"),
                         }, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked and 0 <= picked[0] < len(rows):
        st.session_state[K + "opened"] = st.session_state.get(K + "opened", 0) + 1
        st.query_params["expert"] = str(rows[picked[0]]["id"])
        st.rerun()


def _centre_name(centres: list[dict], centre_id: int | None, lang: str) -> str:
    c = next((c for c in centres if c["id"] == centre_id), None)
    if c is None:
        return ""
    return c["name_zh"] if lang == "zh" else (c["name_en"] or c["name_zh"])


def _profile(user: policy.Principal, expert_id: int) -> None:
    p = directory.profile(user, expert_id)
    if p is None:
        st.warning(state.t("errors.not_found"))
        return
    if st.button(state.t("service.back"), key=K + "back", icon=":material/arrow_back:"):
        del st.query_params["expert"]
        st.rerun()
    st.title(escape(p["name"]))
    if p["is_demo"]:
        st.markdown(f":gray-badge[{state.t('common.demo')}]")
    centre = p["sub_centre_name_en"] if state.lang() == "en" and p["sub_centre_name_en"] else p["sub_centre_name_zh"]
    st.caption(" · ".join(escape(v) for v in (p["title"], p["organisation"], centre) if v))
    view_metrics = [
        (state.t("service.experts.answered"), p["answered"]),
        (state.t("service.experts.median"), "—" if p["median_response_days"] is None
         else f"{p['median_response_days']:.1f}"),
        (state.t("service.experts.rating"), "—" if p["rating"] is None else f"{p['rating']:.1f} / 5 ({p['ratings']})"),
        (state.t("service.experts.load"), f"{p['open_load']} / {p['capacity_per_month']}"),
    ]
    cols = st.columns(4)
    for col, (name, value) in zip(cols, view_metrics):
        col.metric(name, value, border=True)
    if not p["active"]:
        st.warning(state.t("service.experts.inactive"))
    if p["away_now"]:
        st.warning(state.t("service.experts.away_now"))
    st.markdown(f"**{state.t('service.experts.countries')}**: " + _list(country(c) for c in p["countries"]))
    st.markdown(f"**{state.t('service.experts.ip_types')}**: " + _labels(p["ip_types"], vocab.IP_TYPES))
    st.markdown(f"**{state.t('service.experts.industries')}**: " + _labels(p["industries"], vocab.INDUSTRIES))
    st.markdown(f"**{state.t('service.experts.languages')}**: " + _labels(p["languages"], vocab.LANGUAGES))
    st.markdown(f"**{state.t('service.experts.bio')}**")
    st.text(p["bio"] or "—")
    if "email" in p:
        st.markdown(f"**{state.t('service.experts.contact')}**: {escape(p['email'] or '—')} · {escape(p['phone'] or '—')}")
    if p["away"]:
        st.markdown(f"**{state.t('service.experts.away_periods')}**")
        for a in p["away"]:
            st.markdown(f"- {a['starts_on']} – {a['ends_on']} {escape(a['note'])}")
    st.subheader(state.t("service.experts.cases"))
    if p["cases"]:
        st.dataframe([{
            state.t("case.ref"): c["case_ref"], state.t("case.title"): c["title"],
            state.t("case.country"): country(c["country"]),
            state.t("case.dispute_type"): label(vocab.DISPUTE_TYPES, c["dispute_type"]),
            state.t("case.filed_on"): c["filed_on"],
            state.t("service.field.outcome"): label(vocab.OUTCOMES, c["outcome"]) if c["outcome"] else "",
        } for c in p["cases"]], hide_index=True, width="stretch", placeholder="—")
    else:
        st.caption(state.t("common.none"))
    if directory.can_edit(user, {"entity": "expert", "id": p["id"], "sub_centre_id": p["sub_centre_id"]}):
        expert_form.edit_form(user, p, key=K + "edit")
    render_history("expert", p["id"], user=user)  # holds contact details: audit_query.history decides


def _add_expert(user: policy.Principal, centres: list[dict]) -> None:
    with st.expander(state.t("service.experts.add")):
        st.caption(state.t("service.experts.add_help"))
        with st.form(K + "add_form", clear_on_submit=True):
            values: dict = {}
            sub_centre_id = None
            if policy.sees_all(user, "edit_expert"):
                sub_centre_id = st.selectbox(state.t("service.experts.sub_centre"), [c["id"] for c in centres],
                                             key=K + "add_sub", format_func=lambda i, lang=state.lang(): _centre_name(centres, i, lang))
            values["name"] = st.text_input(state.t("service.experts.name") + " *", key=K + "add_name")
            values["title"] = st.text_input(state.t("service.experts.job_title"), key=K + "add_title")
            values["organisation"] = st.text_input(state.t("service.experts.organisation"), key=K + "add_org")
            values["email"] = st.text_input(state.t("service.experts.email"), key=K + "add_email")
            values["capacity_per_month"] = st.number_input(state.t("service.experts.capacity"), 0, 100, value=4,
                                                           key=K + "add_cap")
            lang = state.lang()
            for name, vocabulary in (("countries", vocab.countries()), ("ip_types", vocab.IP_TYPES),
                                     ("industries", vocab.INDUSTRIES), ("languages", vocab.LANGUAGES)):
                values[name] = st.multiselect(state.t(f"service.experts.{name}"), list(vocabulary.codes),
                                              key=f"{K}add_{name}", format_func=lambda c, v=vocabulary: v.label(c, lang),
                                              placeholder=state.t("service.ask.choose"))
            if st.form_submit_button(state.t("service.experts.add_submit"), type="primary"):
                run(lambda: directory.create_expert(user, values, sub_centre_id), done="service.experts.added",
                    fields=view.FIELDS)
