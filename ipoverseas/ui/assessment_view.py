"""The assessment's tables: the network scorecard (admin), a sub-centre's items with the network's
medians, the evidence of one item, the admin's override and freeze controls. The page
`pages/network/assessment.py` routes between them by the URL (?year=&sc=&item=&part=)."""

from __future__ import annotations

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.assessment import adjustments, evidence as evidence_mod, scorecard as sc_mod
from ipoverseas.assessment.export import measured_text, scorecard_xlsx
from ipoverseas.core import localtime, vocab
from ipoverseas.core.markdown import escape
from ipoverseas.ui import actions, state
from ipoverseas.ui.state import t
from ipoverseas.ui.cache import cached
from ipoverseas.ui.links import page_link, record_url
from ipoverseas.ui.service_view import page_offset

P = "assessment_"
FIELDS = ("assessment.override.", "assessment.unfreeze.")
_evidence = cached(evidence_mod.evidence)


def points_text(value: float | None) -> str:
    return t("assessment.no_data") if value is None else f"{value:g}"


def _change(value: float | None) -> str:
    return t("assessment.none") if value is None else f"{value:+g}"


def status_line(card: sc_mod.Scorecard) -> None:
    """Live or frozen, and for a frozen year what today's data would change."""
    if not card.frozen:
        st.caption(t("assessment.live", as_of=card.as_of.isoformat() if card.as_of else ""))
        return
    st.info(t("assessment.frozen_note", at=localtime.text(card.frozen_at), version=card.rubric.version,
              who=escape(card.frozen_by_name) or "—"), icon=":material/lock:")
    if not card.differences:
        st.caption(t("assessment.no_differences"))
        return
    items = {i.code: i.name(state.lang()) for i in card.rubric.items}
    centres = {r.sub_centre_id: r.name(state.lang()) for r in card.rows}
    with st.expander(t("assessment.differences", n=len(card.differences)), icon=":material/difference:"):
        st.dataframe([{t("assessment.col.sub_centre"): centres.get(d.sub_centre_id, str(d.sub_centre_id)),
                       t("assessment.col.item"): items.get(d.item, d.item),
                       t("assessment.col.frozen"): points_text(d.frozen),
                       t("assessment.col.live"): points_text(d.live)}
                      for d in card.differences], hide_index=True, width="stretch", placeholder="—")


def network_table(user, card: sc_mod.Scorecard) -> None:
    """Every sub-centre's sections, total, rank and change; each row opens its items."""
    lang = state.lang()
    assessable, change = t("assessment.col.assessable"), t("assessment.col.change")
    rows = [{
        t("assessment.col.rank"): r.rank, t("assessment.col.sub_centre"): r.name(lang),
        "#": record_url("assessment", r.sub_centre_id, year=str(card.year)),
        t("assessment.col.total"): r.total, assessable: r.assessable, change: r.change,
        **{f"{s.name(lang)} ({s.points:g})": r.sections.get(s.code) for s in card.rubric.sections},
        t("assessment.col.previous"): r.previous_total, t("assessment.col.province"): province(r.province),
    } for r in card.rows]
    st.dataframe(rows, hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 1800), placeholder="—",
                 column_config={
                     "#": st.column_config.LinkColumn("#", display_text=t("assessment.open"), width="small",
                                                      help=t("assessment.open_help")),
                     assessable: st.column_config.NumberColumn(assessable, help=t("assessment.assessable_help")),
                     change: st.column_config.NumberColumn(change, format="%+.2f")})
    export_button(card)


def export_button(card: sc_mod.Scorecard) -> None:
    st.download_button(t("assessment.export"), data=lambda: scorecard_xlsx(card, state.lang()), key=P + "export",
                       file_name=f"assessment-{card.year}.xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def province(code: str | None) -> str:
    return vocab.PROVINCES.label(code, state.lang()) if code else t("assessment.none")


def sub_centre_detail(user, card: sc_mod.Scorecard, row: sc_mod.Row) -> None:
    """One sub-centre's items, section by section: measured, computed, override, points, the
    network median; each item opens its evidence."""
    lang = state.lang()
    a, b, c = st.columns(3)
    own = not policy.sees_all(user, "read_assessment")
    a.metric(t("assessment.my_total") if own else t("assessment.col.total"), f"{row.total:g} / {row.assessable:g}",
             None if row.change is None else _change(row.change), border=True, help=t("assessment.assessable_help"))
    b.metric(t("assessment.my_rank"), f"{row.rank} / {card.network_size}", border=True)
    c.metric(t("assessment.median_total"), points_text(card.total_median), border=True)
    for s in card.rubric.sections:
        st.markdown(f"**{escape(s.name(lang))}** · {points_text(row.sections.get(s.code))} / {s.points:g}")
        st.dataframe([_item_row(card, row, spec, lang) for spec in s.items], hide_index=True, width="stretch",
                     placeholder="—", column_config={
            "#": st.column_config.LinkColumn("#", display_text=t("assessment.evidence_open"), width="small")})
    if policy.can(user, "adjust_assessment", {"sub_centre_id": row.sub_centre_id}):
        override_form(user, card, row)


def _item_row(card: sc_mod.Scorecard, row: sc_mod.Row, spec, lang: str) -> dict:
    item = row.items[spec.code]
    return {
        "#": record_url("assessment", row.sub_centre_id, year=str(card.year), item=spec.code),
        t("assessment.col.item"): spec.name(lang), t("assessment.col.points"): points_text(item.points),
        t("assessment.col.max"): spec.points, t("assessment.col.median"): points_text(card.medians.get(spec.code)),
        t("assessment.col.measured"): measured_text(item, lang),
        t("assessment.col.computed"): points_text(item.computed),
        t("assessment.col.override"): t("assessment.none") if item.override is None else points_text(item.override),
        t("assessment.col.reason"): item.reason or t("assessment.none"),
    }


def override_form(user, card: sc_mod.Scorecard, row: sc_mod.Row) -> None:
    st.subheader(t("assessment.override.title"))
    if card.frozen:
        st.caption(t("assessment.override.frozen"))
        return
    lang = state.lang()
    specs = {i.code: i for i in card.rubric.items}
    with st.form(P + f"override_{row.sub_centre_id}", clear_on_submit=True):
        item = st.selectbox(t("assessment.override.item"), list(specs), index=None, key=P + "ov_item",
                            placeholder=t("assessment.pick_item"),
                            format_func=lambda c: f"{specs[c].name(lang)} ({specs[c].points:g})")
        points = st.number_input(t("assessment.override.points"), min_value=0.0, max_value=100.0, step=0.5,
                                 value=None, key=P + "ov_points")
        reason = st.text_area(t("assessment.override.reason"), max_chars=adjustments.MAX_REASON, key=P + "ov_reason")
        if st.form_submit_button(t("assessment.override.save"), type="primary"):
            actions.run(lambda: adjustments.set_override(user, card.year, row.sub_centre_id, item or "", points,
                                                         reason), done="assessment.override.saved", fields=FIELDS)
    overridden = [i for i in row.items.values() if i.override is not None]
    for i in overridden:
        with st.expander(escape(f"{specs[i.item].name(lang)} · " + t("assessment.override.current",
                                                                     points=f"{i.override:g}", reason=i.reason))):
            why = st.text_input(t("assessment.override.remove_reason"), key=P + f"rm_reason_{i.item}", max_chars=500)
            if st.button(t("assessment.override.remove"), key=P + f"rm_{i.item}"):
                actions.run(lambda code=i.item: adjustments.remove_override(user, card.year, row.sub_centre_id, code,
                                                                            why), done="assessment.override.removed",
                            fields=FIELDS)


def evidence_view(user, card: sc_mod.Scorecard, row: sc_mod.Row, item_code: str) -> None:
    """The records behind one item of one sub-centre, part by part, a page at a time."""
    lang = state.lang()
    spec = card.rubric.item(item_code)
    page_link("assessment", t("assessment.back_to_sub_centre", name=escape(row.name(lang))),
              icon=":material/arrow_back:", year=str(card.year), sc=str(row.sub_centre_id))
    if spec is None:
        st.warning(t("errors.not_found"))
        return
    score = row.items[item_code]
    st.subheader(t("assessment.evidence_title", item=escape(spec.name(lang))))
    st.caption(f"{t('assessment.col.points')}: {points_text(score.points)} / {spec.points:g} · "
               f"{t('assessment.col.measured')}: {measured_text(score, lang)}"
               + (f" · {t('assessment.col.reason')}: {escape(score.reason)}" if score.reason else ""))
    for n, part in enumerate(spec.parts):
        measure = t(f"assessment.measure.{part.measure}")
        if len(spec.parts) > 1:
            st.markdown("**" + escape(t("assessment.part", n=n + 1, measure=measure)) + "**")
        key = P + f"ev_page_{card.year}_{row.sub_centre_id}_{item_code}_{n}"
        first = _evidence(user, card.year, row.sub_centre_id, item_code, n, page=1, lang=lang)
        if first["manual"]:
            st.caption(t("assessment.evidence_manual"))
            continue
        st.caption(t("assessment.evidence_caption", measure=measure, total=first["total"],
                     counted=_counted_total(first)))
        if not first["total"]:
            st.info(t("assessment.evidence_none"))
            continue
        offset = page_offset(first["total"], evidence_mod.PAGE_SIZE, key, caption_key="assessment.evidence_page_of")
        found = first if offset == 0 else _evidence(user, card.year, row.sub_centre_id, item_code, n,
                                                     page=offset // evidence_mod.PAGE_SIZE + 1, lang=lang)
        st.dataframe([{
            "#": record_url(r["page"], r["id"]),
            t("assessment.col.date"): r["day"].isoformat() if r["day"] else t("assessment.none"),
            t("assessment.col.record"): r["label"],
            t("assessment.col.counted"): _counted(r["counted"]),
        } for r in found["rows"]], hide_index=True, width="stretch",
            height=min(38 + 35 * len(found["rows"]), 1800), placeholder="—",
            column_config={"#": st.column_config.LinkColumn("#", display_text=r"=(\d+)$", width="small")})


def _counted_total(found: dict) -> str:
    if found["measure"] == "mean_rating":
        return f"{found['total']}"
    return f"{found['counted']:g}"


def _counted(value) -> str:
    if isinstance(value, bool):
        return t("assessment.counted.yes") if value else t("assessment.counted.no")
    return t("assessment.counted.rating", n=value)


def freeze_controls(user, card: sc_mod.Scorecard) -> None:
    """Admin: freeze the year (with a confirmation), or reopen it (with a reason)."""
    if not policy.can(user, "adjust_assessment"):
        return
    if card.frozen:
        with st.expander(t("assessment.unfreeze.title"), icon=":material/lock_open:"):
            with st.form(P + "unfreeze"):
                reason = st.text_area(t("assessment.unfreeze.reason"), max_chars=adjustments.MAX_REASON,
                                      key=P + "unfreeze_reason")
                if st.form_submit_button(t("assessment.unfreeze.button")):
                    actions.run(lambda: adjustments.unfreeze(user, card.year, reason),
                                done="assessment.unfreeze.done", fields=FIELDS)
        return
    with st.expander(t("assessment.freeze.title"), icon=":material/lock:"):
        st.caption(t("assessment.freeze.help"))
        with st.form(P + "freeze"):
            sure = st.checkbox(t("assessment.freeze.confirm"), key=P + "freeze_sure")
            if st.form_submit_button(t("assessment.freeze.button"), type="primary"):
                if not sure:
                    st.warning(t("assessment.freeze.confirm"))
                else:
                    actions.run(lambda: adjustments.freeze(user, card.year), done="assessment.freeze.done")
