"""Sharing (admin): the queue of possible duplicates (one dispute reported by two sub-centres: link
the two records, mark them distinct, unlink a link) and the routing of risk alerts to the
sub-centres they concern (`ipoverseas.sharing`)."""

from __future__ import annotations

import streamlit as st

from ipoverseas.core import localtime
from ipoverseas.core.markdown import escape
from ipoverseas.sharing import duplicates, routing
from ipoverseas.ui import state
from ipoverseas.ui.actions import run
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.widgets import metrics, time_header

PAGE = PageSpec(key="duplicates", title_key="sharing.dup.nav", icon=":material/join:", action="resolve_duplicates",
                order=46, section="nav.section.knowledge")
K = "duplicates_"


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("sharing.dup.title"))
    queue_tab, routing_tab = st.tabs([state.t("sharing.dup.tab.queue"), state.t("sharing.routing.tab")])
    with queue_tab:
        _queue(user)
    with routing_tab:
        _routing(user)


def _queue(user) -> None:
    st.caption(state.t("sharing.dup.intro"))
    counts = duplicates.counts()
    metrics([(state.t(f"sharing.dup.status.{s}"), counts[s]) for s in duplicates.STATUSES], columns=3)
    status = st.segmented_control(state.t("sharing.dup.show"), duplicates.STATUSES, key=K + "status",
                                  default="candidate", format_func=lambda s: state.t(f"sharing.dup.status.{s}"))
    rows = duplicates.queue_rows(user, status or "candidate")
    if not rows:
        st.info(state.t("sharing.dup.none"))
        return
    for row in rows:
        with st.container(border=True):
            left, right = st.columns(2)
            for col, side in ((left, "a"), (right, "b")):
                with col:
                    st.markdown(f"**{escape(row[side + '_ref'])}** · {escape(row[side + '_centre'])}")
                    st.markdown(f"[{escape(row[side + '_title'])}]({record_url('cases', row[side + '_id'])})")
                    st.caption(" · ".join(escape(str(v)) for v in (row[side + "_filed"], row[side + "_docket"]) if v))
            found = localtime.text(row["found_at"])
            st.caption(state.t("sharing.dup.found", reason=state.t(f"sharing.dup.reason.{row['reason']}"),
                               score=f"{row['score'] or 0:.0f}", at=found, zone=localtime.label(state.lang())))
            _decide(user, row)


def _decide(user, row) -> None:
    lid = row["id"]
    if row["status"] == "candidate":
        options = {row["a_id"]: row["a_ref"], row["b_id"]: row["b_ref"]}
        primary = st.radio(state.t("sharing.dup.primary"), list(options), key=f"{K}primary_{lid}", horizontal=True,
                           format_func=lambda i: options[i])
        note = st.text_input(state.t("sharing.dup.note"), key=f"{K}note_{lid}", max_chars=500)
        a, b = st.columns(2)
        if a.button(state.t("sharing.dup.link"), key=f"{K}link_{lid}", type="primary"):
            run(lambda: duplicates.link(user, lid, primary, note), done="sharing.dup.linked")
        if b.button(state.t("sharing.dup.distinct"), key=f"{K}distinct_{lid}"):
            run(lambda: duplicates.mark_distinct(user, lid, note), done="sharing.dup.marked_distinct")
    else:
        if row["status"] == "linked":
            counted = row["a_ref"] if row["duplicate_id"] == row["b_id"] else row["b_ref"]
            st.caption(state.t("sharing.dup.counted", ref=escape(counted)))
        if st.button(state.t("sharing.dup.unlink"), key=f"{K}unlink_{lid}"):
            run(lambda: duplicates.unlink(user, lid), done="sharing.dup.unlinked")


def _routing(user) -> None:
    st.caption(state.t("sharing.routing.intro", n=routing.top_n()))
    alerts = routing.alerts(user)
    if not alerts:
        st.info(state.t("sharing.routing.no_alerts"))
        return
    titles = {a["id"]: a for a in alerts}

    def name(i: int) -> str:
        a = titles[i]
        title = a["title_en"] if state.lang() == "en" and a["title_en"] else a["title_zh"]
        return f"#{i} {title} · {state.t('sharing.routing.status.' + a['status'])}"

    # the options are the labels themselves (each names its id, so they are unique)
    labels = {name(i): i for i in titles}
    chosen = labels[st.selectbox(state.t("sharing.routing.alert"), list(labels), key=K + "alert")]
    rows = routing.routing(chosen)
    en = state.lang() == "en"
    table = [{
        state.t("sharing.routing.col.sub_centre"): r["name_en"] if en and r["name_en"] else r["name_zh"],
        state.t("sharing.routing.col.cases"): r["cases"],
        state.t("sharing.routing.col.suggested"): state.t("sharing.yes" if r["suggested"] else "sharing.no"),
        state.t("sharing.routing.col.routed"): state.t("sharing.yes" if r["routed"] else "sharing.no"),
        time_header("sharing.routing.col.notified"): localtime.text(r["notified_at"]) if r["notified_at"] else None,
    } for r in rows]
    st.dataframe(table, hide_index=True, width="stretch", placeholder="—")
    centres = {f"{r['code']} · {r['name_en'] if state.lang() == 'en' and r['name_en'] else r['name_zh']}":
               r["sub_centre_id"] for r in rows}
    centre = centres[st.selectbox(state.t("sharing.routing.col.sub_centre"), list(centres), key=K + "centre")]
    a, b, c = st.columns(3)
    if a.button(state.t("sharing.routing.add"), key=K + "add"):
        run(lambda: routing.adjust(user, chosen, centre, "add"), done="sharing.routing.saved")
    if b.button(state.t("sharing.routing.remove"), key=K + "remove"):
        run(lambda: routing.adjust(user, chosen, centre, "remove"), done="sharing.routing.saved")
    if c.button(state.t("sharing.routing.reset"), key=K + "reset"):
        run(lambda: routing.adjust(user, chosen, centre, None), done="sharing.routing.saved")
