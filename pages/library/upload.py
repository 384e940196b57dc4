"""Upload: template, check, preview, apply; and the import history with rollback."""

from __future__ import annotations

import hashlib

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.core.markdown import escape
from ipoverseas.core import config, localtime
from ipoverseas.imports import datasets, refusals, report, service, template, UploadRefusal
from ipoverseas.ui import actions, sharing_view, state
from ipoverseas.ui.cache import cached
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import parse_id
from ipoverseas.ui.uploader import file_input
from ipoverseas.ui.widgets import t_md, time_header

PAGE = PageSpec(key="upload", title_key="upload.nav", icon=":material/upload_file:", action="import_records",
                order=60, section="nav.section.data")

DATASETS = [name for name, dataset in datasets.DATASETS.items() if dataset.batched]  # a sub-centre's records
SHOW = 200

_sub_centres = cached(service.sub_centres)
_history = cached(service.history)
_history_count = cached(service.history_count)


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("upload.title"))
    st.caption(state.t("upload.intro"))
    upload_tab, history_tab = st.tabs([state.t("upload.tab.upload"), state.t("upload.tab.history")])
    with upload_tab:
        _upload(user)
    with history_tab:
        _history_block(user)


def _upload(user) -> None:
    centres = _sub_centres(user)
    if not centres:
        st.warning(state.t("upload.no_sub_centre"))
        return
    left, right = st.columns(2)
    with left:
        # Options are the shown labels (AppTest formats options outside the script run).
        labels = {state.t(f"upload.dataset.{d}"): d for d in DATASETS}
        dataset = labels[st.radio(state.t("upload.dataset"), list(labels), horizontal=True, key="upload_dataset")]
    with right:
        name = "name_zh" if state.lang() == "zh" else "name_en"
        by_label = {f"{c['code']} · {c[name] or c['name_zh']}": c["id"] for c in centres}
        sub_centre_id = by_label[st.selectbox(state.t("upload.sub_centre"), list(by_label), key="upload_sub_centre",
                                              disabled=not policy.sees_all(user, "import_records"),
                                              placeholder=state.t("upload.sub_centre_placeholder"))]
    lang = state.lang()
    st.download_button(state.t("upload.template_download"), data=template.build(dataset, lang),
                       file_name=f"ipoverseas-{dataset}-template.xlsx", key="upload_template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", on_click="ignore")
    st.caption(state.t("upload.limits", mb=config.get("upload_max_mb"), rows=config.get("upload_max_rows"),
                       chars=config.get("upload_max_cell_chars")))
    uploaded = file_input("upload.file", ["xlsx", "csv"], key=f"upload_file_{dataset}", caption=False)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    token = (hashlib.sha256(data).hexdigest(), uploaded.name, dataset, sub_centre_id)
    done = st.session_state.get("upload_done")
    if done and done[0] == token:
        st.success(done[1])
    held = st.session_state.get("upload_prepared")
    if not held or held[0] != token:
        with st.status(state.t("upload.checking"), expanded=False) as status:
            try:
                held = (token, service.prepare(data, uploaded.name, dataset, user, sub_centre_id), None)
                status.update(label=state.t("upload.checked"), state="complete")
            except UploadRefusal as exc:
                held = (token, None, exc)
                status.update(label=state.t("upload.refused_title"), state="error")
        st.session_state["upload_prepared"] = held
    _, prepared, refusal = held
    if refusal is not None:
        st.error(escape(refusal.message(lang)), icon=":material/block:")
        return
    _problems(prepared, lang)
    _preview(prepared)
    _apply(user, prepared, token)


def _metrics(items) -> None:
    cols = st.columns(len(items))
    for col, (key, value) in zip(cols, items):
        col.metric(state.t(f"upload.metric.{key}"), value, border=True)


def _problems(prepared, lang) -> None:
    parsed = prepared.parsed
    _metrics([("total", parsed.total_rows), ("valid", len(parsed.rows)), ("rejected", len(parsed.rejected))])
    problems = parsed.problems
    if not problems:
        st.success(state.t("upload.no_problems"))
        return
    st.subheader(state.t("upload.problems", count=len(problems)))
    shown = problems[:500]
    st.dataframe([{
        state.t("upload.col.sheet"): p.sheet, state.t("upload.col.row"): p.row,
        state.t("upload.col.column"): p.column or "", state.t("upload.col.value"): "" if p.value is None else str(p.value)[:100],
        state.t("upload.col.level"): state.t(f"upload.severity.{p.severity}"), state.t("upload.col.message"): p.message(lang),
    } for p in shown], hide_index=True, width="stretch", placeholder="—")
    if len(problems) > len(shown):
        st.caption(state.t("upload.problems_shown", shown=len(shown), count=len(problems)))
    st.download_button(state.t("upload.report_download"), data=lambda: report.annotated(prepared, lang),
                       file_name=f"problems-{prepared.filename.rsplit('.', 1)[0]}.xlsx", key="upload_report",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/report:", on_click="ignore")


def _preview(prepared) -> None:
    plan = prepared.plan
    st.subheader(state.t("upload.preview"))
    c = plan.counts
    _metrics([(k, c[k]) for k in ("created", "updated", "unchanged", "rejected", "duplicates", "other_centre")])
    key_label, row_label = state.t("upload.col.key"), state.t("upload.col.row")

    def block(name, count, rows):
        if not count:
            return
        with st.expander(state.t(f"upload.preview.{name}", count=count), expanded=name in ("updated", "rejected")):
            st.dataframe(rows[:SHOW], hide_index=True, width="stretch", placeholder="—")
            if count > SHOW:
                st.caption(state.t("upload.preview.more", shown=SHOW))

    block("created", len(plan.creates), [{row_label: r, key_label: k} for r, k, _ in plan.creates[:SHOW]])
    block("updated", len(plan.updates), [{
        row_label: ch.row, key_label: ch.key,
        state.t("upload.col.changes"): "; ".join(f"{f}: {report._show(a)} → {report._show(b)}" for f, (a, b) in ch.diff.items()),
    } for ch in plan.updates[:SHOW]])
    block("unchanged", len(plan.unchanged), [{row_label: r, key_label: k} for r, k, _ in plan.unchanged[:SHOW]])
    block("rejected", len(plan.rejected), [{row_label: r, key_label: k or ""} for r, k in plan.rejected[:SHOW]])
    block("duplicates", len(plan.duplicates), [{row_label: r, key_label: k, state.t("upload.col.first_row"): f}
                                               for r, k, f in plan.duplicates[:SHOW]])
    block("other_centre", len(plan.other_centre), [{row_label: r, key_label: k, state.t("upload.col.sub_centre"): code}
                                                   for r, k, code in plan.other_centre[:SHOW]])
    sharing_view.possible_duplicates(prepared)   # disputes other sub-centres reported already (issue 17)


def _apply(user, prepared, token) -> None:
    plan = prepared.plan
    if prepared.already_batch and not plan.has_changes:
        st.info(state.t("upload.already", batch=prepared.already_batch))
    if not plan.has_changes:
        st.info(state.t("upload.nothing_to_apply"))
        return
    modes = {state.t(f"upload.mode.{m}"): m for m in (service.ALL_OR_NOTHING, service.SKIP_INVALID)}
    mode = modes[st.radio(state.t("upload.mode"), list(modes), key="upload_mode")]
    blocked = mode == service.ALL_OR_NOTHING and prepared.blocking
    if blocked:
        st.warning(state.t("upload.blocked", rows=prepared.blocking))
    if st.button(state.t("upload.apply"), type="primary", disabled=bool(blocked), key="upload_apply",
                 icon=":material/database_upload:"):
        bar = st.progress(0.0, text=state.t("upload.applying"))
        try:
            result = service.apply(prepared, user, mode=mode,
                                   progress=lambda f: bar.progress(f, text=state.t("upload.applying")))
        except UploadRefusal as exc:
            bar.empty()
            actions.show_refusal(exc)
            st.session_state.pop("upload_prepared", None)
            return
        bar.empty()
        message = (state.t("upload.result.nothing") if result.nothing_to_do else
                   state.t("upload.result.applied", **result.message_args))
        st.session_state["upload_done"] = (token, message)
        st.session_state.pop("upload_prepared", None)
        st.rerun()


def _history_block(user) -> None:
    total = _history_count(user)
    if not total:
        st.info(state.t("upload.history.none"))
        return
    size = config.get("page_size")
    pages = max((total + size - 1) // size, 1)
    page = st.number_input(state.t("upload.history.page"), 1, pages, 1, key="upload_history_page") if pages > 1 else 1
    rows = _history(user, limit=size, offset=(page - 1) * size)
    st.caption(state.t("upload.history.count", count=total))
    lang = state.lang()

    def count(r, name):   # a refused upload wrote nothing: no counts, not zeros
        return "" if r["kind"] == "refusal" else str(r[name])

    event = st.dataframe([{
        state.t("upload.history.batch"): record_url(PAGE.key, r["id"]) if r["kind"] == "batch" else "",
        time_header("upload.history.when"): localtime.text(r["created_at"]),
        state.t("upload.col.sub_centre"): (r["sub_centre_en"] if lang == "en" and r["sub_centre_en"] else r["sub_centre_zh"])
        or "", state.t("upload.dataset"): state.t(f"upload.dataset.{r['dataset']}"),
        state.t("import.filename"): r["filename"], state.t("upload.history.size"): _size(r["size_bytes"]),
        state.t("upload.history.who"): r["username"] or "",
        state.t("upload.history.status"): state.t(f"upload.history.status.{r['status']}"),
        state.t("upload.history.cause"): refusals.summary(r["problems"], r["problem_count"], lang) if r["kind"] == "refusal" else "",
        state.t("upload.metric.created"): count(r, "created_count"), state.t("upload.metric.updated"): count(r, "updated_count"),
        state.t("upload.metric.unchanged"): count(r, "unchanged_count"), state.t("upload.metric.rejected"): count(r, "rejected_count"),
        state.t("upload.history.sha"): (r["sha256"] or "")[:12],
    } for r in rows], hide_index=True, width="stretch", key="upload_history_table", on_select="rerun",
        selection_mode="single-row", column_config={state.t("upload.history.batch"): st.column_config.LinkColumn(
            state.t("upload.history.batch"), display_text=r"batch=(\d+)", width="small",
            help=state.t("upload.history.open_help"))}, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked and 0 <= picked[0] < len(rows) and rows[picked[0]]["kind"] == "batch":   # one click: its history
        st.query_params["batch"] = str(rows[picked[0]]["id"])
        st.rerun()
    _refusal_details([r for r in rows if r["kind"] == "refusal"], lang)
    batches = [r for r in rows if r["kind"] == "batch"]
    wanted = parse_id(st.query_params.get("batch"))     # a link, a row picked, or a bookmark
    listed = [r["id"] for r in batches] + ([wanted] if wanted and wanted not in {r["id"] for r in batches} else [])
    if wanted is not None and st.session_state.get("upload_history_opened") != wanted:
        st.session_state["upload_history_batch"] = st.session_state["upload_history_opened"] = wanted
    shown = st.selectbox(state.t("history.batch_pick"), listed, index=None,
                         key="upload_history_batch", placeholder=state.t("history.batch_placeholder"))
    if shown is not None:  # only the batches listed above: those `user` may see
        render_history("import_batch", shown, user=user, expanded=True)
    done = st.session_state.get("upload_rollback_result")
    if done:
        st.success(done[0])
        if done[1]:
            st.warning(state.t("upload.history.kept", count=len(done[1])))
            st.dataframe([{state.t("upload.col.key"): k["key"], "#": k["id"],
                           state.t("upload.col.message"): state.t(f"upload.history.kept.{k['reason']}")}
                          for k in done[1][:SHOW]], hide_index=True, placeholder="—")
    applied = [r["id"] for r in batches if r["status"] == "applied"]
    if not applied:
        return
    with st.form("upload_rollback_form"):
        batch = st.selectbox(state.t("upload.history.rollback_pick"), applied, key="upload_rollback_batch",
                             placeholder=state.t("upload.history.batch_placeholder"))
        sure = st.checkbox(state.t("upload.history.rollback_confirm"), key="upload_rollback_sure")
        go = st.form_submit_button(state.t("upload.history.rollback"), icon=":material/undo:")
    if go and sure:
        ok, result = actions.attempt(lambda: service.rollback(batch, user))
        if not ok:
            return
        st.session_state["upload_rollback_result"] = (
            state.t("upload.history.rolled_back", batch=batch, removed=result["removed"], restored=result["restored"]),
            result["kept"])
        st.rerun()


def _refusal_details(refused: list[dict], lang: str) -> None:
    """Every stored problem of one refused upload listed above (only those `user` may see)."""
    if not refused:
        return
    labels = {state.t("upload.history.refusal_option", when=localtime.text(r["created_at"]), file=r["filename"]): r
              for r in refused}
    picked = st.selectbox(state.t("upload.history.refusal_pick"), list(labels), index=None,
                          key="upload_history_refusal", placeholder=state.t("upload.history.refusal_placeholder"))
    if picked is None:
        return
    r = labels[picked]
    rows = refusals.problems(r["problems"], lang)
    st.markdown(t_md("upload.history.refusal_detail", file=r["filename"], size=_size(r["size_bytes"]) or "-",
                     sha=(r["sha256"] or "-")[:12], who=r["username"] or "-", when=localtime.text(r["created_at"]),
                     cause=refusals.summary(r["problems"], r["problem_count"], lang)))
    st.dataframe([{
        state.t("upload.col.sheet"): p["sheet"], state.t("upload.col.row"): "" if p["row"] is None else str(p["row"]),
        state.t("upload.col.column"): p["column"], state.t("upload.col.message"): p["message"],
    } for p in rows], hide_index=True, width="stretch", placeholder="—")
    if r["problem_count"] > len(rows):
        st.caption(state.t("upload.history.refusal_more", count=r["problem_count"], shown=len(rows)))


def _size(n: int | None) -> str:
    if not n:
        return ""
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(n / 1024, 0.1):.1f} KB"
