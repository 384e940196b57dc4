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
from ipoverseas.ui.cache import cached
from ipoverseas.ui.links import page_link, record_url
from ipoverseas.ui.service_view import page_offset

P = "assessment_"
FIELDS = ("assessment.override.", "assessment.unfreeze.")
_evidence = cached(evidence_mod.evidence)


def t(key: str, **values) -> str:
    return state.t(f"assessment.{key}", **values)


def points_text(value: float | None) -> str:
    return t("no_data") if value is None else f"{value:g}"


def _change(value: float | None) -> str:
    return t("none") if value is None else f"{value:+g}"


def status_line(card: sc_mod.Scorecard) -> None:
    """Live or frozen, and for a frozen year what today's data would change."""
    if not card.frozen:
        st.caption(t("live", as_of=card.as_of.isoformat() if card.as_of else ""))
        return
    st.info(t("frozen_note", at=localtime.text(card.frozen_at), who=escape(card.frozen_by_name) or "—",
              version=card.rubric.version), icon=":material/lock:")
    if not card.differences:
        st.caption(t("no_differences"))
        return
    items = {i.code: i.name(state.lang()) for i in card.rubric.items}
    centres = {r.sub_centre_id: r.name(state.lang()) for r in card.rows}
    with st.expander(t("differences", n=len(card.differences)), icon=":material/difference:"):
        st.dataframe([{t("col.sub_centre"): centres.get(d.sub_centre_id, str(d.sub_centre_id)),
                       t("col.item"): items.get(d.item, d.item),
                       t("col.frozen"): points_text(d.frozen), t("col.live"): points_text(d.live)}
                      for d in card.differences], hide_index=True, width="stretch")


def network_table(user, card: sc_mod.Scorecard) -> None:
    """Every sub-centre's sections, total, rank and change; each row opens its items."""
    lang = state.lang()
    rows = [{
        t("col.rank"): r.rank, t("col.sub_centre"): r.name(lang),
        "#": record_url("assessment", r.sub_centre_id, year=str(card.year)),
        t("col.total"): r.total, t("col.assessable"): r.assessable, t("col.change"): r.change,
        **{f"{s.name(lang)} ({s.points:g})": r.sections.get(s.code) for s in card.rubric.sections},
        t("col.previous"): r.previous_total, t("col.province"): province(r.province),
    } for r in card.rows]
    st.dataframe(rows, hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 1800), column_config={
        "#": st.column_config.LinkColumn("#", display_text=t("open"), width="small", help=t("open_help")),
        t("col.assessable"): st.column_config.NumberColumn(t("col.assessable"), help=t("assessable_help")),
        t("col.change"): st.column_config.NumberColumn(t("col.change"), format="%+.2f"),
    })
    export_button(card)


def export_button(card: sc_mod.Scorecard) -> None:
    st.download_button(t("export"), data=lambda: scorecard_xlsx(card, state.lang()), key=P + "export",
                       file_name=f"assessment-{card.year}.xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def province(code: str | None) -> str:
    return vocab.PROVINCES.label(code, state.lang()) if code else t("none")


def sub_centre_detail(user, card: sc_mod.Scorecard, row: sc_mod.Row) -> None:
    """One sub-centre's items, section by section: measured, computed, override, points, the
    network median; each item opens its evidence."""
    lang = state.lang()
    a, b, c = st.columns(3)
    own = not policy.sees_all(user, "read_assessment")
    a.metric(t("my_total" if own else "col.total"), f"{row.total:g} / {row.assessable:g}", _change(row.change) if row.change is not None else None,
             border=True, help=t("assessable_help"))
    b.metric(t("my_rank"), f"{row.rank} / {card.network_size}", border=True)
    c.metric(t("median_total"), points_text(card.total_median), border=True)
    for s in card.rubric.sections:
        st.markdown(f"**{escape(s.name(lang))}** · {points_text(row.sections.get(s.code))} / {s.points:g}")
        st.dataframe([{
            "#": record_url("assessment", row.sub_centre_id, year=str(card.year), item=spec.code),
            t("col.item"): spec.name(lang),
            t("col.points"): points_text(row.items[spec.code].points), t("col.max"): spec.points,
            t("col.median"): points_text(card.medians.get(spec.code)),
            t("col.measured"): measured_text(row.items[spec.code], lang),
            t("col.computed"): points_text(row.items[spec.code].computed),
            t("col.override"): points_text(row.items[spec.code].override) if row.items[spec.code].override is not None
            else t("none"),
            t("col.reason"): row.items[spec.code].reason or t("none"),
        } for spec in s.items], hide_index=True, width="stretch", column_config={
            "#": st.column_config.LinkColumn("#", display_text=t("evidence_open"), width="small")})
    if policy.can(user, "adjust_assessment", {"sub_centre_id": row.sub_centre_id}):
        override_form(user, card, row)


def override_form(user, card: sc_mod.Scorecard, row: sc_mod.Row) -> None:
    st.subheader(t("override.title"))
    if card.frozen:
        st.caption(t("override.frozen"))
        return
    lang = state.lang()
    specs = {i.code: i for i in card.rubric.items}
    with st.form(P + f"override_{row.sub_centre_id}", clear_on_submit=True):
        item = st.selectbox(t("override.item"), list(specs), index=None, placeholder=t("pick_item"),
                            format_func=lambda c: f"{specs[c].name(lang)} ({specs[c].points:g})", key=P + "ov_item")
        points = st.number_input(t("override.points"), min_value=0.0, max_value=100.0, step=0.5, value=None,
                                 key=P + "ov_points")
        reason = st.text_area(t("override.reason"), max_chars=adjustments.MAX_REASON, key=P + "ov_reason")
        if st.form_submit_button(t("override.save"), type="primary"):
            actions.run(lambda: adjustments.set_override(user, card.year, row.sub_centre_id, item or "", points, reason),
                        done="assessment.override.saved", fields=FIELDS)
    overridden = [i for i in row.items.values() if i.override is not None]
    for i in overridden:
        with st.expander(f"{specs[i.item].name(lang)} · " + t("override.current", points=f"{i.override:g}",
                                                            reason=i.reason)):
            why = st.text_input(t("override.remove_reason"), key=P + f"rm_reason_{i.item}", max_chars=500)
            if st.button(t("override.remove"), key=P + f"rm_{i.item}"):
                actions.run(lambda code=i.item: adjustments.remove_override(user, card.year, row.sub_centre_id, code,
                                                                            why), done="assessment.override.removed",
                            fields=FIELDS)


def evidence_view(user, card: sc_mod.Scorecard, row: sc_mod.Row, item_code: str) -> None:
    """The records behind one item of one sub-centre, part by part, a page at a time."""
    lang = state.lang()
    spec = card.rubric.item(item_code)
    page_link("assessment", t("back_to_sub_centre", name=escape(row.name(lang))), icon=":material/arrow_back:",
              year=str(card.year), sc=str(row.sub_centre_id))
    if spec is None:
        st.warning(state.t("errors.not_found"))
        return
    score = row.items[item_code]
    st.subheader(t("evidence_title", item=spec.name(lang)))
    st.caption(f"{t('col.points')}: {points_text(score.points)} / {spec.points:g} · {t('col.measured')}: "
               f"{measured_text(score, lang)}" + (f" · {t('col.reason')}: {score.reason}" if score.reason else ""))
    for n, part in enumerate(spec.parts):
        if len(spec.parts) > 1:
            st.markdown("**" + escape(t("part", n=n + 1, measure=t(f"measure.{part.measure}"))) + "**")
        key = P + f"ev_page_{card.year}_{row.sub_centre_id}_{item_code}_{n}"
        first = _evidence(user, card.year, row.sub_centre_id, item_code, n, page=1, lang=lang)
        if first["manual"]:
            st.caption(t("evidence_manual"))
            continue
        st.caption(t("evidence_caption", measure=t(f"measure.{part.measure}"), total=first["total"],
                     counted=_counted_total(first)))
        if not first["total"]:
            st.info(t("evidence_none"))
            continue
        offset = page_offset(first["total"], evidence_mod.PAGE_SIZE, key, caption_key="assessment.evidence_page_of")
        found = first if offset == 0 else _evidence(user, card.year, row.sub_centre_id, item_code, n,
                                                     page=offset // evidence_mod.PAGE_SIZE + 1, lang=lang)
        st.dataframe([{
            "#": record_url(r["page"], r["id"]),
            t("col.date"): r["day"].isoformat() if r["day"] else t("none"),
            t("col.record"): r["label"],
            t("col.counted"): _counted(r["counted"]),
        } for r in found["rows"]], hide_index=True, width="stretch", height=min(38 + 35 * len(found["rows"]), 1800),
            column_config={
            "#": st.column_config.LinkColumn("#", display_text=r"=(\d+)$", width="small")})


def _counted_total(found: dict) -> str:
    if found["measure"] == "mean_rating":
        return f"{found['total']}"
    return f"{found['counted']:g}"


def _counted(value) -> str:
    if isinstance(value, bool):
        return t("counted.yes" if value else "counted.no")
    return t("counted.rating", n=value)


def freeze_controls(user, card: sc_mod.Scorecard) -> None:
    """Admin: freeze the year (with a confirmation), or reopen it (with a reason)."""
    if not policy.can(user, "adjust_assessment"):
        return
    if card.frozen:
        with st.expander(t("unfreeze.title"), icon=":material/lock_open:"):
            with st.form(P + "unfreeze"):
                reason = st.text_area(t("unfreeze.reason"), max_chars=adjustments.MAX_REASON, key=P + "unfreeze_reason")
                if st.form_submit_button(t("unfreeze.button")):
                    actions.run(lambda: adjustments.unfreeze(user, card.year, reason), done="assessment.unfreeze.done",
                                fields=FIELDS)
        return
    with st.expander(t("freeze.title"), icon=":material/lock:"):
        st.caption(t("freeze.help"))
        with st.form(P + "freeze"):
            sure = st.checkbox(t("freeze.confirm"), key=P + "freeze_sure")
            if st.form_submit_button(t("freeze.button"), type="primary"):
                if not sure:
                    st.warning(t("freeze.confirm"))
                else:
                    actions.run(lambda: adjustments.freeze(user, card.year), done="assessment.freeze.done")
