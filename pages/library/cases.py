"""Cases: the case library (facets, full-text search, sortable pages, export) and one case.

The filter lives in the URL (`?country=US,DE&dispute=itc_337&q=专利&sort=filed_desc&p=2`), so
a view can be shared and bookmarked; `?case=<id>` shows one case. Everything is computed
in SQL by `ipoverseas.cases` under the permission policy.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core.markdown import escape
from ipoverseas.cases import export, library, similar
from ipoverseas.cases import facets as case_facets
from ipoverseas.core import config, vocab
from ipoverseas.cases.library import CaseFilter
from ipoverseas.ui.follow_button import follow_button
from ipoverseas.ui import sharing_view, state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import page_link, record_link, record_url
from ipoverseas.ui.params import parse_id
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import country, label, metrics

PAGE = PageSpec(key="cases", title_key="cases.title", icon=":material/gavel:", action="read_case", order=20,
                section="nav.section.knowledge")

_list = cached(library.list_cases)
_facets = cached(case_facets.facet_counts)
_case = cached(library.get_case)
_similar = cached(similar.similar_cases)
_related = cached(similar.related_articles)
_centres = cached(library.sub_centre_names)
_snippets = cached(library.snippets)

PAGE_SIZES = (25, 50, 100)
FACET_VOCAB = {"country": None, "dispute_type": vocab.DISPUTE_TYPES, "ip_type": vocab.IP_TYPES,
               "industry": vocab.INDUSTRIES, "forum": vocab.FORUMS, "year": None, "outcome": vocab.OUTCOMES,
               "sub_centre": None, "review_status": vocab.REVIEW_STATUSES}
SYNC_KEY = "cases_synced_params"


def render() -> None:
    user = guard(PAGE)
    # A link to this same page (a row, a similar record, the way back) runs it with the link's
    # params but leaves the browser's address as it was: send the params back so the address,
    # a bookmark and the browser's Back match what is shown.
    st.query_params.from_dict(st.query_params.to_dict())
    raw = st.query_params.get("case")
    if raw is not None:
        _detail(user, raw)
    else:
        _library(user)


# --- filter <-> URL ----------------------------------------------------------------------------


def _facets_for(user) -> list[str]:
    facets = list(library.FACETS)
    if not policy.can(user, "edit_case"):
        facets.remove("review_status")  # who curates no cases sees published ones only
    return facets


def _init_from_url(user) -> None:
    """Put the URL's filter into the widgets when the URL changed under us (first visit, a shared link)."""
    params = st.query_params.to_dict()
    if st.session_state.get(SYNC_KEY) == params:
        return
    f = CaseFilter.from_query_params(params)
    for facet in _facets_for(user):
        st.session_state[f"cases_f_{facet}"] = list(getattr(f, library.FACETS[facet][0]))
    st.session_state["cases_q"] = f.text
    st.session_state["cases_distinction"] = bool(f.distinctions)
    st.session_state["cases_region"] = f.region == library.REGION_MINE
    sort = params.get("sort", library.default_sort(f))
    st.session_state["cases_sort"] = sort if sort in library.SORTS else library.default_sort(f)
    size = params.get("n", "")
    st.session_state["cases_size"] = parse_id(size) if parse_id(size) in PAGE_SIZES else 50
    page = params.get("p", "")
    st.session_state["cases_page"] = parse_id(page) or 1
    st.session_state[SYNC_KEY] = params


def _filter_from_state(user) -> CaseFilter:
    values = {}
    for facet in _facets_for(user):
        values[library.FACETS[facet][0]] = tuple(st.session_state.get(f"cases_f_{facet}") or ())
    distinctions = tuple(vocab.DISTINCTIONS.codes) if st.session_state.get("cases_distinction") else ()
    region = library.REGION_MINE if st.session_state.get("cases_region") and policy.can(user, "read_region_cases") else ""
    return CaseFilter(text=(st.session_state.get("cases_q") or "").strip()[:200], distinctions=distinctions,
                      region=region, **values)


def _write_url(f: CaseFilter, sort: str, size: int, page: int) -> None:
    params = f.to_query_params()
    if sort != library.default_sort(f):
        params["sort"] = sort
    if size != 50:
        params["n"] = str(size)
    if page > 1:
        params["p"] = str(page)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state[SYNC_KEY] = params


def _reset_page() -> None:
    st.session_state["cases_page"] = 1


def _query_changed() -> None:
    """A new search sorts by relevance, unless the reader chose another order; no search, no relevance."""
    _reset_page()
    had_text = bool((st.query_params.get("q") or "").strip())   # the URL still holds the last run's query
    has_text = bool((st.session_state.get("cases_q") or "").strip())
    sort = st.session_state.get("cases_sort")
    if has_text and not had_text and sort in (None, "filed_desc"):
        st.session_state["cases_sort"] = "relevance"
    elif not has_text and sort == "relevance":
        st.session_state["cases_sort"] = "filed_desc"


def _list_params() -> dict[str, str]:
    """The list's view as the URL holds it (query, filters, sort, page, rows per page): a case
    opened from the list carries it, so its way back leads to the same list."""
    return {k: v for k, v in st.query_params.to_dict().items() if k != "case"}


# --- the library ------------------------------------------------------------------------------


def _library(user) -> None:
    st.title(state.t("cases.title"))
    st.caption(state.t(f"cases.intro.{'all' if policy.can(user, 'edit_case') else 'published'}"))
    _init_from_url(user)
    f = _filter_from_state(user)
    lang = state.lang()

    st.text_input(state.t("cases.search"), key="cases_q", placeholder=state.t("cases.search_hint"),
                  on_change=_query_changed)
    counts = _facets(user, f, tuple(_facets_for(user)))
    centres = _centres(lang)
    # closed by default: the results, not the filters, belong on the first screen
    with st.expander(state.t("cases.filters"), expanded=False, icon=":material/filter_list:"):
        cols = st.columns(3)
        for i, facet in enumerate(_facets_for(user)):
            with cols[i % 3]:
                _facet_widget(facet, counts.get(facet, []), centres, counts.estimated)
        if counts.estimated:
            st.caption(state.t("cases.facets_estimated", limit=f"{config.get('facet_exact_hits'):,}"))
        st.toggle(state.t("cases.only_distinguished"), key="cases_distinction", on_change=_reset_page)
        if policy.can(user, "read_region_cases"):   # staff: other sub-centres' cases about their province's enterprises
            st.toggle(state.t("sharing.region.filter"), key="cases_region", on_change=_reset_page,
                      help=state.t("sharing.region.filter_help"))
    f = _filter_from_state(user)
    active = [state.t(f"cases.facet.{facet}") for facet in _facets_for(user) if getattr(f, library.FACETS[facet][0])]
    if f.distinctions:
        active.append(state.t("cases.only_distinguished"))
    if f.region:
        active.append(state.t("sharing.region.filter"))
    if active:
        st.caption(state.t("cases.filters_active", facets=state.t("cases.list_sep").join(active)))

    top = st.columns([2, 1, 1])
    with top[1]:
        sorts = [s for s in library.SORTS if s != "relevance" or f.text]
        if st.session_state.get("cases_sort") not in sorts:
            st.session_state["cases_sort"] = library.default_sort(f)
        labels = {s: state.t(f"cases.sort.{s}") for s in sorts}
        sort = st.selectbox(state.t("cases.sort"), sorts, key="cases_sort", format_func=labels.get)
    with top[2]:
        size = st.selectbox(state.t("cases.page_size"), PAGE_SIZES, key="cases_size", on_change=_reset_page)

    page_no = max(1, int(st.session_state.get("cases_page") or 1))
    result = _list(user, f, sort=sort, page=page_no, page_size=size)
    if page_no > result.pages:
        page_no = result.pages
        st.session_state["cases_page"] = page_no
        result = _list(user, f, sort=sort, page=page_no, page_size=size)
    with top[0]:
        metrics([(state.t("cases.found"), f"{result.total:,}")], columns=1)

    _write_url(f, sort, size, page_no)
    if library.too_broad(user, f, result.total):
        st.info(state.t("cases.short_query", query=f.text.strip(), count=f"{result.total:,}"),
                icon=":material/manage_search:")
    if not result.rows:
        st.info(state.t("cases.none"))
        return
    _table(user, result.rows, f)
    nav = st.columns([1, 2])
    with nav[0]:
        st.number_input(state.t("cases.page", pages=result.pages), min_value=1, max_value=result.pages,
                        step=1, key="cases_page")
    with nav[1]:
        _export(user, f)


def _facet_widget(facet: str, counts: list[tuple], centres: dict[int, str], estimated: bool) -> None:
    key = f"cases_f_{facet}"
    selected = list(st.session_state.get(key) or [])
    by_value = dict(counts)
    options = [v for v, _ in counts] + [v for v in selected if v not in by_value]
    if facet == "year":
        options = sorted(options, reverse=True)

    def name(value) -> str:
        if facet == "country":
            text = country(value)
        elif facet == "sub_centre":
            text = centres.get(value, str(value))
        elif facet == "year":
            text = str(value)
        else:
            text = label(FACET_VOCAB[facet], value)
        n = by_value.get(value, 0)
        return f"{text} (≈{_rounded(n):,})" if estimated and n else f"{text} ({n:,})"

    labels = {v: name(v) for v in options}
    st.multiselect(state.t(f"cases.facet.{facet}"), options, key=key, format_func=lambda v: labels.get(v, str(v)),
                   on_change=_reset_page, placeholder=state.t("cases.any"))


def _rounded(n: int) -> int:
    """An estimate to two significant digits: it should not look more precise than it is."""
    return int(float(f"{n:.2g}"))


def _table(user, rows: list[dict], f: CaseFilter) -> None:
    """The page of cases. Its "#" column links each row to its case (a bookmarkable URL that keeps
    the list's view, for a new tab) and picking a row opens it here, in one click. A search
    shows each case's matching passage next to its title; a demo case is marked in its own column."""
    back = _list_params()
    matches = _snippets(tuple(r["id"] for r in rows), f.text) if f.text else {}
    title, match, demo = state.t("cases.field.title"), state.t("cases.match"), state.t("cases.demo_column")
    data = []
    for r in rows:
        item = {"#": record_url("cases", r["id"], **back), demo: state.t("cases.demo_tag") if r["is_demo"] else "",
                title: r["title"]}
        if f.text:
            item[match] = matches.get(r["id"], "")
        item.update({
            state.t("cases.field.case_ref"): r["case_ref"],
            state.t("cases.field.country"): country(r["country"]),
            state.t("cases.field.dispute_type"): label(vocab.DISPUTE_TYPES, r["dispute_type"]),
            state.t("cases.field.forum"): label(vocab.FORUMS, r["forum"]),
            state.t("cases.field.filed_on"): r["filed_on"],
            state.t("cases.field.outcome"): label(vocab.OUTCOMES, r["outcome"]),
            state.t("cases.field.distinction"): label(vocab.DISTINCTIONS, r["distinction"]),
        })
        if policy.can(user, "edit_case"):
            item[state.t("cases.field.review_status")] = label(vocab.REVIEW_STATUSES, r["review_status"])
        data.append(item)
    columns = {
        "#": st.column_config.LinkColumn("#", display_text=r"case=(\d+)", width="small",
                                         help=state.t("cases.open_help")),
        title: st.column_config.TextColumn(title, width="large"),
        match: st.column_config.TextColumn(match, width="large"),
        demo: st.column_config.TextColumn(demo, width="small"),
    }
    # "content": every row of the page shows, without a scroll box inside the page
    # A new key after each opening: the browser may still hold the row picked to open the last
    # case (when the way back is taken before that page finished), which would open it again.
    key = f"cases_table_{st.session_state.get('cases_opened', 0)}"
    event = st.dataframe(data, hide_index=True, width="stretch", height="content", key=key,
                         on_select="rerun", selection_mode="single-row", column_config=columns, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked and 0 <= picked[0] < len(rows):
        _open(rows[picked[0]]["id"])


def _open(case_id: int) -> None:
    st.session_state["cases_opened"] = st.session_state.get("cases_opened", 0) + 1
    st.query_params["case"] = str(case_id)
    st.rerun()


def _export(user, f: CaseFilter) -> None:
    params = f.to_query_params()
    ready = st.session_state.get("cases_export")
    if st.button(state.t("cases.export.prepare"), key="cases_export_prepare", icon=":material/table_view:"):
        with st.spinner(state.t("cases.export.working")):
            data, n, truncated = export.export_cases(user, f, state.lang())
        ready = {"params": params, "data": data, "rows": n, "truncated": truncated}
        st.session_state["cases_export"] = ready
    if ready and ready["params"] == params:
        st.download_button(state.t("cases.export.download", rows=ready["rows"]), ready["data"],
                           file_name="cases.xlsx", key="cases_export_download", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if ready["truncated"]:
            st.caption(state.t("cases.export.truncated_note", rows=ready["rows"]))


# --- one case ------------------------------------------------------------------------------------


def _detail(user, raw: str) -> None:
    # The list's widgets are not drawn here, so Streamlit forgets them: back on the list, its
    # view is read again from the URL, which this link (and the browser's history) carries.
    st.session_state.pop(SYNC_KEY, None)
    back = _list_params()
    page_link("cases", state.t("cases.back"), icon=":material/arrow_back:", **back)
    case_id = parse_id(raw)
    case = _case(user, case_id) if case_id else None
    if case is None:
        st.warning(state.t("errors.not_found"))
        return
    st.title(escape(case["title"]))
    follow_button(user, "case", case_id)
    chips = [country(case["country"]), label(vocab.DISPUTE_TYPES, case["dispute_type"]),
             label(vocab.FORUMS, case["forum"]), str(case["filed_on"] or "")]
    st.caption(" · ".join(escape(c) for c in chips if c))
    if case["is_demo"]:
        st.markdown(f":gray-badge[{state.t('common.demo')}]")
    if case["distinction"]:
        st.success(f"**{label(vocab.DISTINCTIONS, case['distinction'])}** · "
                   + state.t("cases.distinction_reason") + ": " + escape(case["distinction_reason"]),
                   icon=":material/workspace_premium:")
    if policy.can(user, "edit_case"):
        st.info(state.t("cases.review_state", status=label(vocab.REVIEW_STATUSES, case["review_status"]))
                + ("" if not case["review_note"] else " · " + escape(case["review_note"])))
    if policy.can(user, "read_region_cases", case):   # another sub-centre's case about an enterprise of theirs
        st.info(state.t("sharing.region.badge"), icon=":material/my_location:")
    sharing_view.linked_records(user, case["id"])

    left, right = st.columns([3, 2])
    with left:
        for name in ("summary", "guidance", "lessons"):
            st.subheader(state.t(f"cases.field.{name}"))
            st.markdown(escape(case[name], multiline=True) or state.t("common.none"))
    with right:
        st.subheader(state.t("cases.details"))
        lang = state.lang()
        centre = case["sub_centre_name_en"] if lang == "en" and case["sub_centre_name_en"] else case["sub_centre_name_zh"]
        facts = [
            ("case_ref", case["case_ref"]), ("country", country(case["country"])),
            ("forum", label(vocab.FORUMS, case["forum"])), ("dispute_type", label(vocab.DISPUTE_TYPES, case["dispute_type"])),
            ("ip_type", label(vocab.IP_TYPES, case["ip_type"])), ("industry", label(vocab.INDUSTRIES, case["industry"])),
            ("province", label(vocab.PROVINCES, case["province"])),
            ("chinese_party", state.t("cases.masked") if case["chinese_party"] == library.MASKED else case["chinese_party"]),
            ("chinese_party_role", label(vocab.PARTY_ROLES, case["chinese_party_role"])),
            ("opposing_party", case["opposing_party"]), ("filed_on", case["filed_on"]), ("closed_on", case["closed_on"]),
            ("status", label(vocab.CASE_STATUSES, case["status"])), ("outcome", label(vocab.OUTCOMES, case["outcome"])),
            ("amount_usd", f"{case['amount_usd']:,.0f}" if case["amount_usd"] is not None else None),
            ("defendants_count", case["defendants_count"]), ("source", case["source"]),
            ("sub_centre_id", centre),
        ]
        st.markdown("\n".join(f"- **{state.t(f'cases.field.{k}')}**: {escape(v)}"
                              for k, v in facts if v not in (None, "")))

    st.subheader(state.t("cases.similar"))
    similar = _similar(user, case["id"])
    if not similar:
        st.caption(state.t("common.none"))
    for r in similar:
        tag = state.t("cases.similar_same") if r["same_group"] else state.t("cases.similar_text")
        record_link("cases", r["id"], r["title"], icon=":material/gavel:", **back)  # same way back to the list
        st.caption(" · ".join(escape(part) for part in (country(r["country"]), str(r["filed_on"] or ""), tag) if part))

    st.subheader(state.t("cases.related_articles"))
    related = _related(user, case["id"])
    if not related:
        st.caption(state.t("common.none"))
    for a in related:
        record_link("guides", a["id"], _article_title(a), icon=":material/article:")
        st.caption(" · ".join(part for part in (label(vocab.ARTICLE_KINDS, a["kind"]), str(a["published_on"] or ""))
                              if part))
    render_history("case", case["id"], user=user)  # shown to those audit_query.history allows


def _article_title(row: dict) -> str:
    """The article's title in the reader's language, raw: `record_link` escapes it."""
    if state.lang() == "en" and row.get("title_en"):
        return row["title_en"]
    return row.get("title_zh") or row.get("title_en") or ""
