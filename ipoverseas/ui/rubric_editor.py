"""The rubric tab of the Assessment page: the rubric in force, what each item measures and how it
scores; for the admin, the numbers to tune (a new version on save), the file to download or
replace, and the versions."""

from __future__ import annotations

import json

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.assessment import rubric as rubric_mod
from ipoverseas.core import localtime
from ipoverseas.core.markdown import escape
from ipoverseas.ui import actions, state
from ipoverseas.ui.uploader import file_input

P = "assessment_rubric_"
FIELDS = ("assessment.rubric.",)


def t(key: str, **values) -> str:
    return state.t(f"assessment.{key}", **values)


def scale_text(row: dict) -> str:
    if row["scale"] == "linear":
        return t("scale.linear", floor=f"{row['floor']:g}", target=f"{row['target']:g}")
    if row["scale"] == "steps":
        return t("scale.steps", steps=row["steps"])
    return t("scale.manual")


def _params(params: dict) -> str:
    return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items()) or t("none")


def render(user, rub: rubric_mod.Rubric) -> None:
    lang = state.lang()
    st.markdown("**" + escape(t("rubric.title_version", title=rub.title(lang), version=rub.version)) + "**")
    if rub.note(lang):
        st.caption(rub.note(lang))
    names = {i.code: i.name(lang) for i in rub.items}
    sections = {s.code: s.name(lang) for s in rub.sections}
    rows = rubric_mod.parts_table(rub)
    st.dataframe([{t("col.section"): sections[r["section"]], t("col.item"): names[r["item"]],
                   t("col.part_points"): r["points"], t("col.measure"): t(f"measure.{r['measure']}"),
                   t("col.params"): _params(r["params"]), t("col.scale"): scale_text(r)} for r in rows],
                 hide_index=True, width="stretch")
    if policy.can(user, "manage_rubric"):
        _editor(user, rub, rows, names)


def _editor(user, rub: rubric_mod.Rubric, rows: list[dict], names: dict[str, str]) -> None:
    st.subheader(t("rubric.edit"))
    st.caption(t("rubric.edit_help") + " " + t("rubric.steps_format"))
    table = [{"item": r["item"], "part": r["part"], t("col.item"): names[r["item"]],
              t("col.measure"): t(f"measure.{r['measure']}"), t("col.part_points"): r["points"],
              t("col.floor"): r["floor"], t("col.target"): r["target"], t("col.steps"): r["steps"]} for r in rows]
    edited = st.data_editor(table, hide_index=True, width="stretch", key=P + f"editor_{rub.version}",
                            disabled=["item", "part", t("col.item"), t("col.measure")],
                            column_config={"item": None, "part": None})
    note = st.text_input(t("rubric.note"), max_chars=rubric_mod.MAX_TEXT, key=P + "note")
    if st.button(t("rubric.save"), type="primary", key=P + "save"):
        changes = [{"item": e["item"], "part": e["part"], "points": e[t("col.part_points")],
                    "floor": e[t("col.floor")], "target": e[t("col.target")], "steps": e[t("col.steps")] or ""}
                   for e in edited]
        actions.run(lambda: rubric_mod.save(user, rubric_mod.with_changes(rub.content, changes), note),
                    done="assessment.rubric.saved", fields=FIELDS)
    st.download_button(t("rubric.download"), data=json.dumps(rub.content, ensure_ascii=False, indent=1),
                       file_name=f"assessment_rubric_v{rub.version}.json", mime="application/json",
                       icon=":material/download:", key=P + "download")
    with st.form(P + "upload_form", clear_on_submit=True):
        upload = file_input("assessment.rubric.upload", types=["json"], key=P + "upload",
                            help_key="assessment.rubric.upload_help")
        upload_note = st.text_input(t("rubric.note"), max_chars=rubric_mod.MAX_TEXT, key=P + "upload_note")
        if st.form_submit_button(t("rubric.save")) and upload is not None:
            actions.run(lambda: rubric_mod.save(user, upload.getvalue(), upload_note), done="assessment.rubric.saved",
                        fields=FIELDS)
    with st.expander(t("rubric.versions"), icon=":material/history:"):
        st.dataframe([{t("col.version"): f"v{v['version']}", t("col.note"): v["note"],
                       t("col.when"): localtime.text(v["created_at"])} for v in rubric_mod.history()],
                     hide_index=True, width="stretch")
