"""Data quality per sub-centre (staff: their own; admin: all): completeness of the key fields of the
case records, the lag from a dispute's filing to its report, possible duplicates found, records
returned by review (`ipoverseas.sharing.quality`, cached by the database revision)."""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.sharing import quality
from ipoverseas.ui import state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.pages import PageSpec, guard

PAGE = PageSpec(key="data_quality", title_key="sharing.quality.nav", icon=":material/fact_check:",
                action="read_data_quality", order=75, section="nav.section.network")

_figures = cached(quality.figures)


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("sharing.quality.title"))
    everyone = policy.sees_all(user, "read_data_quality")
    st.caption(state.t("sharing.quality.intro.all" if everyone else "sharing.quality.intro.own"))
    rows = _figures(user)
    if not rows:
        st.info(state.t("sharing.quality.none"))
        return
    lang = state.lang()
    share = st.column_config.ProgressColumn
    columns = {
        "centre": st.column_config.TextColumn(state.t("sharing.quality.col.sub_centre")),
        "cases": st.column_config.NumberColumn(state.t("sharing.quality.col.cases"), format="%d"),
        **{f: share(state.t(f"sharing.quality.col.{f}"), min_value=0.0, max_value=1.0, format="percent")
           for f in quality.FIELDS},
        "lag_days": st.column_config.NumberColumn(state.t("sharing.quality.col.lag_days"), format="%.1f"),
        "duplicates": st.column_config.NumberColumn(state.t("sharing.quality.col.duplicates"), format="%d"),
        "returned": st.column_config.NumberColumn(state.t("sharing.quality.col.returned"), format="%d"),
    }
    table = [{"centre": (r["name_en"] if lang == "en" and r["name_en"] else r["name_zh"]), "cases": r["cases"],
              **{f: r[f] for f in quality.FIELDS}, "lag_days": r["lag_days"], "duplicates": r["duplicates"],
              "returned": r["returned"]} for r in rows]
    st.dataframe(table, hide_index=True, width="stretch", column_config=columns, placeholder="—")
    st.caption(state.t("sharing.quality.note"))
