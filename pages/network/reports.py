"""报送 / Reports: the sub-centres' reporting duties (`ipoverseas.network.duties`).

Staff see their own sub-centre's duties of a year, hand in a report (a docx/xlsx/pdf document
and/or text, with the duty's figures) and hand a returned one in again; the admin sees the grid
of all sub-centres coloured by state, accepts or returns reports, and keeps the duty types.
The list's year, sub-centre, states and page live in the URL, so the way back from a report
keeps them; one report opens with ?duty=ID.
"""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.accounts import notifications
from ipoverseas.core import errors, localtime
from ipoverseas.core.markdown import escape
from ipoverseas.network import duerules, duties, submissions
from ipoverseas.ui import actions, duty_view, state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import page_link
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import keep_in_url, parse_id, url_params
from ipoverseas.ui.service_view import page_offset, safe_markdown, zone_caption
from ipoverseas.ui.uploader import file_input
from ipoverseas.ui.widgets import t_md

PAGE = PageSpec(key="reports", title_key="nav.reports", icon=":material/assignment_turned_in:",
                action="read_duties", order=70, section="nav.section.network")
P = "reports_"
LIST_PARAMS = ("year", "sc", "state")
FIELDS = ("reports.field.",)

_grid = cached(duties.grid)
_items = cached(duties.items)
_sub_centres = cached(duties.sub_centres)


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("reports.title"))
    chosen = parse_id(st.query_params.get("duty"))
    if chosen is not None or "duty" in st.query_params:
        _detail(user, chosen)
        return
    if policy.can(user, "manage_duty_types"):
        calendar_tab, types_tab = st.tabs([state.t("reports.tab.calendar"), state.t("reports.tab.types")])
        with calendar_tab:
            _calendar(user)
        with types_tab:
            _types(user)
    else:
        _calendar(user)


def _calendar(user) -> None:
    st.caption(state.t("reports.intro"))
    today = localtime.today()
    years = list(range(today.year - 4, today.year + 2))
    year_param = parse_id(st.query_params.get("year"))
    year = st.selectbox(state.t("reports.year"), years, key=P + "year",
                        index=years.index(year_param) if year_param in years else years.index(today.year))
    sub_centre_id = None
    if policy.sees_all(user, "read_duties"):
        centres = {c["id"]: c for c in _sub_centres(state.lang())}
        sc_param = parse_id(st.query_params.get("sc"))
        options = [None] + sorted(centres, key=lambda i: centres[i]["code"])
        sub_centre_id = st.selectbox(state.t("reports.sub_centre"), options, key=P + "sc",
                                     index=options.index(sc_param) if sc_param in options else 0,
                                     format_func=lambda i: state.t("reports.all_sub_centres") if i is None
                                     else centres[i]["label"])
    wanted = [s for s in (st.query_params.get("state") or "").split(",") if s in duties.STATES]
    picked = st.multiselect(state.t("reports.states"), list(duties.STATES), default=wanted, key=P + "states",
                            format_func=duty_view.state_label, placeholder=state.t("reports.states_all"))
    params = {"year": str(year), **({"sc": str(sub_centre_id)} if sub_centre_id else {}),
              **({"state": ",".join(picked)} if picked else {})}
    keep_in_url(params, LIST_PARAMS)
    duties.ensure_year(year)
    grid = _grid(user, year, sub_centre_id=sub_centre_id, lang=state.lang(), today=today)
    duty_view.counts(grid["counts"])
    st.subheader(state.t("reports.grid_title", year=year))
    st.caption(state.t("reports.grid_help", days=duties.soon_days()))
    duty_view.grid_table(grid)

    st.subheader(state.t("reports.list_title"))
    zone_caption()
    # the grid counted the same items (year, sub-centre, what the user may see) by state
    total = sum(n for code, n in grid["counts"].items() if not picked or code in picked)
    if not total:
        st.info(state.t("reports.list_empty"))
        return
    offset = page_offset(total, duties.LIST_SIZE, P + f"page_{year}_{sub_centre_id}_{'-'.join(picked)}",
                         caption_key="reports.page_of")
    page = _items(user, year=year, sub_centre_id=sub_centre_id, states=tuple(picked), lang=state.lang(),
                  today=today, offset=offset)
    st.dataframe(duty_view.item_rows(page["rows"], params), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(page["rows"]), 1800),
                 column_config={"#": st.column_config.LinkColumn("#", display_text=r"duty=(\d+)", width="small",
                                                                 help=state.t("reports.open_help"))}, placeholder="—")


def _detail(user, item_id: int | None) -> None:
    page_link("reports", state.t("reports.back"), icon=":material/arrow_back:", **url_params(LIST_PARAMS))
    try:
        item = duties.item(user, item_id or 0, lang=state.lang())
    except errors.NotFound:
        st.warning(state.t("reports.not_found"))
        return
    notifications.mark_read_for(user, item["id"], entity="duty")
    st.subheader(escape(f"{item['duty']} · {item['period_label']}"))     # the duty's name is typed by the admin
    zone_caption()
    a, b, c = st.columns(3)
    a.metric(state.t("reports.sub_centre"), escape(item["sub_centre"]), border=True)
    b.metric(state.t("reports.due_on"), item["due_on"].isoformat(), border=True)
    c.metric(state.t("reports.state"), duty_view.state_label(item["state"]), border=True)
    if item["content"]:
        st.caption(state.t("reports.expected"))
        safe_markdown(item["content"])
    subs = submissions.submissions(user, item["id"])
    for n, sub in enumerate(subs):
        duty_view.submission(sub, len(subs) - n, item["figures"], lambda s: _download(user, s))
    if policy.can(user, "submit_duty", {"sub_centre_id": item["sub_centre_id"]}) \
            and item["status"] in submissions.MAY_SUBMIT:
        _submit_form(user, item)
    if policy.can(user, "review_duty", {"sub_centre_id": item["sub_centre_id"]}) and item["status"] == "submitted":
        _review_form(user, item)
    render_history("duty", item["id"], user=user)


def _download(user, sub: dict) -> None:
    ok, found = actions.attempt(lambda: submissions.document(user, sub["id"]))
    if ok:
        name, media_type, content = found
        st.download_button(t_md("reports.download", name=name, kb=str(max(1, round(len(content) / 1024)))),
                           content, file_name=name, mime=media_type, key=P + f"dl_{sub['id']}",
                           icon=":material/download:")


def _submit_form(user, item: dict) -> None:
    st.subheader(state.t("reports.resubmit" if item["status"] == "returned" else "reports.submit"))
    with st.form(P + "submit_form", clear_on_submit=False):
        values = {}
        if item["figures"]:
            cols = st.columns(min(4, len(item["figures"])))
            for i, f in enumerate(item["figures"]):
                values[f["code"]] = cols[i % len(cols)].number_input(
                    escape(f["en"] if state.lang() == "en" else f["zh"]), min_value=0, step=1, value=None,
                    key=P + f"fig_{f['code']}", placeholder=state.t("reports.figure_placeholder"))
        text = st.text_area(state.t("reports.field.text"), key=P + "text", max_chars=submissions.MAX_TEXT,
                            height=200, help=state.t("reports.text_help"))
        upload = file_input("reports.field.file", ["docx", "xlsx", "pdf"], key=P + "file", caption=False)
        st.caption(state.t("reports.file_help"))
        if st.form_submit_button(state.t("reports.submit_button"), type="primary"):
            actions.run(lambda: submissions.submit(
                user, item["id"], text=text, figures=values,
                file_name=upload.name if upload else None, file_content=upload.getvalue() if upload else None),
                done="reports.submitted", fields=FIELDS)


def _review_form(user, item: dict) -> None:
    st.subheader(state.t("reports.review"))
    with st.form(P + "review_form"):
        decision = st.radio(state.t("reports.field.decision"), ["accepted", "returned"], index=None, horizontal=True,
                            key=P + "decision", format_func=lambda d: state.t(f"reports.decide.{d}"))
        reason = st.text_area(state.t("reports.field.reason"), key=P + "reason", max_chars=submissions.MAX_REASON,
                              help=state.t("reports.reason_help"))
        if st.form_submit_button(state.t("reports.review_button"), type="primary"):
            actions.run(lambda: submissions.review(user, item["id"], decision or "", reason),
                        done="reports.reviewed", fields=FIELDS)


def _types(user) -> None:
    st.caption(state.t("reports.types_intro"))
    types = duties.duty_types()
    centres = {c["id"]: c["label"] for c in _sub_centres(state.lang())}
    st.dataframe([{
        state.t("reports.field.code"): t["code"],
        state.t("reports.field.name_zh"): t["name_zh"],
        state.t("reports.field.name_en"): t["name_en"],
        state.t("reports.field.owner_sub_centre_id"): centres.get(t["owner_sub_centre_id"], state.t("reports.all_sub_centres")),
        state.t("reports.field.frequency"): state.t(f"reports.frequency.{t['frequency']}"),
        state.t("reports.field.due_rule"): rule_text(t["due_rule"]),
        state.t("reports.field.active"): t["active"],
    } for t in types], hide_index=True, width="stretch", placeholder="—")
    options = [None] + [t["id"] for t in types]
    by_id = {t["id"]: t for t in types}
    chosen = st.selectbox(state.t("reports.edit_type"), options, key=P + "type_pick",
                          format_func=lambda i: state.t("reports.new_type") if i is None else by_id[i]["name_zh"])
    t = by_id.get(chosen) or {"code": "", "name_zh": "", "name_en": "", "short_zh": "", "short_en": "",
                              "owner_sub_centre_id": None, "frequency": "yearly", "due_rule": "fixed:12-01",
                              "content_zh": "", "content_en": "", "figures": [], "active": True}
    _type_form(user, chosen, t, centres)


def rule_text(rule: str) -> str:
    """A due rule in words: 每年3月15日 / the 5th working day of the next month..."""
    try:
        kind, arg = duerules.parse(rule)
    except errors.Invalid:
        return rule
    if kind == "fixed":
        month, day = arg.split("-")
        return state.t("reports.rule.fixed", month=int(month), day=int(day))
    return state.t(f"reports.rule.{kind}", n=arg)


def _type_form(user, type_id: int | None, t: dict, centres: dict[int, str]) -> None:
    key = P + f"type_{type_id or 'new'}_"
    with st.form(key + "form"):
        a, b = st.columns(2)
        code = a.text_input(state.t("reports.field.code"), t["code"], max_chars=40, key=key + "code",
                            disabled=type_id is not None, help=state.t("reports.code_help"))
        owners = [None] + sorted(centres, key=centres.get)
        owner = b.selectbox(state.t("reports.field.owner_sub_centre_id"), owners, key=key + "owner",
                            index=owners.index(t["owner_sub_centre_id"]) if t["owner_sub_centre_id"] in owners else 0,
                            format_func=lambda i: state.t("reports.all_sub_centres") if i is None else centres[i])
        name_zh = a.text_input(state.t("reports.field.name_zh"), t["name_zh"], max_chars=200, key=key + "name_zh")
        name_en = b.text_input(state.t("reports.field.name_en"), t["name_en"], max_chars=200, key=key + "name_en")
        short_zh = a.text_input(state.t("reports.field.short_zh"), t["short_zh"], max_chars=20, key=key + "short_zh")
        short_en = b.text_input(state.t("reports.field.short_en"), t["short_en"], max_chars=20, key=key + "short_en")
        frequency = a.selectbox(state.t("reports.field.frequency"), list(duerules.FREQUENCIES), key=key + "freq",
                                index=list(duerules.FREQUENCIES).index(t["frequency"]),
                                format_func=lambda f: state.t(f"reports.frequency.{f}"))
        due_rule = b.text_input(state.t("reports.field.due_rule"), t["due_rule"], max_chars=60, key=key + "rule",
                                help=state.t("reports.rule_help"))
        content_zh = st.text_area(state.t("reports.field.content_zh"), t["content_zh"], key=key + "content_zh")
        content_en = st.text_area(state.t("reports.field.content_en"), t["content_en"], key=key + "content_en")
        figures = st.text_area(state.t("reports.field.figures"), "\n".join(
            f"{f['code']} | {f['zh']} | {f['en']}" for f in t["figures"]), key=key + "figures",
            help=state.t("reports.figures_help"))
        active = st.checkbox(state.t("reports.field.active"), t["active"], key=key + "active")
        if st.form_submit_button(state.t("reports.save_type"), type="primary"):
            form = duties.DutyTypeForm(
                code=t["code"] if type_id else code, name_zh=name_zh, name_en=name_en, short_zh=short_zh,
                short_en=short_en, owner_sub_centre_id=owner, frequency=frequency, due_rule=due_rule,
                content_zh=content_zh, content_en=content_en, active=active,
                figures=[dict(zip(("code", "zh", "en"), (p.strip() for p in line.split("|"))))
                         for line in figures.splitlines() if line.strip()])
            actions.run(lambda: duties.save_duty_type(user, form, type_id), done="reports.type_saved", fields=FIELDS)
