"""The working-day calendar (工作日历): a year's holidays and make-up working days, their source,
provisional or not; enter or correct a day, or upload the State Council notice's table with a
preview of what changes. Saving recomputes the open consultations' deadlines
(`ipoverseas.network.workcalendar`)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import streamlit as st

from ipoverseas.core import localtime
from ipoverseas.core.markdown import escape
from ipoverseas.network import workcalendar
from ipoverseas.ui import actions, state
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.uploader import file_input

PAGE = PageSpec(key="admin-calendar", title_key="nav.admin_calendar", icon=":material/calendar_month:",
                action="manage_calendar", order=215, section="nav.section.admin")
P = "admin_calendar_"
WEEKDAYS = "calendar.weekday."


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("calendar.title"))
    st.caption(state.t("calendar.intro"))
    flash = st.session_state.pop(P + "flash", None)
    if flash:
        st.success(flash)
    this_year = localtime.today().year
    years = list(range(this_year - 2, this_year + 3))
    year = st.selectbox(state.t("calendar.year"), years, index=years.index(this_year), key=P + "year")
    view = workcalendar.year_view(user, year)
    if not view["covered"]:
        st.warning(state.t("calendar.not_covered", year=year))
    elif view["provisional"]:
        st.warning(state.t("calendar.provisional", year=year))
    else:
        st.info(state.t("calendar.official", year=year))
    if view["source"]:
        st.caption(state.t("calendar.source_is", source=escape(view["source"])))
    days = view["days"]
    c1, c2 = st.columns(2)
    c1.metric(state.t("calendar.holidays"), sum(d["kind"] == "holiday" for d in days))
    c2.metric(state.t("calendar.workdays"), sum(d["kind"] == "workday" for d in days))
    st.dataframe([{
        state.t("calendar.date"): d["day"].isoformat(),
        state.t("calendar.weekday"): state.t(WEEKDAYS + str(d["day"].weekday())),
        state.t("calendar.kind"): state.t("calendar.kind." + d["kind"]),
        state.t("calendar.name"): d["name"],
        state.t("calendar.source"): d["source"],
    } for d in days], hide_index=True, width="stretch", placeholder="—")
    if view["covered"]:
        label = "calendar.mark_official" if view["provisional"] else "calendar.mark_provisional"
        if st.button(state.t(label, year=year), key=P + f"prov_{year}"):
            _do(lambda: workcalendar.set_provisional(user, year, not view["provisional"]), "calendar.saved")

    st.subheader(state.t("calendar.edit_day"))
    with st.form(P + "day_form"):
        a, b = st.columns(2)
        day = a.date_input(state.t("calendar.date"), value=date(year, 1, 1), min_value=date(year, 1, 1),
                           max_value=date(year, 12, 31), key=P + f"day_{year}")
        kind = b.selectbox(state.t("calendar.kind"), ["holiday", "workday", "remove"], key=P + "kind",
                           format_func=lambda k: state.t("calendar.kind." + k))
        name = a.text_input(state.t("calendar.name"), max_chars=200, key=P + "name")
        source = b.text_input(state.t("calendar.source"), max_chars=300, key=P + "source")
        if st.form_submit_button(state.t("calendar.save_day"), type="primary"):
            _do(lambda: workcalendar.save_day(user, day, None if kind == "remove" else kind, name, source),
                "calendar.saved")

    st.subheader(state.t("calendar.upload"))
    st.caption(state.t("calendar.upload_help", year=year))
    uploaded = file_input("calendar.file", ["xlsx", "csv"], key=P + f"file_{year}")
    if uploaded is not None:
        _upload(user, year, uploaded)

    with st.expander(state.t("calendar.history"), icon=":material/history:"):
        rows = workcalendar.history(user, year)
        st.caption(localtime.label(state.lang()))
        st.dataframe([{state.t("calendar.when"): localtime.text(r["at"]), state.t("calendar.who"): r["username"] or "",
                       state.t("calendar.what"): state.t("calendar.action." + r["action"].split(".", 1)[1]),
                       state.t("calendar.detail"): _detail(r["detail"])} for r in rows],
                     hide_index=True, width="stretch", placeholder="—")


def _upload(user, year: int, uploaded) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notice"
        path.write_bytes(uploaded.getvalue())
        ok, rows = actions.attempt(lambda: workcalendar.read_notice(path, uploaded.name))
    if not ok:
        return
    ok, changes = actions.attempt(lambda: workcalendar.preview(user, year, rows))
    if not ok:
        return
    st.markdown(state.t("calendar.preview", count=len(changes), year=year))
    st.dataframe([{
        state.t("calendar.date"): c["day"].isoformat(),
        state.t("calendar.change"): state.t("calendar.change." + c["change"]),
        state.t("calendar.before"): state.t("calendar.kind." + c["before"]) if c["before"] else "",
        state.t("calendar.after"): state.t("calendar.kind." + c["after"]) if c["after"] else "",
        state.t("calendar.name"): c["name"],
    } for c in changes], hide_index=True, width="stretch", placeholder="—")
    with st.form(P + "import_form"):
        source = st.text_input(state.t("calendar.source"), max_chars=300, key=P + "import_source")
        provisional = st.checkbox(state.t("calendar.is_provisional"), key=P + "import_provisional")
        if st.form_submit_button(state.t("calendar.apply", year=year), type="primary"):
            _do(lambda: workcalendar.save_year(user, year, rows, provisional=provisional, source=source),
                "calendar.saved")


def _detail(detail: dict | None) -> str:
    if not detail:
        return ""
    if "changes" in detail:
        return state.t("calendar.changes_count", count=len(detail["changes"]))
    return " ".join(str(v) for k, v in detail.items() if k == "day")


def _do(fn, message_key: str) -> None:
    ok, result = actions.attempt(fn, fields=("calendar.",))
    if ok:
        text = state.t(message_key)
        if result and result.get("recomputed"):
            text += " " + state.t("calendar.recomputed", count=result["recomputed"])
        st.session_state[P + "flash"] = text
        st.rerun()
