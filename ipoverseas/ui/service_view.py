"""Display pieces shared by the consultation pages: clock badge, thread, safe Markdown and
self-help suggestions. (A refused action is shown by `ipoverseas.ui.actions`.)"""

from __future__ import annotations

import streamlit as st

from ipoverseas.core import localtime, markdown
from ipoverseas.core.markdown import escape
from ipoverseas.access import policy
from ipoverseas.accounts import notifications
from ipoverseas.consultations import workflow
from ipoverseas.consultations.clock import Clock
from ipoverseas.core import vocab
from . import state
from .links import RECORD_PARAMS, record_link
from .params import parse_id
from .deadlines import render_event_clock
from .widgets import country, label


def safe_markdown(text: str | None) -> None:
    """Show untrusted Markdown through the one safe renderer (no raw HTML, safe links only)."""
    if not text:
        return
    st.html(markdown.render_block(text))


def clock_text(clock: Clock) -> str:
    """The clock in words; a running or at-risk clock names its deadline (`Clock.due`: the last
    moment still on time, so never an instant already past)."""
    used = f"{clock.used_days:.1f}"
    promise = f"{clock.promise_days:g}"
    if clock.state == "met":
        return state.t("service.clock.met", used=used, promise=promise)
    if clock.state == "missed":
        return state.t("service.clock.missed", used=used, promise=promise)
    if clock.state == "paused":
        return state.t("service.clock.paused", used=used, promise=promise)
    due = localtime.text(clock.due)
    if clock.state == "overdue":
        return state.t("service.clock.overdue", used=used, promise=promise)
    key = "service.clock.at_risk" if clock.state == "at_risk" else "service.clock.running"
    return state.t(key, used=used, promise=promise, due=due)


def clock_flag(clock: Clock) -> str:
    """A short word for the clock's state (text, not emoji: some desktops have no emoji font)."""
    return state.t(f"service.flag.{clock.state}")


ROW_COLOURS = {"overdue": "background-color: #fde2e1", "at_risk": "background-color: #fff1d6"}


def highlighted(rows: list[dict], states: list[str]):
    """A table whose overdue rows are red and at-risk rows amber (a Styler for st.dataframe)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame

    def colour(row):
        return [ROW_COLOURS.get(states[row.name], "")] * len(row)

    return frame.style.apply(colour, axis=1)


def show_clock(clock: Clock) -> None:
    text = clock_text(clock)
    if clock.state in ("overdue", "missed"):
        st.error(text, icon=":material/timer_off:")
    elif clock.state == "at_risk":
        st.warning(text, icon=":material/timer:")
    else:
        st.info(text, icon=":material/timer:")


def day_text(day) -> str:
    """A date for a table or fact line; "—" when there is none (never `None`)."""
    return day.isoformat() if day else "—"


def status_label(status: str) -> str:
    return label(vocab.CONSULTATION_STATUSES, status)


def summary(item: dict) -> None:
    """The facts of a question."""
    facts = [
        (state.t("service.field.company"), item.get("company")),
        (state.t("service.field.contact"), item.get("contact")),
        (state.t("service.field.country"), country(item.get("country"))),
        (state.t("service.field.ip_type"), label(vocab.IP_TYPES, item.get("ip_type"))),
        (state.t("service.field.industry"), label(vocab.INDUSTRIES, item.get("industry"))),
        (state.t("service.field.dispute_type"), label(vocab.DISPUTE_TYPES, item.get("dispute_type"))),
        (state.t("service.field.stage"), label(vocab.STAGES, item.get("stage"))),
        (state.t("service.field.opposing_party"), item.get("opposing_party")),
        (state.t("service.field.deadline"), day_text(item.get("enterprise_deadline"))),
        (state.t("service.field.urgency"), label(vocab.URGENCIES, item.get("urgency"))),
        (state.t("service.field.status"), status_label(item.get("status", ""))),
        (state.t("service.field.asked_at"), localtime.text(item.get("created_at"))),
    ]
    if item.get("expert_name"):
        facts.append((state.t("service.field.expert"), item["expert_name"]))
    cols = st.columns(2)
    for i, (name, value) in enumerate(facts):
        cols[i % 2].markdown(f"**{name}**: {escape(value or '—')}")
    st.markdown(f"**{state.t('service.field.question')}**")
    st.text(item.get("question") or "")


def thread(item: dict) -> None:
    st.subheader(state.t("service.thread.title"))
    messages = item.get("messages") or []
    if not messages:
        st.caption(state.t("service.thread.empty"))
    for m in messages:
        kind = state.t(f"service.thread.kind.{m['kind']}") if m["kind"] in MESSAGE_KINDS else m["kind"]
        with st.container(border=True):
            st.caption(f"{kind} · {escape(m.get('author'))} · {localtime.text(m['created_at'])}")
            safe_markdown(m["body"])


FIELDS = ("service.field.",)  # the i18n prefix under which the service pages name their fields
MESSAGE_KINDS = ("answer", "request", "followup", "note", "staff_note")


def history(item: dict) -> None:
    with st.expander(state.t("service.history.title")):
        st.dataframe([{
            state.t("service.history.when"): localtime.text(e["at"]),
            state.t("service.history.from"): status_label(e["from_status"]) if e["from_status"] else "",
            state.t("service.history.to"): status_label(e["to_status"]),
            state.t("service.history.who"): e.get("who") or "",
            state.t("service.history.note"): e.get("note") or "",
        } for e in item.get("events", [])], hide_index=True, width="stretch", placeholder="—")


def suggestions(user: policy.Principal, *, country_code: str | None, dispute_type: str | None,
                ip_type: str | None, industry: str | None, text: str = "") -> None:
    """Self-help: the most similar published cases and articles."""
    found = workflow.suggestions(user, country=country_code, dispute_type=dispute_type, ip_type=ip_type,
                                      industry=industry, text=text)
    # One column (not two side by side): a link's label is one line, and a narrow column cuts it.
    st.markdown(f"**{state.t('service.selfhelp.cases')}**")
    if not found["cases"]:
        st.caption(state.t("service.selfhelp.none"))
    for c in found["cases"]:
        outcome = label(vocab.OUTCOMES, c["outcome"]) if c["outcome"] else ""
        text = " · ".join(x for x in (c["title"], country(c["country"]),
                                      label(vocab.DISPUTE_TYPES, c["dispute_type"]), outcome) if x)
        record_link("cases", c["id"], text, icon=":material/gavel:", help=escape(text))
    st.markdown(f"**{state.t('service.selfhelp.articles')}**")
    if not found["articles"]:
        st.caption(state.t("service.selfhelp.none"))
    lang = state.lang()
    for a in found["articles"]:
        title = (a["title_en"] if lang == "en" and a["title_en"] else a["title_zh"] or a["title_en"]) or ""
        text = f"{label(vocab.ARTICLE_KINDS, a['kind'])} · {title}"
        record_link("guides", a["id"], text, icon=":material/article:", help=escape(text))


def response_clock(dispute_type: str | None, stage: str | None, key: str) -> None:
    """The legal deadlines of the dispute type, counted from the event the enterprise dates."""
    render_event_clock(dispute_type, stage, key=key)


LEGACY_PARAM = "id"


def pick_id(page_key: str) -> int | None:
    """The record id in the page's record parameter (`?consultation=`; the older `?id=` still
    opens it, for bookmarks made before), or None (also for garbage)."""
    return parse_id(st.query_params.get(RECORD_PARAMS[page_key]) or st.query_params.get(LEGACY_PARAM))


def consultation_table(data, ids: list[int], page_key: str, key: str) -> None:
    """A list of consultations: its "#" column links each row to its record (a bookmarkable URL,
    `?consultation=ID`, opening in a new tab) and picking a row opens it here, in one click.
    `data`: the rows (or their Styler) with "#" holding `links.record_url(page_key, id)`."""
    event = st.dataframe(data, hide_index=True, width="stretch", key=key + "table", on_select="rerun",
                         selection_mode="single-row",
                         column_config={"#": st.column_config.LinkColumn(
                             "#", display_text=r"consultation=(\d+)", width="small",
                             help=state.t("service.open_help"))}, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked:
        st.query_params[RECORD_PARAMS[page_key]] = str(ids[picked[0]])
        st.rerun()


def page_offset(total: int, size: int, key: str, caption_key: str = "service.queue.page_of") -> int:
    """A page picker for a list paged in SQL (shown only when there is more than one page); the offset.
    `caption_key` says what the list holds ("共 {total} 条咨询，{pages} 页")."""
    pages = max(1, -(-total // size))
    if pages == 1:
        return 0
    if (st.session_state.get(key) or 1) > pages:   # the list got shorter since the page was picked
        st.session_state[key] = pages
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    page = left.number_input(state.t("service.queue.page"), min_value=1, max_value=pages, step=1, key=key)
    right.caption(state.t(caption_key, total=total, pages=pages))
    return (int(page) - 1) * size


def detail_header(user, consultation_id: int, key: str, page_key: str) -> dict | None:
    """The top of a consultation's page: the record (or "not found"), a back button, title and
    clock. Opening the record marks the user's notifications about it read."""
    item = workflow.get(user, consultation_id)
    if item is None:
        st.warning(state.t("errors.not_found"))
        _back(key, page_key)
        return None
    notifications.mark_read_for(user, consultation_id)
    _back(key, page_key)
    st.subheader(state.t("service.detail.title", id=item["id"]))
    zone_caption()
    show_clock(item["clock"])
    return item


def zone_caption() -> None:
    """The page's one label of the time zone its times are in."""
    st.caption(state.t("service.times_in", zone=localtime.label(state.lang())))


def _back(key: str, page_key: str) -> None:
    if st.button(state.t("service.back"), key=key + "back", icon=":material/arrow_back:"):
        for name in (RECORD_PARAMS[page_key], LEGACY_PARAM):
            st.query_params.pop(name, None)
        st.rerun()

