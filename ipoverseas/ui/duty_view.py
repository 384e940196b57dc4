"""How the reporting duties look on the page 报送 / Reports: state labels and colours, the grid of
sub-centres x periods, the list of items, one item's submissions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ipoverseas.core import localtime
from ipoverseas.network import duties
from . import state
from .links import record_url
from .service_view import safe_markdown
from .widgets import t_md

# background, text: light tints a colour-blind reader also tells apart by the cell's word
COLOURS = {
    "upcoming": ("#f1f3f5", "#495057"), "due_soon": ("#fff3bf", "#7c5e00"), "missing": ("#ffc9c9", "#a51111"),
    "submitted_on_time": ("#d0ebff", "#1c5a8c"), "submitted_late": ("#ffe8cc", "#9a4a00"),
    "returned": ("#f3d9fa", "#7b2a8c"), "accepted": ("#d3f9d8", "#1e6b2f"),
}


def state_label(code: str) -> str:
    return state.t(f"reports.state.{code}")


def counts(found: dict[str, int]) -> None:
    """One tile per state, in the order of the work (what needs doing first)."""
    cols = st.columns(len(duties.STATES))
    for col, code in zip(cols, ("missing", "due_soon", "returned", "submitted_late", "submitted_on_time",
                                "accepted", "upcoming")):
        col.metric(state_label(code), found.get(code, 0), border=True)


def grid_table(view: dict) -> None:
    """Sub-centres down, periods across, each cell its state's word on its colour."""
    if not view["rows"]:
        st.info(state.t("reports.grid_empty"))
        return
    head = state.t("reports.sub_centre")
    frame = pd.DataFrame([{head: r["name"], **{c: r["cells"].get(c, (None, None))[0] for c in view["columns"]}}
                          for r in view["rows"]])
    styler = (frame.style
              .format(lambda code: state_label(code) if code else "—", subset=view["columns"])
              .map(_cell_style, subset=view["columns"]))
    st.dataframe(styler, hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 900), placeholder="—")


def _cell_style(code: str | None) -> str:
    if not code:
        return ""
    bg, fg = COLOURS[code]
    return f"background-color: {bg}; color: {fg}"


def item_rows(rows: list[dict], list_params: dict[str, str]) -> list[dict]:
    """The list's rows; each "#" links to the item, carrying the list's own URL parameters so the
    way back keeps them."""
    return [{
        "#": record_url("reports", r["id"], **list_params),
        state.t("reports.sub_centre"): r["sub_centre"],
        state.t("reports.duty"): r["duty"],
        state.t("reports.period"): r["period_label"],
        state.t("reports.due_on"): r["due_on"].isoformat(),
        state.t("reports.state"): state_label(r["state"]),
        state.t("reports.first_submitted"): localtime.text(r["first_submitted_at"]) if r["first_submitted_at"] else "—",
    } for r in rows]


def submission(sub: dict, number: int, figures: list[dict], download) -> None:
    """One handing-in: when and by whom, its figures, text and document, and the centre's decision."""
    with st.container(border=True):
        st.markdown(t_md("reports.submission_head", n=str(number), at=localtime.text(sub["submitted_at"]),
                         who=sub["submitted_by"] or "—"))
        names = {f["code"]: (f["en"] if state.lang() == "en" else f["zh"]) for f in figures}
        if sub["figures"]:
            st.dataframe([{state.t("reports.figure"): names.get(k, k), state.t("reports.value"): v}
                          for k, v in sub["figures"].items()], hide_index=True, placeholder="—")
        safe_markdown(sub["text"])
        if sub["file_name"]:
            download(sub)
        if sub["decision"]:
            text = t_md(f"reports.decision.{sub['decision']}", at=localtime.text(sub["reviewed_at"]),
                        who=sub["reviewed_by"] or "—")
            (st.success if sub["decision"] == "accepted" else st.warning)(text)
            if sub["reason"]:
                safe_markdown(sub["reason"])
