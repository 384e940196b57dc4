"""Transfers (转交): the national centre hands a consultation or a dispute lead to a sub-centre;
the sub-centre accepts it (it becomes, or joins, one of its consultations) or refuses it with a
reason; the admin sends a refused one elsewhere. Admin sees all, staff their sub-centre's; both
see the working days the acceptance took (or has taken so far). One opens with ?transfer=<n>
(`ipoverseas.network.transfers`)."""

from __future__ import annotations

import time

import streamlit as st

from ipoverseas.access import policy
from ipoverseas.accounts import notifications
from ipoverseas.core import config, localtime, vocab
from ipoverseas.core.markdown import escape
from ipoverseas.network import transfers
from ipoverseas.ui import service_view as view
from ipoverseas.ui import state
from ipoverseas.ui.actions import attempt
from ipoverseas.ui.history import render_history
from ipoverseas.ui.links import RECORD_PARAMS, record_link, record_url
from ipoverseas.ui.pages import PageSpec, guard
from ipoverseas.ui.params import parse_id
from ipoverseas.ui.widgets import country, time_header

PAGE = PageSpec(key="transfers", title_key="transfers.nav", icon=":material/move_down:", action="read_transfer",
                order=70, section="nav.section.network")
K = "transfers_"
FIELDS = ("transfers.field.", "service.field.")
SWEEP_SECONDS = 600


def render() -> None:
    user = guard(PAGE)
    st.title(state.t("transfers.title"))
    flash = st.session_state.pop(K + "flash", None)
    if flash:
        st.success(flash)
    chosen = parse_id(st.query_params.get(RECORD_PARAMS[PAGE.key]))
    if chosen is not None:
        _detail(user, chosen)
        return
    _sweep()
    admin = policy.can(user, "transfer_dispute")
    st.caption(state.t("transfers.intro.admin" if admin else "transfers.intro.staff",
                       days=f"{transfers.accept_days():g}"))
    if admin:
        _new_transfer(user)
    _list(user)


def _sweep() -> None:
    """A fallback for a server without the cron job (`notify-transfers`), at most every 10 minutes."""
    last = st.session_state.get(K + "swept")
    if last is None or time.time() - last > SWEEP_SECONDS:
        transfers.notify_overdue()
        st.session_state[K + "swept"] = time.time()


def _centre_name(row: dict, prefix: str = "sub_centre") -> str:
    if state.lang() == "en" and row.get(prefix + "_en"):
        return row[prefix + "_en"]
    return row.get(prefix + "_zh") or row.get(prefix) or "—"


def _state_text(row: dict) -> str:
    """The state in a word or two: an overdue pending one says so instead of "pending"."""
    if row.get("overdue"):
        return state.t("transfers.filter.overdue")
    text = state.t("transfers.state." + row["status"])
    if row["status"] in ("accepted", "refused") and row.get("decided_on_time") is False:
        text += state.t("transfers.flag.late")
    return text


def _days_text(row: dict) -> str:
    used = row.get("used_days")
    if used is None:
        return "—"
    return state.t("transfers.days", used=f"{used:.1f}", limit=f"{row['limit_days']:g}")


def _what(row: dict) -> str:
    if row["kind"] == "consultation":
        return state.t("transfers.kind.consultation_n", id=row["consultation_id"] or "—")
    return state.t("transfers.kind.lead")


def _list(user) -> None:
    counts = transfers.counts(user)
    cols = st.columns(4)
    for col, name in zip(cols, ("pending", "overdue", "accepted", "refused")):
        col.metric(state.t("transfers.filter." + name), counts[name], border=True)
    options = ["all", *transfers.FILTERS]
    only = st.segmented_control(state.t("transfers.show"), options, default="all", key=K + "filter",
                                format_func=lambda f: f"{state.t('transfers.filter.' + f)} ({counts[f]})")
    only = only or "all"
    size = int(config.get("page_size"))
    offset = view.page_offset(counts[only], size, K + "page_" + only)
    rows, total = transfers.list_transfers(user, state=only, limit=size, offset=offset)
    if not rows:
        st.info(state.t("transfers.empty"))
        return
    everyone = policy.sees_all(user, "read_transfer")    # staff: all rows are their own sub-centre's
    table = [{
        "#": record_url(PAGE.key, r["id"]),
        state.t("transfers.field.state"): _state_text(r),
        state.t("transfers.field.kind"): _what(r),
        state.t("transfers.field.company"): r["company"],
        state.t("transfers.field.country"): country(r["country"]),
        **({state.t("transfers.field.sub_centre_id"): _centre_name(r)} if everyone else {}),
        time_header("transfers.field.created_at"): localtime.text(r["created_at"]),
        time_header("transfers.field.due_at"): localtime.text(r["due_at"]) if r["status"] == "pending" else "—",
        state.t("transfers.field.days"): _days_text(r),
        state.t("transfers.field.deadline"): view.day_text(r["enterprise_deadline"]),
    } for r in rows]
    event = st.dataframe(view.highlighted(table, ["overdue" if r["overdue"] else "" for r in rows]),
                         hide_index=True, width="stretch", key=K + "table", on_select="rerun",
                         selection_mode="single-row",
                         column_config={"#": st.column_config.LinkColumn(
                             "#", display_text=r"transfer=(\d+)", width="small",
                             help=state.t("transfers.open_help"))}, placeholder="—")
    picked = event.selection.rows if event is not None else []
    if picked:
        st.query_params[RECORD_PARAMS[PAGE.key]] = str(rows[picked[0]]["id"])
        st.rerun()


def _centre_select(label_key: str, key: str, exclude: int | None = None):
    centres = [c for c in transfers.sub_centres() if c["id"] != exclude]
    lang = state.lang()
    names = {c["id"]: (c["name_en"] if lang == "en" and c["name_en"] else c["name_zh"]) for c in centres}
    return st.selectbox(state.t(label_key) + " *", list(names), index=None, key=key,
                        format_func=lambda i: names.get(i, str(i)), placeholder=state.t("transfers.choose"))


def _new_transfer(user) -> None:
    with st.expander(state.t("transfers.new.title"), icon=":material/forward_to_inbox:"):
        lead_tab, consultation_tab = st.tabs([state.t("transfers.new.lead"), state.t("transfers.new.consultation")])
        with lead_tab, st.form(K + "lead_form"):
            a, b = st.columns(2)
            company = a.text_input(state.t("transfers.field.company") + " *", max_chars=transfers.MAX_LINE,
                                   key=K + "company")
            codes = list(vocab.countries().codes)
            lang = state.lang()
            country_code = b.selectbox(state.t("transfers.field.country") + " *", codes, index=None,
                                       format_func=lambda c: vocab.countries().label(c, lang), key=K + "country",
                                       placeholder=state.t("transfers.choose"))
            description = st.text_area(state.t("transfers.field.description") + " *", key=K + "description",
                                       max_chars=transfers.MAX_TEXT)
            deadline = a.date_input(state.t("transfers.field.deadline"), value=None, min_value=localtime.today(),
                                    key=K + "deadline")
            contact = b.text_input(state.t("transfers.field.contact"), max_chars=transfers.MAX_LINE, key=K + "contact")
            target = _centre_select("transfers.field.sub_centre_id", K + "lead_target")
            note = st.text_area(state.t("transfers.field.note"), key=K + "lead_note", max_chars=transfers.MAX_TEXT)
            if st.form_submit_button(state.t("transfers.new.submit"), type="primary"):
                lead = transfers.Lead(company, country_code, description, deadline, contact)
                _do(lambda: transfers.create(user, sub_centre_id=target, note=note, lead=lead), "transfers.done.created")
        with consultation_tab, st.form(K + "consultation_form"):
            items = transfers.open_consultations(user)
            labels = {c["id"]: f"#{c['id']} · {c['company']} · {_centre_name(c)}" for c in items}
            picked = st.selectbox(state.t("transfers.field.consultation_id") + " *", list(labels), index=None,
                                  format_func=lambda i: labels.get(i, str(i)), key=K + "consultation",
                                  placeholder=state.t("transfers.choose"))
            target = _centre_select("transfers.field.sub_centre_id", K + "consultation_target")
            note = st.text_area(state.t("transfers.field.note"), key=K + "consultation_note",
                                max_chars=transfers.MAX_TEXT)
            if st.form_submit_button(state.t("transfers.new.submit"), type="primary"):
                if picked is None:
                    st.error(state.t("transfers.field.consultation_id") + ": " + state.t("service.error.required"))
                else:
                    _do(lambda: transfers.create(user, sub_centre_id=target, note=note, consultation_id=picked),
                        "transfers.done.created")


def _do(fn, done_key: str) -> None:
    ok, result = attempt(fn, fields=FIELDS)
    if ok:
        st.session_state[K + "flash"] = state.t(done_key, id=result) if result else state.t(done_key, id="")
        st.rerun()


def _clock(item: dict) -> None:
    used, limit = f"{(item['used_days'] or 0):.1f}", f"{item['limit_days']:g}"
    if item["status"] == "pending":
        if item["overdue"]:
            st.error(state.t("transfers.clock.overdue", used=used, limit=limit), icon=":material/timer_off:")
        else:
            st.info(state.t("transfers.clock.running", used=used, limit=limit, due=localtime.text(item["due_at"])),
                    icon=":material/timer:")
    elif item["status"] in ("accepted", "refused"):
        key = "transfers.clock.decided_on_time" if item["decided_on_time"] else "transfers.clock.decided_late"
        st.info(state.t(key, used=used, limit=limit), icon=":material/timer:")


def _detail(user, transfer_id: int) -> None:
    item = transfers.get(user, transfer_id)
    if st.button(state.t("service.back"), key=K + "back", icon=":material/arrow_back:"):
        st.query_params.pop(RECORD_PARAMS[PAGE.key], None)
        st.rerun()
    if item is None:
        st.warning(state.t("errors.not_found"))
        return
    notifications.mark_read_for(user, transfer_id, entity="transfer")
    st.subheader(state.t("transfers.detail.title", id=item["id"]) + (" · " + state.t("common.demo")
                                                                    if item["is_demo"] else ""))
    view.zone_caption()
    st.markdown(f"**{state.t('transfers.field.state')}**: {escape(_state_text(item))}")
    _clock(item)
    left, right = st.columns([3, 2])
    with left:
        facts = [
            (state.t("transfers.field.kind"), _what(item)),
            (state.t("transfers.field.company"), item["company"]),
            (state.t("transfers.field.country"), country(item["country"])),
            (state.t("transfers.field.deadline"), view.day_text(item["enterprise_deadline"])),
            (state.t("transfers.field.contact"), item["contact"] or "—"),
            (state.t("transfers.field.sub_centre_id"), _centre_name(item)),
            (state.t("transfers.field.from_sub_centre"), _centre_name(item, "from_sub_centre")),
            (state.t("transfers.field.created_by"), item["created_by"] or "—"),
            (state.t("transfers.field.created_at"), localtime.text(item["created_at"])),
        ]
        if item["accepted_at"]:
            facts += [(state.t("transfers.field.accepted_by"), item["accepted_by"] or "—"),
                      (state.t("transfers.field.accepted_at"), localtime.text(item["accepted_at"]))]
        if item["refused_at"]:
            facts += [(state.t("transfers.field.refused_by"), item["refused_by"] or "—"),
                      (state.t("transfers.field.refused_at"), localtime.text(item["refused_at"]))]
        if item["withdrawn_at"]:
            facts.append((state.t("transfers.field.withdrawn_at"), localtime.text(item["withdrawn_at"])))
        cols = st.columns(2)
        for i, (name, value) in enumerate(facts):
            cols[i % 2].markdown(f"**{name}**: {escape(value or '—')}")
        st.markdown(f"**{state.t('transfers.field.description')}**")
        st.text(item["description"] or "—")
        if item["note"]:
            st.markdown(f"**{state.t('transfers.field.note')}**")
            st.text(item["note"])
        if item["refusal_reason"]:
            st.markdown(f"**{state.t('transfers.field.refusal_reason')}**")
            st.text(item["refusal_reason"])
        render_history("transfer", item["id"], user=user)
    with right:
        _links(user, item)
        _moves(user, item)


def _links(user, item: dict) -> None:
    if item["result_consultation_id"] and policy.can(user, "triage_consultation"):
        record_link("consultations", item["result_consultation_id"],
                    state.t("transfers.detail.consultation", id=item["result_consultation_id"]),
                    icon=":material/support_agent:")
    if policy.can(user, "transfer_dispute"):   # the chain runs across sub-centres: the admin's view
        if item["previous_id"]:
            record_link(PAGE.key, item["previous_id"], state.t("transfers.detail.previous", id=item["previous_id"]),
                        icon=":material/undo:")
        if item["next_id"]:
            record_link(PAGE.key, item["next_id"], state.t("transfers.detail.next", id=item["next_id"]),
                        icon=":material/redo:")


def _moves(user, item: dict) -> None:
    moves = item["moves"]
    if "accept" in moves:
        st.caption(state.t("transfers.detail.accept_help" if item["kind"] == "lead"
                           else "transfers.detail.accept_help_consultation"))
        if st.button(state.t("transfers.accept"), key=K + "accept", type="primary"):
            _do(lambda: transfers.accept(user, item["id"]), "transfers.done.accepted")
    if "refuse" in moves:
        with st.form(K + "refuse_form"):
            reason = st.text_area(state.t("transfers.field.refusal_reason") + " *", key=K + "reason",
                                  max_chars=transfers.MAX_TEXT)
            if st.form_submit_button(state.t("transfers.refuse")):
                _do(lambda: transfers.refuse(user, item["id"], reason), "transfers.done.refused")
    if "withdraw" in moves and st.button(state.t("transfers.withdraw"), key=K + "withdraw"):
        _do(lambda: transfers.withdraw(user, item["id"]), "transfers.done.withdrawn")
    if "retransfer" in moves:
        st.markdown(f"**{state.t('transfers.retransfer.title')}**")
        with st.form(K + "retransfer_form"):
            target = _centre_select("transfers.field.sub_centre_id", K + "retransfer_target",
                                    exclude=item["sub_centre_id"])
            note = st.text_area(state.t("transfers.field.note"), key=K + "retransfer_note",
                                max_chars=transfers.MAX_TEXT)
            if st.form_submit_button(state.t("transfers.retransfer.submit"), type="primary"):
                _do(lambda: transfers.retransfer(user, item["id"], target, note), "transfers.done.created")
