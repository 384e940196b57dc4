"""The service pages (Experts, Ask, My consultations, Consultations, My assignments, My profile)
through AppTest: every role sees what it may and nothing else, and each role's journey works."""

import pytest
from sqlalchemy import func, select, update

from ipoverseas.access import policy
from ipoverseas.consultations import queue as consultation_queue, workflow as svc
from ipoverseas.core import db, errors, i18n
from ipoverseas.core.models import Consultation, Expert, User
from ipoverseas.ui.links import record_url
from tests.pages.apptest import run_page, texts

USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}
PAGES = {
    "experts": set(policy.ROLES),
    "ask": {"enterprise", "staff"},
    "my_consultations": {"enterprise"},
    "consultations": {"staff", "admin"},
    "assignments": {"expert"},
    "my_profile": {"expert"},
}
TITLES = {"experts": "service.experts.title", "ask": "service.ask.title", "my_consultations": "service.mine.title",
          "consultations": "service.queue.title", "assignments": "service.inbox.title",
          "my_profile": "service.profile.title"}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", policy.ROLES)
def test_each_page_for_each_role(sqlite_demo_database, principal, page, role):
    at = run_page(page, principal(USERS[role]))
    assert not at.exception
    if role in PAGES[page]:
        assert at.title and at.title[0].value == i18n.t(TITLES[page], "en")
        assert not [w for w in at.warning if w.value == i18n.t("errors.not_allowed", "en")]
    else:
        assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
        assert not at.title


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_render_in_chinese(sqlite_demo_database, principal, page):
    role = sorted(PAGES[page])[0]
    at = run_page(page, principal(USERS[role]), lang="zh")
    assert not at.exception
    assert at.title[0].value == i18n.t(TITLES[page], "zh")


def _count() -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Consultation))


def _button(at, label_key: str):
    label = i18n.t(label_key, "en")
    return next(b for b in at.button if b.label == label)


def test_enterprise_asks_and_sees_self_help_and_the_disclaimer_is_required(sqlite_demo_database, principal):
    ent = principal("enterprise")
    at = run_page("ask", ent)
    at.selectbox(key="ask_country").select("US")
    at.selectbox(key="ask_dispute_type").select("ecommerce")
    at.selectbox(key="ask_stage").select("account_frozen")
    at.text_area(key="ask_question").input("Our Amazon store was frozen by a Schedule A TRO. What now?")
    at.run()
    # Self-help appears before anything is submitted.
    assert i18n.t("service.selfhelp.cases", "en") in texts(at)
    before = _count()
    _button(at, "service.ask.submit").click().run()
    assert not at.exception
    assert any(i18n.t("service.error.disclaimer", "en") in e.value for e in at.error)
    assert _count() == before
    at.checkbox(key="ask_disclaimer").check().run()
    _button(at, "service.ask.submit").click().run()
    assert not at.exception
    assert _count() == before + 1
    with db.read_session() as s:
        newest = s.scalar(select(Consultation).order_by(Consultation.id.desc()))
    assert newest.enterprise_user_id == ent.id and newest.stage == "account_frozen" and newest.disclaimer_accepted
    assert any(f"#{newest.id}" in s.value for s in at.success)


def _other_enterprises_consultation(ent_id: int) -> int:
    with db.read_session() as s:
        return s.scalar(select(Consultation.id).where(Consultation.enterprise_user_id != ent_id,
                                                      Consultation.enterprise_user_id.is_not(None)))


def test_enterprise_cannot_open_another_enterprises_consultation_by_url(sqlite_demo_database, principal):
    ent = principal("enterprise")
    other = _other_enterprises_consultation(ent.id)
    assert other is not None
    at = run_page("my_consultations", ent, query={"id": str(other)})
    assert not at.exception
    assert at.warning[0].value == i18n.t("errors.not_found", "en")
    assert i18n.t("service.thread.title", "en") not in texts(at)
    # Garbage in the URL is "not found"-free: the list shows.
    at = run_page("my_consultations", ent, query={"id": "1 OR 1=1"})
    assert not at.exception and not at.warning


def test_expert_cannot_open_a_consultation_assigned_to_someone_else(sqlite_demo_database, principal):
    expert = principal("expert")
    with db.read_session() as s:
        other = s.scalar(select(Consultation.id).where(Consultation.expert_id != expert.expert_id))
    at = run_page("assignments", expert, query={"id": str(other)})
    assert at.warning[0].value == i18n.t("errors.not_found", "en")


def test_contact_details_only_for_staff_admin_and_the_expert_himself(sqlite_demo_database, principal):
    expert = principal("expert")
    with db.read_session() as s:
        email = s.get(Expert, expert.expert_id).email
    assert email
    for role, shown in (("enterprise", False), ("staff", True), ("admin", True), ("expert", True)):
        at = run_page("experts", principal(USERS[role]), query={"expert": str(expert.expert_id)})
        assert not at.exception
        assert (email in texts(at)) is shown, role


def test_directory_filters_narrow_the_list(sqlite_demo_database, principal):
    def shown(at) -> int:
        return int(next(c.value for c in at.caption if c.value.endswith(" experts")).split()[0])

    at = run_page("experts", principal("enterprise"))
    total = shown(at)
    with db.read_session() as s:
        active = s.scalar(select(func.count()).select_from(Expert).where(Expert.active.is_(True)))
    assert total == active
    at.selectbox(key="experts_f_country").select("JP")
    at.run()
    japan = shown(at)
    assert 0 < japan < total
    at.selectbox(key="experts_f_language").select("ja")
    at.run()
    assert 0 < shown(at) <= japan


def test_the_journey_staff_assign_expert_answers_enterprise_rates(sqlite_demo_database, principal):
    ent, staff, expert = principal("enterprise"), principal("staff"), principal("expert")
    cid = svc.ask(ent, svc.Question(company="宁波示例电器有限公司", country="US", ip_type="patent",
                                    industry="electronics", stage="letter", question="收到美国专利警告函，如何应对？",
                                    disclaimer_accepted=True, sub_centre_id=staff.sub_centre_id))
    # Staff open it from the queue and see the shortlist with reasons; assign the demo expert.
    at = run_page("consultations", staff, query={"id": str(cid)})
    assert not at.exception
    assert i18n.t("service.shortlist.title", "en") in texts(at)
    assign = at.button(key=f"consultations_assign_{expert.expert_id}")
    assign.click().run()
    assert not at.exception
    assert svc.get(staff, cid)["expert_id"] == expert.expert_id
    # The expert accepts and answers.
    at = run_page("assignments", expert, query={"id": str(cid)})
    at.button(key="assignments_accept").click().run()
    assert svc.get(expert, cid)["status"] == "accepted"
    at.text_area(key="assignments_answer").input("## 建议\n\n1. 核对专利权利要求\n<script>alert(1)</script>").run()
    at.button(key="assignments_send").click().run()
    assert not at.exception
    assert svc.get(expert, cid)["status"] == "answered"
    # The enterprise reads the answer (rendered safely) and rates it.
    at = run_page("my_consultations", ent, query={"id": str(cid)})
    assert not at.exception
    rendered = [str(h.proto.body) for h in at.get("html")]
    assert any("<h2>" in h for h in rendered)          # the Markdown answer, rendered
    assert not any("<script>" in h for h in rendered)  # and its raw HTML escaped
    at.radio(key="my-consultations_stars").set_value(4)
    at.text_area(key="my-consultations_comment").input("很及时")
    _button(at, "service.mine.rate_submit").click().run()
    assert not at.exception
    assert svc.get(ent, cid)["rating"] == 4


def test_staff_ask_on_behalf_of_an_enterprise(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("ask", staff)
    with db.read_session() as s:
        ent_id = s.scalar(select(User.id).where(User.username == "enterprise"))
    at.selectbox(key="ask_enterprise").select(ent_id)
    at.text_input(key="ask_company").input("宁波示例电器有限公司")
    at.selectbox(key="ask_country").select("DE")
    at.text_area(key="ask_question").input("展会上收到临时禁令，怎么办？")
    at.checkbox(key="ask_disclaimer").check()
    at.run()
    _button(at, "service.ask.submit").click().run()
    assert not at.exception
    with db.read_session() as s:
        newest = s.scalar(select(Consultation).order_by(Consultation.id.desc()))
    assert newest.enterprise_user_id == ent_id and newest.created_by_id == staff.id
    assert newest.sub_centre_id == staff.sub_centre_id


def test_expert_edits_own_capacity_on_my_profile(sqlite_demo_database, principal):
    expert = principal("expert")
    at = run_page("my_profile", expert)
    at.number_input(key="my-profile_edit_cap").set_value(9)
    _button(at, "service.experts.save").click().run()
    assert not at.exception
    with db.read_session() as s:
        assert s.get(Expert, expert.expert_id).capacity_per_month == 9


def test_staff_see_compliance_tab(sqlite_demo_database, principal):
    at = run_page("consultations", principal("staff"))
    assert not at.exception
    assert i18n.t("service.compliance.on_time", "en") in texts(at)


def test_compliance_component_per_expert_for_admin(sqlite_demo_database, principal):
    at = run_page("consultations", principal("admin"))
    at.segmented_control(key="consultations_compliance_by").set_value("expert").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe]
    assert any(i18n.t("service.compliance.by_expert", "en") in t.columns for t in tables)
    # Staff of one sub-centre see only their own sub-centre's row.
    at = run_page("consultations", principal("staff"))
    table = next(df.value for df in at.dataframe if i18n.t("service.compliance.on_time", "en") in df.value.columns)
    assert list(table[i18n.t("service.compliance.by_sub_centre", "en")]) == ["Zhejiang sub-centre"]


def test_staff_detail_shows_the_records_audit_history(sqlite_demo_database, principal):
    staff = principal("staff")
    cid = svc.ask(principal("enterprise"), svc.Question(company="宁波示例电器有限公司", country="US", question="Q",
                                                        disclaimer_accepted=True, sub_centre_id=staff.sub_centre_id))
    at = run_page("consultations", staff, query={"id": str(cid)})
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert i18n.t("history.title", "en", count=1) in labels      # the audit trail of this record: its question


def test_queue_pages_and_filters_in_sql(sqlite_demo_database, principal, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_PAGE_SIZE", "3")
    admin = principal("admin")
    counts = consultation_queue.queue_counts(admin)
    at = run_page("consultations", admin)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[i18n.t("service.queue.open", "en")] == str(counts["open"])
    assert metrics[i18n.t("service.queue.overdue", "en")] == str(counts["overdue"])
    queue = next(df.value for df in at.dataframe if "#" in df.value.columns)
    assert len(queue) == min(3, counts["open"])
    if counts["open"] > 3:
        at.number_input(key="consultations_page_all").set_value(2).run()
        assert not at.exception
        second = next(df.value for df in at.dataframe if "#" in df.value.columns)
        assert list(second["#"]) == [record_url("consultations", r["id"])
                                     for r in consultation_queue.queue(admin, limit=3, offset=3)[0]]
    at.segmented_control(key="consultations_filter").set_value("overdue").run()
    assert not at.exception


@pytest.mark.parametrize("refusal", [errors.Stale("service.error.changed_meanwhile"),
                                     errors.NotNow("service.error.not_now", action="accept", status="accepted")])
def test_an_action_that_lost_a_race_says_reload_instead_of_a_traceback(sqlite_demo_database, principal, monkeypatch,
                                                                       refusal):
    ent, staff, expert = principal("enterprise"), principal("staff"), principal("expert")
    cid = svc.ask(ent, svc.Question(company="Co", country="US", question="Q", disclaimer_accepted=True,
                                    sub_centre_id=staff.sub_centre_id))
    svc.assign(staff, cid, expert.expert_id)
    at = run_page("assignments", expert, query={"id": str(cid)})

    def refused(*_args):
        raise refusal

    monkeypatch.setattr(svc, "accept", refused)
    at.button(key="assignments_accept").click().run()
    assert not at.exception
    assert i18n.t(refusal.key, "en") in [m.value for m in [*at.warning, *at.error]]


def test_the_page_names_the_deadline_as_due_never_a_time_already_past(sqlite_demo_database, principal, monkeypatch):
    """The "two meanings of due" bug: asked on Wednesday 25 November 2026 at 00:00 Beijing time with
    a 3-working-day promise, the consultation is, on Saturday at noon, at risk and due on Monday
    30 November at 00:00 (the last moment still on time), not on the Saturday 00:00 already past."""
    import re
    from datetime import datetime

    from ipoverseas.consultations import calendar
    from ipoverseas.core.models import ConsultationEvent

    ent, staff = principal("enterprise"), principal("staff")
    cid = svc.ask(ent, svc.Question(company="Co", country="US", question="Q", disclaimer_accepted=True,
                                    sub_centre_id=staff.sub_centre_id))
    wednesday = calendar.from_local(datetime(2026, 11, 25, 0, 0))
    with db.write_session() as s:
        s.execute(update(ConsultationEvent).where(ConsultationEvent.consultation_id == cid).values(at=wednesday))
        c = s.get(Consultation, cid)
        c.created_at = wednesday
    saturday_noon = calendar.from_local(datetime(2026, 11, 28, 12, 0))
    monkeypatch.setattr(svc, "utcnow", lambda: saturday_noon)
    for page, user in (("my_consultations", ent), ("consultations", staff)):
        at = run_page(page, user, query={"id": str(cid)})
        assert not at.exception
        (shown,) = [w.value for w in at.warning if w.value.startswith("At risk")]
        assert "due by 2026-11-30 00:00 (Beijing time)" in shown, shown
        assert not at.error                                     # not overdue
        named = [datetime.strptime(t, "%Y-%m-%d %H:%M") for t in re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown)]
        assert named and all(t >= calendar.to_local(saturday_noon) for t in named)


# Each page's control for a move: (the kind of widget, its key).
CONTROLS = {
    "assignments": {"accept": ("button", "assignments_accept"), "decline": ("button", "assignments_decline"),
                    "answer": ("button", "assignments_send"), "request_info": ("button", "assignments_waiting"),
                    "resume": ("button", "assignments_resume"), "note": ("text_area", "assignments_note")},
    "my_consultations": {"follow_up": ("text_area", "my-consultations_message"),
                         "rate": ("radio", "my-consultations_stars"),
                         "close": ("button", "my-consultations_close")},
    "consultations": {"resume": ("button", "consultations_resume"), "close": ("button", "consultations_close"),
                      "record_outcome": ("selectbox", "consultations_outcome"),
                      "staff_note": ("text_area", "consultations_note"),
                      "follow_up": ("text_area", "consultations_message"),
                      "assign": ("toggle", "consultations_more")},            # the shortlist, also to reassign
}


@pytest.mark.parametrize("steps", [[], ["assign"], ["assign", "accept"], ["assign", "accept", "wait"],
                                   ["assign", "answer"], ["assign", "answer", "close"]])
def test_the_pages_show_the_moves_the_state_machine_allows(sqlite_demo_database, principal, steps):
    """The pages ask `states.actions`: each shows the control of every move the user may make
    now, and none of the others (the note box gives way to the answer box while one may answer)."""
    from ipoverseas.consultations import states

    ent, staff, expert = principal("enterprise"), principal("staff"), principal("expert")
    cid = svc.ask(staff, svc.Question(company="Co", country="US", question="Q", disclaimer_accepted=True,
                                      enterprise_user_id=ent.id))          # staff asked on the enterprise's behalf
    run = {"assign": lambda: svc.assign(staff, cid, expert.expert_id), "accept": lambda: svc.accept(expert, cid),
           "wait": lambda: svc.set_waiting(expert, cid, "More?"), "answer": lambda: svc.answer(expert, cid, "A."),
           "close": lambda: svc.close(ent, cid)}
    for step in steps:
        run[step]()
    for page, user in (("assignments", expert), ("my_consultations", ent), ("consultations", staff)):
        moves = states.actions(user, svc.get(user, cid))
        expected = {"assign" if m == "reassign" else m for m in moves} & set(CONTROLS[page])
        if page == "assignments" and "answer" in moves:
            expected.discard("note")
        at = run_page(page, user, query={"id": str(cid)})
        assert not at.exception
        shown = {m for m, (kind, key) in CONTROLS[page].items() if any(w.key == key for w in getattr(at, kind))}
        assert shown == expected, (page, steps, moves)


def _answered(principal, *, follow_up: bool = False) -> int:
    ent, staff, expert = principal("enterprise"), principal("staff"), principal("expert")
    cid = svc.ask(ent, svc.Question(company="Co", country="US", question="Q", disclaimer_accepted=True,
                                    sub_centre_id=staff.sub_centre_id))
    svc.assign(staff, cid, expert.expert_id)
    svc.answer(expert, cid, "| a | b |\n|---|---|\n| 1 | 2 |")
    if follow_up:
        svc.post_message(ent, cid, "And the costs?", "followup")
    return cid


def test_a_follow_up_keeps_the_rating_form_which_starts_empty(sqlite_demo_database, principal):
    ent = principal("enterprise")
    cid = _answered(principal, follow_up=True)
    assert svc.get(ent, cid)["status"] == "accepted"       # the follow-up went back to the expert
    at = run_page("my_consultations", ent, query={"consultation": str(cid)})
    assert not at.exception
    stars = at.radio(key="my-consultations_stars")
    assert stars.value is None                              # no preset 5
    _button(at, "service.mine.rate_submit").click().run()
    assert any(i18n.t("service.error.rating_missing", "en") in e.value for e in at.error)
    assert svc.get(ent, cid)["rating"] is None
    at.radio(key="my-consultations_stars").set_value(3)
    _button(at, "service.mine.rate_submit").click().run()
    assert not at.exception and svc.get(ent, cid)["rating"] == 3


def test_closing_with_an_open_follow_up_asks_first(sqlite_demo_database, principal):
    ent = principal("enterprise")
    cid = _answered(principal, follow_up=True)
    at = run_page("my_consultations", ent, query={"consultation": str(cid)})
    warning = i18n.t("service.mine.close_unanswered.followup", "en")
    assert any(w.value == warning for w in at.warning)
    confirm = at.button(key="my-consultations_close")
    assert confirm.label == i18n.t("service.mine.close_confirm", "en")
    confirm.click().run()
    assert svc.get(ent, cid)["status"] == "closed"
    # With nothing unanswered, closing is one plain button and no warning.
    done = _answered(principal)
    at = run_page("my_consultations", ent, query={"consultation": str(done)})
    assert not any(w.value == warning for w in at.warning)
    assert at.button(key="my-consultations_close").label == i18n.t("service.mine.close", "en")


@pytest.mark.parametrize("page,role", [("my_consultations", "enterprise"), ("consultations", "staff"),
                                       ("assignments", "expert")])
def test_each_list_links_every_row_to_its_consultation(sqlite_demo_database, principal, page, role):
    user = principal(role)
    cid = _answered(principal)
    at = run_page(page, user)
    assert not at.exception
    table = next(df for df in at.dataframe if "#" in df.value.columns)
    key = {"my_consultations": "my-consultations"}.get(page, page)
    links = list(table.value["#"])
    assert links and all(link.startswith(f"{key}?consultation=") for link in links)
    assert '"LinkColumn"' in table.proto.columns or "link" in table.proto.columns.lower()
    assert not [b for b in at.button if b.label == i18n.t("service.open_button", "en")]   # no picker
    if page != "consultations":
        assert record_url(key, cid) in links
    # The URL opens it; an unknown or garbage id shows "not found", never a crash.
    opened = run_page(page, user, query={"consultation": str(cid)})
    assert not opened.exception
    assert opened.subheader[0].value == i18n.t("service.detail.title", "en", id=cid)
    for bad in ("999999", "x"):
        other = run_page(page, user, query={"consultation": bad})
        assert not other.exception
        if bad == "999999":
            assert other.warning[0].value == i18n.t("errors.not_found", "en")


def test_no_none_or_english_on_the_chinese_service_pages(sqlite_demo_database, principal):
    cid = _answered(principal)
    for page, role in (("assignments", "expert"), ("consultations", "staff"), ("my_consultations", "enterprise")):
        for query in ({}, {"consultation": str(cid)}):
            at = run_page(page, principal(role), lang="zh", query=query)
            assert not at.exception
            shown = texts(at) + " ".join(df.value.astype(str).to_csv() for df in at.dataframe)
            assert "None" not in shown, (page, query)
            assert "北京时间" in shown
            placeholders = [getattr(w.proto, "placeholder", "") for w in list(at.selectbox) + list(at.multiselect)]
            assert not [p for p in placeholders if "Choose" in p], (page, placeholders)
    label = i18n.t("service.queue.note", "zh")
    assert "内部" not in label and "企业可见" in label


def test_the_expert_page_says_answering_accepts(sqlite_demo_database, principal):
    ent, staff, expert = principal("enterprise"), principal("staff"), principal("expert")
    cid = svc.ask(ent, svc.Question(company="Co", country="US", question="Q", disclaimer_accepted=True,
                                    sub_centre_id=staff.sub_centre_id))
    svc.assign(staff, cid, expert.expert_id)
    at = run_page("assignments", expert, query={"consultation": str(cid)})
    assert any(i.value == i18n.t("service.inbox.answer_accepts", "en") for i in at.info)
    svc.accept(expert, cid)
    at = run_page("assignments", expert, query={"consultation": str(cid)})
    assert not any(i.value == i18n.t("service.inbox.answer_accepts", "en") for i in at.info)


def test_the_ask_page_clock_counts_from_the_stated_event(sqlite_demo_database, principal):
    at = run_page("ask", principal("enterprise"))
    at.selectbox(key="ask_country").select("US")
    at.selectbox(key="ask_dispute_type").select("itc_337")
    at.selectbox(key="ask_stage").select("letter").run()
    assert not at.exception
    shown = texts(at)
    assert "no deadlines are shown" in shown and "days left" not in shown and "due today" not in shown
    assert not [d for d in at.date_input if d.key == "ask_event_date"]
    at.selectbox(key="ask_stage").select("sued").run()
    assert "days left" not in texts(at)                    # no date given yet: no clock
    from ipoverseas.core import localtime
    served = localtime.today().replace(day=1)
    at.date_input(key="ask_event_date").set_value(served).run()
    assert f"({served.isoformat()}, the date you gave)" in texts(at)


def test_times_are_beijing_dates(sqlite_demo_database, principal):
    from datetime import datetime
    ent = principal("enterprise")
    cid = _answered(principal)
    with db.write_session() as s:
        s.get(Consultation, cid).created_at = datetime(2026, 12, 2, 18, 18)     # UTC
    at = run_page("my_consultations", ent, query={"consultation": str(cid)})
    assert "2026-12-03 02:18" in texts(at) and "2026-12-02" not in texts(at)
    assert "Beijing time" in texts(at)


def test_the_ask_form_starts_from_the_company_profiles_industry(sqlite_demo_database, principal):
    """An enterprise whose profile names one industry finds it chosen; with none or two, nothing is."""
    from ipoverseas.sharing import profile
    ent = principal("enterprise")
    assert run_page("ask", ent).selectbox(key="ask_industry").value is None
    profile.save(ent, ["textiles"], ["US"])
    assert run_page("ask", ent).selectbox(key="ask_industry").value == "textiles"
    profile.save(ent, ["textiles", "auto"], ["US"])
    assert run_page("ask", ent).selectbox(key="ask_industry").value is None
    assert run_page("ask", principal("staff")).selectbox(key="ask_industry").value is None
