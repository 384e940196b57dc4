"""What the upload preview and the case page show of information sharing (issue 17)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ipoverseas.core.markdown import escape
from ipoverseas.sharing import duplicates
from . import state

SHOW = 200


def possible_duplicates(prepared: Any) -> None:
    """The preview's flag: rows that are possibly disputes another sub-centre reported already."""
    found = getattr(prepared, "possible_duplicates", None)
    if not found:
        return
    keys = {row: key for row, key, _ in prepared.plan.creates}
    keys.update({ch.row: ch.key for ch in prepared.plan.updates})
    st.warning(state.t("sharing.dup.preview", count=len(found)), icon=":material/content_copy:")
    rows = []
    for row in sorted(found)[:SHOW]:
        matches = found[row]
        rows.append({
            state.t("upload.col.row"): row,
            state.t("upload.col.key"): keys.get(row, ""),
            state.t("sharing.dup.col.same_as"): state.t(
                "sharing.dup.same_as", refs="、".join(f"{m.case_ref}（{m.sub_centre}）" for m in matches[:5])),
            state.t("sharing.dup.col.reason"): "、".join(dict.fromkeys(
                state.t(f"sharing.dup.reason.{m.reason}") for m in matches)),
        })
    st.dataframe(rows, hide_index=True, width="stretch", placeholder="—")
    st.caption(state.t("sharing.dup.preview_note"))


def linked_records(user: Any, case_id: int) -> None:
    """On a case's page: the records of the same dispute from other sub-centres (linked ones)."""
    rows = duplicates.links_of(user, case_id)
    if not rows:
        return
    refs = "、".join(f"{escape(r['case_ref'])}（{escape(r['sub_centre'])}）" for r in rows)
    st.info(state.t("sharing.dup.linked_note", refs=refs), icon=":material/link:")
