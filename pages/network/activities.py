"""工作活动 / Activities: what the sub-centres did that the assessment counts (training, publicity,
publications, funding help, agency matches), with counts per sub-centre, kind and month, an xlsx
export, a form to record one, and the bulk upload through the Upload page (dataset 活动). The
knowledge base's published articles count as publications here without being entered twice.
The list's filters live in the URL; one activity opens with ?activity=ID.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core import errors, localtime, vocab
from ipoverseas.core.markdown import escape
from ipoverseas.network import activities as A
from ipoverseas.ui import actions, state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import page_link, record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import keep_in_url, parse_id, url_params
from ipoverseas.ui.service_view import page_offset, safe_markdown
from ipoverseas.ui.uploader import file_input
from ipoverseas.ui.widgets import country, label, t_md

PAGE = PageSpec(key="activities", title_key="nav.activities", icon=":material/campaign:",
                action="read_activities", order=72, section="nav.section.network")
P = "activities_"
FIELDS = ("activities.field.",)
LIST_PARAMS = ("year", "sc", "kind", "month")

_browse = cached(A.browse)
_centres = cached(A.sub_centres_for)


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("activities.title"))
    chosen = parse_id(st.query_params.get("activity"))
    if chosen is not None or "activity" in st.query_params:
        _detail(user, chosen)
        return
    st.caption(state.t("activities.intro"))
    flt = _filters(user)
    found = _browse(user, flt, page=1, lang=state.lang())      # the counts, and the first page
    _counts(found)
    st.subheader(state.t("activities.list_title"))
    if not found["total"]:
        st.info(state.t("activities.empty"))
    else:
        where = "_".join(map(str, (flt.year, flt.sub_centre_id, "-".join(flt.kinds), flt.month)))
        offset = page_offset(found["total"], A.PAGE_SIZE, P + "page_" + where, caption_key="activities.page_of")
        page = found if offset == 0 else _browse(user, flt, page=offset // A.PAGE_SIZE + 1, lang=state.lang())
        _table(page["rows"])
        st.download_button(state.t("activities.export"), data=lambda: A.export_xlsx(user, flt, lang=state.lang()),
                           file_name=f"activities-{flt.year or 'all'}.xlsx", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=P + "export")
    if policy.can(user, "edit_activity"):
        _add_form(user)


def _filters(user) -> A.ActivityFilter:
    today = localtime.today()
    years = list(range(today.year - 9, today.year + 1))
    year = parse_id(st.query_params.get("year"))
    a, b, c = st.columns(3)
    year = a.selectbox(state.t("activities.year"), years, index=years.index(year if year in years else today.year),
                       key=P + "year")
    sub_centre_id = None
    if policy.sees_all(user, "read_activities"):
        centres = {x["id"]: x["label"] for x in _centres(user, state.lang())}
        wanted = parse_id(st.query_params.get("sc"))
        options = [None] + list(centres)
        sub_centre_id = b.selectbox(state.t("activities.sub_centre"), options, key=P + "sc",
                                    index=options.index(wanted) if wanted in options else 0,
                                    format_func=lambda i: state.t("activities.all_sub_centres") if i is None else centres[i])
    kinds = [k for k in (st.query_params.get("kind") or "").split(",") if k in A.KINDS.codes]
    kinds = c.multiselect(state.t("activities.kind"), list(A.KINDS.codes), default=kinds, key=P + "kinds",
                          format_func=lambda k: label(A.KINDS, k), placeholder=state.t("activities.all_kinds"))
    month = parse_id(st.query_params.get("month"))
    months = [None] + list(range(1, 13))
    month = a.selectbox(state.t("activities.month"), months, index=months.index(month) if month in months else 0,
                        key=P + "month", format_func=lambda m: state.t("activities.all_months") if m is None
                        else state.t("activities.month_n", n=m))
    params = {"year": str(year), **({"sc": str(sub_centre_id)} if sub_centre_id else {}),
              **({"kind": ",".join(kinds)} if kinds else {}), **({"month": str(month)} if month else {})}
    keep_in_url(params, LIST_PARAMS)
    return A.ActivityFilter(year=year, sub_centre_id=sub_centre_id, kinds=tuple(kinds), month=month)


def _counts(found: dict) -> None:
    cols = st.columns(len(A.KINDS.codes))
    for col, code in zip(cols, A.KINDS.codes):
        col.metric(label(A.KINDS, code), found["by_kind"].get(code, 0), border=True)
    left, right = st.columns([3, 2])
    with left:
        st.caption(state.t("activities.by_sub_centre"))
        st.dataframe([{
            state.t("activities.sub_centre"): r["sub_centre"], state.t("activities.total"): r["total"],
            **{label(A.KINDS, k): r.get(k, 0) for k in A.KINDS.codes},
            state.t("activities.field.participants"): r["participants"],
            state.t("activities.field.enterprises_reached"): r["enterprises_reached"],
        } for r in found["by_sub_centre"]], hide_index=True, width="stretch", placeholder="—")
    with right:
        st.caption(state.t("activities.by_month"))
        if found["by_month"]:
            frame = pd.DataFrame({"month": list(found["by_month"]), "n": list(found["by_month"].values())})
            st.altair_chart(alt.Chart(frame).mark_bar().encode(
                x=alt.X("month:N", title=state.t("activities.month")),
                y=alt.Y("n:Q", title=state.t("activities.count")),
                tooltip=[alt.Tooltip("month:N", title=state.t("activities.month")),
                         alt.Tooltip("n:Q", title=state.t("activities.count"))]), width="stretch")


def _table(rows: list[dict]) -> None:
    keep = url_params(LIST_PARAMS)
    st.dataframe([{
        "#": record_url("activities", r["id"], **keep) if r["source"] == "activity" else record_url("guides", r["id"]),
        state.t("activities.field.held_on"): r["held_on"].isoformat() if r["held_on"] else "",
        state.t("activities.sub_centre"): r["sub_centre"],
        state.t("activities.field.kind"): label(A.KINDS, r["kind"]),
        state.t("activities.field.title"): r["title"],
        state.t("activities.field.city"): r["city"] or "",
        state.t("activities.field.participants"): _number(r["participants"]),
        state.t("activities.field.enterprises_reached"): _number(r["enterprises_reached"]),
        state.t("activities.source"): state.t(f"activities.source.{r['source']}"),
        state.t("common.demo"): bool(r["is_demo"]),
    } for r in rows], hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 1800), placeholder="—",
        column_config={
        "#": st.column_config.LinkColumn("#", display_text=r"(?:activity|article)=(\d+)", width="small",
                                         help=state.t("activities.open_help")),
        state.t("common.demo"): st.column_config.CheckboxColumn(state.t("common.demo"), width="small")})


def _number(value) -> str:
    """A count as the list shows it: — when it was not given (never None)."""
    return "—" if value is None else f"{value:,}"


def _form_fields(key: str, a: dict | None) -> A.ActivityForm:
    a = a or {}
    c1, c2 = st.columns(2)
    held_on = c1.date_input(state.t("activities.field.held_on"), value=a.get("held_on") or localtime.today(),
                            min_value=date(2000, 1, 1), max_value=date(2100, 12, 31), key=key + "held_on")
    kinds = list(A.KINDS.codes)
    kind = c2.selectbox(state.t("activities.field.kind"), kinds, key=key + "kind", format_func=lambda k: label(A.KINDS, k),
                        index=kinds.index(a["kind"]) if a.get("kind") in kinds else None,
                        placeholder=state.t("activities.pick_kind"))
    title = st.text_input(state.t("activities.field.title"), a.get("title", ""), max_chars=300, key=key + "title")
    city = c1.text_input(state.t("activities.field.city"), a.get("city", ""), max_chars=100, key=key + "city")
    organisers = c2.text_input(state.t("activities.field.organisers"), a.get("organisers", ""), max_chars=500,
                               key=key + "organisers")
    participants = c1.number_input(state.t("activities.field.participants"), min_value=0, step=1,
                                   value=a.get("participants"), key=key + "participants",
                                   placeholder=state.t("activities.not_given"))
    reached = c2.number_input(state.t("activities.field.enterprises_reached"), min_value=0, step=1,
                              value=a.get("enterprises_reached"), key=key + "reached",
                              placeholder=state.t("activities.not_given"))
    industries = c1.multiselect(state.t("activities.field.industries"), list(vocab.INDUSTRIES.codes),
                                default=a.get("industries", []), key=key + "industries",
                                format_func=lambda k: label(vocab.INDUSTRIES, k), placeholder=state.t("activities.none"))
    countries = c2.multiselect(state.t("activities.field.countries"), list(vocab.countries().codes),
                               default=a.get("countries", []), key=key + "countries", format_func=country,
                               placeholder=state.t("activities.none"))
    url = st.text_input(state.t("activities.field.article_url"), a.get("article_url", ""), max_chars=500,
                        key=key + "url", placeholder="https://")
    note = st.text_area(state.t("activities.field.note"), a.get("note", ""), max_chars=5000, key=key + "note")
    return A.ActivityForm(held_on=held_on, kind=kind or "", title=title, city=city, organisers=organisers,
                          participants=participants, enterprises_reached=reached, industries=industries,
                          countries=countries, article_url=url, note=note)


def _files(key: str) -> list[tuple[str, bytes]]:
    uploads = file_input("activities.field.files", ["docx", "xlsx", "pdf"], key=key + "files", caption=False,
                         multiple=True)
    st.caption(state.t("activities.files_help"))
    return [(u.name, u.getvalue()) for u in uploads or []]


def _add_form(user) -> None:
    st.subheader(state.t("activities.add"))
    st.caption(state.t("activities.bulk_hint"))
    page_link("upload", state.t("activities.bulk_link"), icon=":material/upload_file:")
    centres = _centres(user, state.lang())
    with st.form(P + "add_form", clear_on_submit=True):
        sub_centre_id = None
        if len(centres) > 1:
            ids = [c["id"] for c in centres]
            labels = {c["id"]: c["label"] for c in centres}
            sub_centre_id = st.selectbox(state.t("activities.sub_centre"), ids, index=None, key=P + "add_sc",
                                         format_func=labels.get, placeholder=state.t("activities.pick_sub_centre"))
        elif centres:
            sub_centre_id = centres[0]["id"]
        form = _form_fields(P + "add_", None)
        files = _files(P + "add_")
        if st.form_submit_button(state.t("activities.save"), type="primary"):
            actions.run(lambda: A.add(user, sub_centre_id, form, files), done="activities.saved", fields=FIELDS)


def _detail(user, activity_id: int | None) -> None:
    page_link("activities", state.t("activities.back"), icon=":material/arrow_back:",
              **url_params(LIST_PARAMS))
    try:
        a = A.get(user, activity_id or 0, lang=state.lang())
    except errors.NotFound:
        st.warning(state.t("activities.not_found"))
        return
    st.subheader(escape(a["title"]))
    if a["is_demo"]:
        st.markdown(f":gray-badge[{state.t('common.demo')}]")
    st.caption(" · ".join(escape(x) for x in (a["sub_centre"], label(A.KINDS, a["kind"]), a["held_on"].isoformat(),
                                      a["city"]) if x))
    c1, c2 = st.columns(2)
    c1.metric(state.t("activities.field.participants"), a["participants"] if a["participants"] is not None else "—",
              border=True)
    c2.metric(state.t("activities.field.enterprises_reached"),
              a["enterprises_reached"] if a["enterprises_reached"] is not None else "—", border=True)
    if a["article_url"]:
        st.link_button(state.t("activities.open_article"), a["article_url"], icon=":material/open_in_new:")
    safe_markdown(a["note"])
    for f in a["files"]:
        ok, got = actions.attempt(lambda f=f: A.evidence(user, a["id"], f["id"]))
        if ok:
            st.download_button(t_md("activities.download", name=f["name"]), got[2], file_name=got[0], mime=got[1],
                               key=P + f"file_{f['id']}", icon=":material/download:")
    if a["may_edit"]:
        with st.expander(state.t("activities.edit"), icon=":material/edit:"):
            with st.form(P + f"edit_{a['id']}"):
                form = _form_fields(P + f"edit_{a['id']}_", a)
                files = _files(P + f"edit_{a['id']}_")
                if st.form_submit_button(state.t("activities.save"), type="primary"):
                    actions.run(lambda: A.update(user, a["id"], form, expected_version=a["version"], files=files),
                                done="activities.saved", fields=FIELDS)
    render_history("activity", a["id"], user=user)
