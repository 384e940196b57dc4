"""The rubric tab of the Assessment page: the rubric in force, what each item measures and how it
scores; for the admin, the numbers to tune (a new version on save), the file to download or
replace, and the versions."""

from __future__ import annotations

import json

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.assessment import rubric as rubric_mod
from ipoverseas.core import localtime, vocab
from ipoverseas.network import duties
from ipoverseas.core.markdown import escape
from ipoverseas.ui import actions, state
from ipoverseas.ui.state import t
from ipoverseas.ui.uploader import file_input

P = "assessment_rubric_"
FIELDS = ("assessment.rubric.",)



def scale_text(row: dict) -> str:
    if row["scale"] == "linear":
        return t("assessment.scale.linear", floor=f"{row['floor']:g}", target=f"{row['target']:g}")
    if row["scale"] == "steps":
        return t("assessment.scale.steps", steps=row["steps"])
    return t("assessment.scale.manual")


def _params(params: dict, duty_names: dict[str, str]) -> str:
    """A part's parameters in words: duty types and activity kinds by name, days as days."""
    out = []
    for key, value in params.items():
        if key == "duty_types":
            out.append(t("assessment.param.duty_types", names="、".join(duty_names.get(v, v) for v in value)))
        elif key == "kinds":
            kinds = (vocab.ACTIVITY_KINDS.label(v, state.lang()) for v in value)
            out.append(t("assessment.param.kinds", names="、".join(kinds)))
        elif key == "within_days":
            out.append(t("assessment.param.within_days", n=f"{value:g}"))
        else:
            out.append(f"{key}: {value}")
    return "; ".join(out) or t("assessment.none")


def render(user, rub: rubric_mod.Rubric) -> None:
    lang = state.lang()
    st.markdown("**" + escape(t("assessment.rubric.title_version", title=rub.title(lang), version=rub.version)) + "**")
    if rub.note(lang):
        st.caption(escape(rub.note(lang)))
    names = {i.code: i.name(lang) for i in rub.items}
    sections = {s.code: s.name(lang) for s in rub.sections}
    rows = rubric_mod.parts_table(rub)
    duty_names = {d["code"]: d["name_en" if lang == "en" else "name_zh"] or d["name_zh"] for d in duties.duty_types()}
    st.dataframe([{t("assessment.col.section"): sections[r["section"]], t("assessment.col.item"): names[r["item"]],
                   t("assessment.col.part_points"): r["points"],
                   t("assessment.col.measure"): t(f"assessment.measure.{r['measure']}"),
                   t("assessment.col.params"): _params(r["params"], duty_names),
                   t("assessment.col.scale"): scale_text(r)} for r in rows],
                 hide_index=True, width="stretch", height=38 + 35 * len(rows), placeholder="—")
    if policy.can(user, "manage_rubric"):
        _editor(user, rub, rows, names)


def _editor(user, rub: rubric_mod.Rubric, rows: list[dict], names: dict[str, str]) -> None:
    st.subheader(t("assessment.rubric.edit"))
    st.caption(t("assessment.rubric.edit_help") + " " + t("assessment.rubric.steps_format"))
    changes = []
    for kind, columns in (("linear", ("floor", "target")), ("steps", ("steps",)), ("manual", ())):
        group = [r for r in rows if r["scale"] == kind]
        if not group:
            continue
        st.caption(t(f"assessment.rubric.group.{kind}"))
        table = [{"item": r["item"], "part": r["part"], t("assessment.col.item"): names[r["item"]],
                  t("assessment.col.measure"): t(f"assessment.measure.{r['measure']}"),
                  t("assessment.col.part_points"): r["points"],
                  **{t(f"assessment.col.{c}"): r[c] for c in columns}} for r in group]
        edited = st.data_editor(table, hide_index=True, width="stretch", key=P + f"editor_{kind}_{rub.version}",
                                disabled=["item", "part", t("assessment.col.item"), t("assessment.col.measure")],
                                placeholder="—",
                                column_config={"item": None, "part": None})
        changes += [{"item": e["item"], "part": e["part"], "points": e[t("assessment.col.part_points")],
                     **{c: e[t(f"assessment.col.{c}")] for c in columns}} for e in edited]
    note = st.text_input(t("assessment.rubric.note"), max_chars=rubric_mod.MAX_TEXT, key=P + "note")
    if st.button(t("assessment.rubric.save"), type="primary", key=P + "save"):
        actions.run(lambda: rubric_mod.save(user, rubric_mod.with_changes(rub.content, changes), note),
                    done="assessment.rubric.saved", fields=FIELDS)
    st.download_button(t("assessment.rubric.download"), data=json.dumps(rub.content, ensure_ascii=False, indent=1),
                       file_name=f"assessment_rubric_v{rub.version}.json", mime="application/json",
                       icon=":material/download:", key=P + "download")
    with st.form(P + "upload_form", clear_on_submit=True):
        upload = file_input("assessment.rubric.upload", types=["json"], key=P + "upload",
                            help_key="assessment.rubric.upload_help")
        upload_note = st.text_input(t("assessment.rubric.note"), max_chars=rubric_mod.MAX_TEXT, key=P + "upload_note")
        if st.form_submit_button(t("assessment.rubric.save")) and upload is not None:
            actions.run(lambda: rubric_mod.save(user, upload.getvalue(), upload_note), done="assessment.rubric.saved",
                        fields=FIELDS)
    with st.expander(t("assessment.rubric.versions"), icon=":material/history:"):
        st.dataframe([{t("assessment.col.version"): f"v{v['version']}", t("assessment.col.note"): v["note"],
                       t("assessment.col.when"): localtime.text(v["created_at"])} for v in rubric_mod.history()],
                     hide_index=True, width="stretch", placeholder="—")
