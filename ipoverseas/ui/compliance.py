"""The service-promise component for staff and admin home pages:

    from ipoverseas.ui.compliance import render_compliance
    render_compliance(user)

Share answered on time, median working days to the first answer and open overdue,
per sub-centre and per expert, over a period the user picks (last 90 days by default).
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ipoverseas.consultations import compliance, workflow
from ipoverseas.core import i18n, localtime
from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from . import state
from .cache import cached

_compliance = cached(compliance.figures)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_compliance(user: Principal, key: str = "compliance", today: date | None = None) -> None:
    if not policy.can(user, "read_compliance"):
        return
    today = today or localtime.today()
    st.subheader(state.t("service.compliance.title"))
    st.caption(state.t("service.compliance.intro", days=f"{workflow.promise_days():g}"))
    c1, c2 = st.columns([2, 1])
    period = c1.date_input(state.t("service.compliance.period"), value=(today - timedelta(days=90), today),
                           max_value=today, key=key + "_period")
    by = c2.segmented_control(state.t("service.compliance.by"), ["sub_centre", "expert"], default="sub_centre",
                              key=key + "_by", format_func=lambda b, lang=state.lang(): i18n.t(f"service.compliance.by_{b}", lang))
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        st.caption(state.t("service.compliance.pick_period"))
        return
    start, end = period
    rows = _compliance(user, start, end, by=by or "sub_centre")
    total = compliance.totals(rows)
    days = sorted(r["median_first_answer_days"] for r in rows if r["median_first_answer_days"] is not None)
    cols = st.columns(4)
    cols[0].metric(state.t("service.compliance.asked"), total["asked"], border=True)
    cols[1].metric(state.t("service.compliance.on_time"), _pct(total["on_time_share"]), border=True)
    cols[2].metric(state.t("service.compliance.median_groups"), _days(days[len(days) // 2] if days else None),
                   border=True)
    cols[3].metric(state.t("service.compliance.open_overdue"), total["open_overdue"], border=True)
    if not rows:
        st.info(state.t("service.compliance.none"))
        return
    lang = state.lang()
    name_col = state.t(f"service.compliance.by_{by or 'sub_centre'}")
    st.dataframe([{
        name_col: (r["name"] if by == "expert" else (r.get("name_zh") if lang == "zh" else r.get("name_en"))
                   or r["name"]) or "—",
        state.t("service.compliance.asked"): r["asked"],
        state.t("service.compliance.answered"): r["answered"],
        state.t("service.compliance.on_time"): _pct(r["on_time_share"]),
        state.t("service.compliance.median"): _days(r["median_first_answer_days"]),
        state.t("service.compliance.open_overdue"): r["open_overdue"],
    } for r in rows], hide_index=True, width="stretch", placeholder="—")
    st.caption(state.t("service.compliance.note"))
