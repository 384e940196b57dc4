"""The audit trail: every write, filtered by user, sub-centre, action, entity and period; exported to xlsx."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from ipoverseas.audit import labels, query
from ipoverseas.core import config, i18n, localtime
from ipoverseas.audit.query import AuditFilter
from ipoverseas.ui import state
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import time_header

PAGE = PageSpec(key="audit", title_key="nav.audit", icon=":material/receipt_long:", action="read_audit_log",
                order=220, section="nav.section.admin")
P = "audit_"


def render() -> None:
    lang = state.lang()  # format_func runs again outside the script: bind the language now
    user = guard(PAGE)
    st.title(state.t("audit.title"))
    st.caption(state.t("audit.intro"))
    facets = query.facets(user)
    centres = dict(query.actors_sub_centres(lang))
    c1, c2, c3 = st.columns(3)
    who = c1.text_input(state.t("audit.user"), key=P + "user", max_chars=80)
    centre = c2.selectbox(state.t("admin.users.sub_centre"), [None, *centres], key=P + "centre",
                          format_func=lambda c: i18n.t("admin.all", lang) if c is None else centres[c],
                          placeholder=state.t("admin.all"))
    action = c3.selectbox(state.t("audit.action"), [None, *_action_choices(facets["actions"])], key=P + "action",
                          format_func=lambda a: i18n.t("admin.all", lang) if a is None else labels.action(a, lang),
                          placeholder=state.t("admin.all"))
    c4, c5, c6 = st.columns(3)
    entity = c4.selectbox(state.t("audit.entity"), [None, *facets["entities"]], key=P + "entity",
                          format_func=lambda e: i18n.t("admin.all", lang) if e is None else labels.entity(e, lang),
                          placeholder=state.t("admin.all"))
    entity_id = c5.number_input(state.t("audit.entity_id"), min_value=0, step=1, value=None, key=P + "entity_id")
    today = localtime.today()  # the period is in the users' dates (Beijing time by default)
    period = c6.date_input(state.t("audit.period"), value=(today - timedelta(days=30), today), key=P + "period",
                           max_value=today + timedelta(days=1),
                           help=state.t("audit.period_help", today=today.isoformat(), zone=localtime.label(lang)))
    since, until = (period if isinstance(period, tuple) and len(period) == 2
                    else ((period[0], period[0]) if isinstance(period, tuple) and period else (None, None)))
    filt = AuditFilter(user=who, sub_centre_id=centre, action=action or "", entity=entity or "",
                       entity_id=int(entity_id) if entity_id is not None else None, since=since, until=until)

    size = config.get("page_size")
    page_no = int(st.session_state.get(P + "page", 1))
    rows, total = query.search(user, filt, offset=(page_no - 1) * size, limit=size)
    pages = max(1, -(-total // size))
    if page_no > pages:
        page_no = 1
        rows, total = query.search(user, filt, offset=0, limit=size)
    st.caption(state.t("admin.users.count", total=total, page=page_no, pages=pages))
    refs = query.names_in([r["detail"] for r in rows], lang)
    st.dataframe([{
        "#": r["id"], time_header("audit.at"): localtime.text(r["at"]), state.t("audit.user"): r["username"] or "",
        state.t("admin.users.sub_centre"): centres.get(r["sub_centre_id"], r["sub_centre"] or ""), state.t("audit.action"): labels.action(r["action"], lang),
        state.t("audit.entity"): labels.entity(r["entity"], lang), state.t("audit.entity_id"): r["entity_id"],
        state.t("audit.details"): query.summary(r["detail"], lang, r["entity"], refs),
    } for r in rows], hide_index=True, width="stretch", placeholder="—")
    if pages > 1:
        st.number_input(state.t("admin.page"), min_value=1, max_value=pages, step=1, key=P + "page")

    if st.button(state.t("audit.prepare_export", total=min(total, query.EXPORT_MAX_ROWS)),
                 key=P + "prepare", icon=":material/table_view:", disabled=not total):
        with st.spinner(state.t("audit.exporting")):
            st.session_state[P + "export"] = query.export_xlsx(user, filt, lang)
    data = st.session_state.get(P + "export")
    if data:
        st.download_button(state.t("audit.download"), data=data, file_name=f"audit-{today.isoformat()}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=P + "download", icon=":material/download:")


def _action_choices(actions: list[str]) -> list[str]:
    """Each action, and each family as a prefix ("login.") to see all its actions at once."""
    families = sorted({a.split(".")[0] + "." for a in actions if "." in a})
    return [*families, *actions]
