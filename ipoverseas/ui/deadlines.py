"""The response-clock component: shown on articles and consultations of a dispute type.

    from ipoverseas.ui.deadlines import render_response_clock, render_event_clock
    render_response_clock("itc_337", start_date)       # the user gives the start date
    render_event_clock("itc_337", stage, key="ask_")   # asks for the date of the clock's event

It writes nothing to session state, so any page may call it more than once.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ipoverseas.knowledge import deadlines
from ipoverseas.core import localtime, vocab
from ipoverseas.core.markdown import escape, link_target
from ipoverseas.ui import state


def render_event_clock(dispute_type: str | None, stage: str | None, *, key: str,
                       today: date | None = None) -> bool:
    """The clock counted from the event it counts from, as the enterprise states it: no clock
    when the stage says the event has not happened; otherwise a date box for that event and,
    once a date is given, its dated steps. Returns whether a clock is shown."""
    event = deadlines.starting_event(dispute_type)
    if event is None:
        return False
    lang = state.lang()
    st.subheader(state.t("guides.clock.title", dispute=vocab.DISPUTE_TYPES.label(dispute_type, lang)))
    if not deadlines.event_happened(dispute_type, stage):
        st.caption(state.t("service.clock_event.not_yet", event=event.trigger(lang),
                           stage=vocab.STAGES.label(stage, lang)))
        return False
    today = today or localtime.today()
    day = st.date_input(state.t("service.clock_event.date", event=event.trigger(lang)), value=None,
                        max_value=None if deadlines.event_may_be_ahead(dispute_type) else today,
                        key=key + "event_date", help=state.t("service.clock_event.help"), format="YYYY-MM-DD")
    if day is None:
        st.caption(state.t("service.clock_event.give_date", event=event.trigger(lang)))
        return False
    return render_response_clock(dispute_type, day, today=today, heading=False, event=event.trigger(lang))


def render_response_clock(dispute_type: str | None, start_date: date | None, *,
                          jurisdiction: str | None = None, today: date | None = None,
                          heading: bool = True, event: str | None = None) -> bool:
    """Show the clock's dated steps; returns False (and shows nothing) without a clock. With
    `event` (the starting event's name), `start_date` is that event's date as the user gave it,
    and only the steps counted from it are dated."""
    if not deadlines.has_clock(dispute_type) or start_date is None:
        return False
    lang = state.lang()
    today = today or localtime.today()
    items = deadlines.deadlines(dispute_type, start_date, today=today, jurisdiction=jurisdiction,
                                event_only=event is not None)
    if heading:
        st.subheader(state.t("guides.clock.title", dispute=vocab.DISPUTE_TYPES.label(dispute_type, lang)))
    if event is None:
        st.caption(state.t("guides.clock.from", date=start_date.isoformat()))
    else:
        st.caption(state.t("service.clock_event.from", event=event, date=start_date.isoformat()))
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
