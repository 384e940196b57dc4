"""Administration of accounts: find, create, change role/sub-centre, link an expert, disable, unlock,
reset a password, and create many accounts from an Excel workbook."""

from __future__ import annotations

import hashlib

import streamlit as st

from ipoverseas.core import config, errors, i18n, localtime
from ipoverseas.accounts import users
from ipoverseas.imports import accounts as bulk, report, template
from ipoverseas.access.policy import ROLES
from ipoverseas.ui import actions, state
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.uploader import file_input
from ipoverseas.ui.widgets import t_md, time_header

PAGE = PageSpec(key="admin-users", title_key="nav.admin_users", icon=":material/group:", action="manage_users",
                order=200, section="nav.section.admin")
P = "admin_users_"  # session-key prefix


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("admin.users.title"))
    _flash()
    tab_list, tab_create, tab_bulk = st.tabs([state.t("admin.users.tab_list"), state.t("admin.users.tab_create"),
                                              state.t("admin.users.tab_bulk")])
    with tab_list:
        _list(user)
    with tab_create:
        _create(user)
    with tab_bulk:
        _bulk(user)


def _flash() -> None:
    message = st.session_state.pop(P + "flash", None)
    if message:
        st.success(message)
    secret = st.session_state.pop(P + "secret", None)
    if secret:
        username, password = secret
        st.info(t_md("admin.users.temp_password", username=username, days=config.get("temporary_password_days")),
                icon=":material/key:")
        st.code(password, language=None)


FIELDS = ("admin.users.",)  # the form labels name the fields


def _sub_centre_options() -> dict[str, str]:
    lang = state.lang()
    return {s["code"]: f"{s['code']} · {s['name_en'] if lang == 'en' and s['name_en'] else s['name_zh']}"
            + ("" if s["active"] else f" ({state.t('admin.sub_centres.inactive')})")
            for s in users.list_sub_centres()}


def _list(user) -> None:
    lang = state.lang()  # format_func runs again outside the script: bind the language now
    centres = _sub_centre_options()
    ids = {s["code"]: s["id"] for s in users.list_sub_centres()}
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    text = c1.text_input(state.t("admin.users.search"), key=P + "text", max_chars=100)
    role = c2.selectbox(state.t("login.role"), [None, *ROLES], key=P + "role",
                        format_func=lambda r: i18n.t("admin.all", lang) if r is None else i18n.t(f"role.{r}", lang))
    centre = c3.selectbox(state.t("admin.users.sub_centre"), [None, *centres], key=P + "centre",
                          format_func=lambda c: i18n.t("admin.all", lang) if c is None else centres[c])
    status = c4.selectbox(state.t("admin.users.status"), [None, "active", "disabled", "locked"], key=P + "status",
                          format_func=lambda s: i18n.t("admin.all", lang) if s is None else i18n.t(f"admin.status.{s}", lang))
    size = config.get("page_size")
    page_no = int(st.session_state.get(P + "page", 1))
    rows, total = users.list_users(user, text=text, role=role, sub_centre_id=ids.get(centre) if centre else None,
                                   status=status, offset=(page_no - 1) * size, limit=size)
    pages = max(1, -(-total // size))
    if page_no > pages:
        page_no = 1
        rows, total = users.list_users(user, text=text, role=role, sub_centre_id=ids.get(centre) if centre else None,
                                       status=status, offset=0, limit=size)
    st.caption(state.t("admin.users.count", total=total, page=page_no, pages=pages))
    event = st.dataframe([{
        "#": record_url(PAGE.key, r["id"]), state.t("login.username"): r["username"],
        state.t("admin.users.display_name"): r["display_name"],
        state.t("login.role"): state.t(f"role.{r['role']}"), state.t("admin.users.sub_centre"): r["sub_centre"] or "",
        state.t("admin.users.email"): r["email"] or "",
        state.t("admin.users.status"): _status(r),
        time_header("admin.users.last_login"): localtime.text(r["last_login_at"]) or state.t("admin.users.never"),
    } for r in rows], hide_index=True, width="stretch", key=P + "table", on_select="rerun", selection_mode="single-row",
        column_config={"#": st.column_config.LinkColumn("#", display_text=r"user=(\d+)", width="small",
                                                        help=state.t("admin.users.open_help"))}, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked and 0 <= picked[0] < len(rows):     # one click on a row opens the account
        st.query_params["user"] = str(rows[picked[0]]["id"])
        st.rerun()
    if pages > 1:
        st.number_input(state.t("admin.page"), min_value=1, max_value=pages, step=1, key=P + "page")

    options = {r["id"]: f"{r['username']} · {r['display_name']}" for r in rows}
    wanted = st.query_params.get("user")
    if wanted and wanted.isdigit() and int(wanted) not in options:
        found = users.get_user(user, int(wanted))
        if found:
            options = {int(wanted): f"{found['username']} · {found['display_name']}", **options}
    if not options:
        return
    default = int(wanted) if wanted and wanted.isdigit() and int(wanted) in options else None
    chosen = st.selectbox(i18n.t("admin.users.pick", lang), list(options), format_func=options.get,
                          index=list(options).index(default) if default else None, key=P + "pick",
                          placeholder=i18n.t("admin.users.pick_placeholder", lang))
    if chosen is not None:
        _edit(user, chosen, centres)


def _status(r: dict) -> str:
    parts = [state.t("admin.status.active" if r["active"] else "admin.status.disabled")]
    if r["locked"]:
        parts.append(state.t("admin.status.locked"))
    if r["must_change_password"]:
        parts.append(state.t("admin.status.temporary_expired" if r.get("temporary_expired")
                             else "admin.status.must_change"))
    return " · ".join(parts)


def _edit(admin, user_id: int, centres: dict[str, str]) -> None:
    lang = state.lang()  # format_func runs again outside the script: bind the language now
    target = users.get_user(admin, user_id)
    if target is None:
        st.error(state.t("errors.not_found"))
        return
    st.subheader(t_md("admin.users.edit", username=target["username"]))
    st.caption(state.t("admin.users.open_sessions", count=target["open_sessions"]))
    with st.form(P + "edit_form"):
        c1, c2 = st.columns(2)
        role = c1.selectbox(state.t("login.role"), ROLES, index=ROLES.index(target["role"]),
                            format_func=lambda r: i18n.t(f"role.{r}", lang), key=P + f"edit_role_{user_id}")
        codes = [None, *centres]
        centre = c2.selectbox(state.t("admin.users.sub_centre"), codes,
                              index=codes.index(target["sub_centre"]) if target["sub_centre"] in codes else 0,
                              format_func=lambda c: i18n.t("admin.none", lang) if c is None else centres[c],
                              key=P + f"edit_centre_{user_id}")
        name = c1.text_input(state.t("admin.users.display_name"), value=target["display_name"], max_chars=200,
                             key=P + f"edit_name_{user_id}")
        email = c2.text_input(state.t("admin.users.email"), value=target["email"] or "", max_chars=254,
                              key=P + f"edit_email_{user_id}")
        organisation = c1.text_input(state.t("admin.users.organisation"), value=target["organisation"] or "",
                                     max_chars=200, key=P + f"edit_org_{user_id}")
        st.caption(state.t("admin.users.role_change_note"))
        if st.form_submit_button(state.t("admin.save"), type="primary"):
            ok, ended = actions.attempt(lambda: users.update_user(
                admin, user_id, role=role, sub_centre_code=centre, display_name=name, email=email,
                organisation=organisation), fields=FIELDS)
            if ok:
                st.session_state[P + "flash"] = state.t("admin.users.saved", sessions=ended)
                st.rerun()

    with st.expander(state.t("admin.users.link_expert"), icon=":material/link:"):
        query = st.text_input(state.t("admin.users.expert_search"), key=P + f"expert_q_{user_id}", max_chars=100)
        experts = users.expert_choices(admin, query)
        choice_map = {e["id"]: f"{e['expert_ref']} · {e['name']} · {e['organisation']}" for e in experts}
        if target["expert_id"] and target["expert_id"] not in choice_map:
            choice_map[target["expert_id"]] = f"#{target['expert_id']}"
        keys = [None, *choice_map]
        expert = st.selectbox(state.t("admin.users.expert"), keys,
                              index=keys.index(target["expert_id"]) if target["expert_id"] in keys else 0,
                              format_func=lambda e: i18n.t("admin.none", lang) if e is None else choice_map[e],
                              key=P + f"expert_{user_id}")
        if st.button(state.t("admin.save"), key=P + f"expert_save_{user_id}"):
            _act(lambda: users.link_expert(admin, user_id, expert), "admin.users.expert_linked")

    b1, b2, b3 = st.columns(3)
    if target["active"]:
        if b1.button(state.t("admin.users.disable"), key=P + f"disable_{user_id}", icon=":material/block:"):
            _act(lambda: users.set_active(admin, user_id, False), "admin.users.disabled")
    elif b1.button(state.t("admin.users.enable"), key=P + f"enable_{user_id}", icon=":material/check_circle:"):
        _act(lambda: users.set_active(admin, user_id, True), "admin.users.enabled")
    if b2.button(state.t("admin.users.unlock"), key=P + f"unlock_{user_id}", icon=":material/lock_open:"):
        _act(lambda: users.unlock(admin, user_id), "admin.users.unlocked")
    if b3.button(state.t("admin.users.reset"), key=P + f"reset_{user_id}", icon=":material/key:"):
        ok, password = actions.attempt(lambda: users.reset_password(admin, user_id), fields=FIELDS)
        if ok:
            st.session_state[P + "flash"] = state.t("admin.users.reset_done")
            st.session_state[P + "secret"] = (target["username"], password)
            st.rerun()
    render_history("user", user_id, user=admin)


def _act(fn, message_key: str) -> None:
    """Run an admin action; done: the flash message after the rerun, refused: why."""
    if actions.attempt(fn, fields=FIELDS)[0]:
        st.session_state[P + "flash"] = state.t(message_key)
        st.rerun()


def _create(admin) -> None:
    lang = state.lang()  # format_func runs again outside the script: bind the language now
    centres = _sub_centre_options()
    with st.form(P + "create_form", clear_on_submit=False):
        c1, c2 = st.columns(2)
        username = c1.text_input(state.t("login.username"), key=P + "new_username", max_chars=80)
        name = c2.text_input(state.t("admin.users.display_name"), key=P + "new_name", max_chars=200)
        role = c1.selectbox(i18n.t("login.role", lang), ROLES, format_func=lambda r: i18n.t(f"role.{r}", lang),
                            key=P + "new_role")
        centre = c2.selectbox(state.t("admin.users.sub_centre"), [None, *centres], key=P + "new_centre",
                              format_func=lambda c: i18n.t("admin.none", lang) if c is None else centres[c])
        email = c1.text_input(state.t("admin.users.email"), key=P + "new_email", max_chars=254)
        organisation = c2.text_input(state.t("admin.users.organisation"), key=P + "new_org", max_chars=200)
        st.caption(state.t("admin.users.create_note"))
        submitted = st.form_submit_button(state.t("admin.users.create"), type="primary")
    if submitted:
        ok, created = actions.attempt(lambda: users.create_user(
            admin, username=username, role=role, display_name=name, sub_centre_code=centre,
            organisation=organisation, email=email), fields=FIELDS)
        if ok:
            _, password = created
            st.session_state[P + "flash"] = state.t("admin.users.created", username=username.strip().lower())
            st.session_state[P + "secret"] = (username.strip().lower(), password)
            st.rerun()


def _bulk(admin) -> None:
    """Accounts from a workbook: the upload pipeline's accounts dataset (ipoverseas.imports.accounts)."""
    lang = state.lang()
    st.caption(state.t("admin.bulk.intro"))
    done = st.session_state.get(P + "bulk_done")
    if done:
        st.download_button(state.t("admin.bulk.passwords"), data=done, file_name="new-accounts.xlsx",
                           key=P + "passwords", icon=":material/key:")
    st.download_button(state.t("admin.bulk.template"), data=lambda: template.build("accounts", lang),
                       file_name="accounts-template.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=P + "template", icon=":material/download:")
    upload = file_input("admin.bulk.upload", ["xlsx", "csv"], key=P + "upload")
    if upload is None:
        return
    data = upload.getvalue()
    token = (hashlib.sha256(data).hexdigest(), upload.name)
    held = st.session_state.get(P + "bulk_checked")
    if not held or held[0] != token:  # checked once per file (pre-flight and the sandboxed reader), not per rerun
        with st.spinner(state.t("admin.bulk.checking")):
            try:
                held = (token, bulk.prepare(data, upload.name, admin), None)
            except errors.Refusal as refusal:  # the file as a whole: shown below, at every rerun
                held = (token, None, refusal.with_traceback(None))
        st.session_state[P + "bulk_checked"] = held
    _, checked, refusal = held
    if refusal is not None:
        actions.show_refusal(refusal)
        return
    problems = checked.parsed.problems
    if checked.errors:
        st.error(state.t("admin.bulk.problems", count=len(checked.errors)))
    elif problems:
        st.caption(state.t("admin.bulk.notes", count=len(problems)))
    if problems:
        st.dataframe([{
            state.t("admin.bulk.row"): p.row or "", state.t("admin.bulk.column"): p.column or "",
            state.t("admin.bulk.value"): "" if p.value is None else str(p.value)[:100],
            state.t("admin.bulk.message"): p.message(lang),
        } for p in problems], hide_index=True, width="stretch", placeholder="—")
        st.download_button(state.t("upload.report_download"), data=lambda: report.annotated(checked, lang),
                           file_name=f"problems-{checked.filename.rsplit('.', 1)[0]}.xlsx", key=P + "report",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/report:", on_click="ignore")
    if checked.errors:
        return
    st.success(state.t("admin.bulk.ready", count=len(checked.accounts)))
    st.dataframe([{state.t("admin.bulk.row"): row, state.t("login.username"): a.username,
                   state.t("admin.users.display_name"): a.display_name, state.t("login.role"): state.t(f"role.{a.role}"),
                   state.t("admin.users.sub_centre"): a.sub_centre_code or ""} for row, a in checked.accounts],
                 hide_index=True, width="stretch", placeholder="—")
    if st.button(state.t("admin.bulk.apply", count=len(checked.accounts)), type="primary", key=P + "apply"):
        with st.spinner(state.t("admin.bulk.working")):
            ok, created = actions.attempt(lambda: bulk.create(checked, admin))
        st.session_state.pop(P + "bulk_checked", None)  # refused: the next run checks the file again
        if not ok:
            return
        st.session_state[P + "bulk_done"] = bulk.passwords_workbook(created)
        st.session_state[P + "flash"] = state.t("admin.bulk.done", count=len(created),
                                                days=config.get("temporary_password_days"))
        st.rerun()
