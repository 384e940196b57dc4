"""The response-clock component: shown on articles and consultations of a dispute type.

    from ipoverseas.ui.response_clock import render_response_clock
    render_response_clock("itc_337", consultation.created_at.date())

It writes nothing to session state, so any page may call it more than once.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ipoverseas.knowledge import deadlines
from ipoverseas.core import localtime, vocab
from ipoverseas.core.markdown import escape, link_target
from ipoverseas.ui import state


def render_response_clock(dispute_type: str | None, start_date: date | None, *,
                          jurisdiction: str | None = None, today: date | None = None,
                          heading: bool = True) -> bool:
    """Show the clock's dated steps; returns False (and shows nothing) without a clock."""
    if not deadlines.has_clock(dispute_type) or start_date is None:
        return False
    lang = state.lang()
    today = today or localtime.today()
    items = deadlines.deadlines(dispute_type, start_date, today=today, jurisdiction=jurisdiction)
    if heading:
        st.subheader(state.t("guides.clock.title", dispute=vocab.DISPUTE_TYPES.label(dispute_type, lang)))
    st.caption(state.t("guides.clock.from", date=start_date.isoformat()))
    upcoming = next((d for d in items if not d.overdue), None)
    if upcoming is not None:
        st.info(state.t("guides.clock.next", date=upcoming.due.isoformat(), days=upcoming.days_left,
                        action=upcoming.rule.action(lang)), icon=":material/alarm:")
    for item in items:
        rule = item.rule
        if item.overdue:
            when = state.t("guides.clock.passed", days=-item.days_left)
        elif item.days_left == 0:
            when = state.t("guides.clock.today")
        else:
            when = state.t("guides.clock.days_left", days=item.days_left)
        unit = state.t(f"guides.clock.unit.{rule.unit}", n=abs(rule.offset))
        relation = state.t("guides.clock.before" if rule.offset < 0 else "guides.clock.after",
                           offset=unit, trigger=rule.trigger(lang))
        with st.container(border=True):
            st.markdown(f"**{item.due.isoformat()}** ({_weekday(item.due, lang)}) · {when}")
            st.markdown(escape(rule.action(lang)))
            st.caption(f"{escape(relation)} · {escape(rule.jurisdiction)} · "
                       f"{state.t('guides.clock.source')}: [{escape(rule.source)}]({link_target(rule.source_url)})")
    st.caption(state.t("guides.clock.disclaimer"))
    return True


def _weekday(day: date, lang: str) -> str:
    names = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
    if lang == "zh":
        return "周" + names["zh"][day.weekday()]
    return names["en"][day.weekday()]
