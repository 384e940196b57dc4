"""The consultation workflow on SQLite and PostgreSQL: ask, triage, assign, answer, follow up;
permissions, the clock, compliance and notifications."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from ipoverseas.core import errors
from ipoverseas.consultations import calendar, compliance, queue as consultation_queue, sweep, workflow as svc
from ipoverseas.core import db
from ipoverseas.accounts import notifications
from ipoverseas.core.models import AuditEvent, Case, Consultation, ConsultationEvent, Notification
from tests.consultations.helpers import add_case, build_world


@pytest.fixture
def world(database):
    return build_world()


def _question(**values) -> svc.Question:
    base = dict(company="Ningbo A Ltd", contact="Ms Wang, 0574-1", country="US", ip_type="patent",
                industry="electronics", dispute_type="litigation", stage="sued", opposing_party="ACME Lighting Corp",
                deadline=date.today() + timedelta(days=20), question="We were sued in Texas. What now?",
                disclaimer_accepted=True, sub_centre_id=None)
    base.update(values)
    return svc.Question(**base)


def _count(model) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_bad_question_writes_nothing_and_names_every_problem(world):
    ent = world.p("ent_a")
    with pytest.raises(errors.Invalid) as err:
        svc.ask(ent, _question(company=" ", country="Atlantis", disclaimer_accepted=False,
                               deadline=date.today() - timedelta(days=1)))
    fields = {f for f, _, _ in err.value.problems}
    assert fields == {"company", "country", "disclaimer", "deadline"}
    assert _count(Consultation) == 0 and _count(ConsultationEvent) == 0


def test_the_whole_journey(world):
    ent, staff, exp = world.p("ent_a"), world.p("staff_zj"), world.p("exp_best")
    cid = svc.ask(ent, _question(sub_centre_id=world.zj))
    # The sub-centre's staff are told, and see it in their queue; the other sub-centre does not.
    assert notifications.unread_count(staff) == 1
    queue, total = consultation_queue.queue(staff)
    assert [i["id"] for i in queue] == [cid] and total == 1
    assert consultation_queue.queue(world.p("staff_gd"))[1] == 0
    assert consultation_queue.queue(world.p("admin"))[1] == 1

    shortlist = svc.shortlist_for(staff, cid)
    ids = [c.expert_id for c in shortlist]
    assert ids[0] == world.experts["best"]
    assert world.experts["conflicted"] not in ids          # linked to ACME Lighting Corp.
    assert any(key == "service.why.country_yes" for key, _ in shortlist[0].reasons)

    svc.assign(staff, cid, world.experts["best"])
    assert notifications.unread_count(exp) == 1
    with pytest.raises(errors.Denied):
        svc.accept(world.p("exp_partial"), cid)
    svc.accept(exp, cid)
    svc.set_waiting(exp, cid, "Please send the complaint.")
    assert svc.get(ent, cid)["clock"].paused
    svc.post_message(ent, cid, "Attached the complaint text: ...")
    assert svc.get(ent, cid)["status"] == "accepted"
    svc.answer(exp, cid, "**First** steps: file an answer within 21 days.")
    got = svc.get(ent, cid)
    assert got["status"] == "answered" and got["clock"].answered and got["clock"].on_time
    assert notifications.unread_count(ent) >= 2          # waiting + answered

    # A follow-up question puts it back to the expert, who answers again.
    svc.post_message(ent, cid, "And if we settle?")
    assert svc.get(ent, cid)["status"] == "accepted"
    svc.answer(exp, cid, "Then ...")
    svc.rate(ent, cid, 5, "Clear and fast")
    svc.close(ent, cid)
    case_id = svc.record_followup(staff, cid, "settled", "1,200,000", create_draft_case=True)
    got = svc.get(staff, cid)
    assert got["status"] == "closed" and got["rating"] == 5 and got["followup_outcome"] == "settled"
    assert str(got["loss_avoided_cny"]).startswith("1200000")
    with db.read_session() as s:
        case = s.get(Case, case_id)
        assert case.review_status == "submitted" and case.case_ref == f"CONS-{cid}"
        assert case.country == "US" and case.outcome == "settled" and case.chinese_party == "Ningbo A Ltd"
        assert case.party_confidential
        statuses = [e.to_status for e in s.scalars(select(ConsultationEvent).where(
            ConsultationEvent.consultation_id == cid).order_by(ConsultationEvent.id))]
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "consultation")))
    assert statuses == ["new", "assigned", "accepted", "waiting", "accepted", "answered", "accepted",
                        "answered", "closed"]
    assert {"consultation.ask", "consultation.assign", "consultation.accept", "consultation.waiting",
            "consultation.answer", "consultation.rate", "consultation.close", "consultation.followup"} <= actions


def test_enterprise_b_never_sees_a_consultation_of_a(world):
    cid = svc.ask(world.p("ent_a"), _question())
    b = world.p("ent_b")
    assert svc.get(b, cid) is None
    assert svc.list_for(b)[1] == 0
    for action in (lambda: svc.rate(b, cid, 5), lambda: svc.close(b, cid),
                   lambda: svc.post_message(b, cid, "hello")):
        with pytest.raises(errors.Denied):
            action()
    assert svc.list_for(world.p("ent_a"))[1] == 1


def test_an_expert_sees_only_their_own_assignments(world):
    staff = world.p("staff_zj")
    cid = svc.ask(world.p("ent_a"), _question(sub_centre_id=world.zj))
    other = svc.ask(world.p("ent_b"), _question(company="Shenzhen B Ltd", sub_centre_id=world.zj))
    svc.assign(staff, cid, world.experts["best"])
    best, partial = world.p("exp_best"), world.p("exp_partial")
    assert [r["id"] for r in svc.list_for(best)[0]] == [cid]
    assert svc.list_for(partial)[1] == 0
    assert svc.get(partial, cid) is None and svc.get(best, other) is None
    with pytest.raises(errors.Denied):
        svc.answer(partial, cid, "not mine")
    with pytest.raises(errors.Denied):
        consultation_queue.queue(best)


def test_staff_of_another_sub_centre_cannot_assign(world):
    cid = svc.ask(world.p("ent_a"), _question(sub_centre_id=world.zj))
    with pytest.raises(errors.Denied):
        svc.assign(world.p("staff_gd"), cid, world.experts["best"])
    with pytest.raises(errors.Denied):
        svc.shortlist_for(world.p("staff_gd"), cid)


def test_decline_returns_it_to_the_queue_and_keeps_the_decliner_off_the_list(world):
    staff, exp = world.p("staff_zj"), world.p("exp_best")
    cid = svc.ask(world.p("ent_a"), _question(sub_centre_id=world.zj))
    svc.assign(staff, cid, world.experts["best"])
    with pytest.raises(errors.Invalid):
        svc.decline(exp, cid, "  ")
    svc.decline(exp, cid, "Conflict of schedule: in trial all week")
    got = svc.get(staff, cid)
    assert got["status"] == "new" and got["expert_id"] is None
    assert world.experts["best"] not in [c.expert_id for c in svc.shortlist_for(staff, cid)]
    with pytest.raises(errors.Invalid) as refused:       # sent directly: refused as not eligible
        svc.assign(staff, cid, world.experts["best"])
    assert refused.value.problems == [("expert", "service.error.expert_not_eligible", {})]
    svc.assign(staff, cid, world.experts["partial"])
    assert svc.get(staff, cid)["expert_id"] == world.experts["partial"]
    with db.read_session() as s:
        kinds = list(s.scalars(select(Notification.kind).where(Notification.user_id == staff.id)))
    assert "declined" in kinds


def test_reassignment_only_after_three_working_days_without_acceptance(world):
    staff = world.p("staff_zj")
    cid = svc.ask(world.p("ent_a"), _question(sub_centre_id=world.zj))
    svc.assign(staff, cid, world.experts["best"])
    with pytest.raises(errors.NotNow):
        svc.assign(staff, cid, world.experts["partial"])
    # Assigned on Monday 23 Nov 2026 09:00 China time; Thursday 26 Nov 09:00 is 3 working days later.
    monday = calendar.from_local(datetime(2026, 11, 23, 9, 0))
    with db.write_session() as s:
        s.execute(update(Consultation).where(Consultation.id == cid).values(assigned_at=monday))
    with pytest.raises(errors.NotNow):
        svc.assign(staff, cid, world.experts["partial"], now=monday + timedelta(days=2, hours=23))
    with pytest.raises(errors.Invalid):                   # stale, but to the same expert
        svc.assign(staff, cid, world.experts["best"], now=monday + timedelta(days=3))
    svc.assign(staff, cid, world.experts["partial"], now=monday + timedelta(days=3))
    got = svc.get(staff, cid)
    assert got["expert_id"] == world.experts["partial"] and got["status"] == "assigned"


def test_a_conflicted_expert_is_refused_even_when_sent_directly(world):
    staff = world.p("staff_zj")
    cid = svc.ask(world.p("ent_a"), _question(sub_centre_id=world.zj, opposing_party="acme lighting corporation"))
    with pytest.raises(errors.Invalid):
        svc.assign(staff, cid, world.experts["conflicted"])
    assert svc.get(staff, cid)["status"] == "new"


def test_conflict_through_a_case_the_expert_advised(world):
    # The best expert advised "Yiwu Rival Co., Ltd." in a case: it is now the opponent.
    add_case(world, case_ref="C-9", chinese_party="Yiwu Rival Co., Ltd.", expert_id=world.experts["best"],
             opposing_party="Somebody Inc.")
    staff = world.p("staff_zj")
    cid = svc.ask(world.p("ent_a"), _question(sub_centre_id=world.zj, opposing_party="YIWU RIVAL CO LTD"))
    ids = [c.expert_id for c in svc.shortlist_for(staff, cid)]
    assert world.experts["best"] not in ids and ids
    # And an expert who acted against the asking enterprise is off the list too.
    add_case(world, case_ref="C-10", chinese_party="X", expert_id=world.experts["partial"],
             opposing_party="Ningbo A Ltd.")
    ids = [c.expert_id for c in svc.shortlist_for(staff, cid)]
    assert world.experts["partial"] not in ids


def test_staff_may_ask_on_behalf_of_an_enterprise_and_experts_may_not_ask(world):
    staff = world.p("staff_zj")
    ent = world.p("ent_a")
    cid = svc.ask(staff, _question(enterprise_user_id=ent.id))
    got = svc.get(ent, cid)
    assert got is not None and got["sub_centre_id"] == world.zj and got["created_by_id"] == staff.id
    with pytest.raises(errors.Denied):
        svc.ask(world.p("exp_best"), _question())
    with pytest.raises(errors.Denied):
        svc.ask(world.p("admin"), _question())


def test_rating_needs_an_answer_and_a_value_from_1_to_5(world):
    ent, staff, exp = world.p("ent_a"), world.p("staff_zj"), world.p("exp_best")
    cid = svc.ask(ent, _question(sub_centre_id=world.zj))
    with pytest.raises(errors.NotNow):
        svc.rate(ent, cid, 4)
    svc.assign(staff, cid, world.experts["best"])
    svc.answer(exp, cid, "Answer")
    for bad in (0, 6, "x"):
        with pytest.raises(errors.Invalid):
            svc.rate(ent, cid, bad)
    svc.rate(ent, cid, 4, "ok")
    assert svc.get(ent, cid)["rating"] == 4


def test_followup_rejects_bad_input_and_writes_nothing(world):
    ent, staff, exp = world.p("ent_a"), world.p("staff_zj"), world.p("exp_best")
    cid = svc.ask(ent, _question(sub_centre_id=world.zj))
    svc.assign(staff, cid, world.experts["best"])
    svc.answer(exp, cid, "Answer")
    with pytest.raises(errors.Invalid) as err:
        svc.record_followup(staff, cid, "teleported", "-5", create_draft_case=True)
    assert {f for f, _, _ in err.value.problems} == {"outcome", "loss_avoided_cny"}
    assert _count(Case) == 0 and svc.get(staff, cid)["followup_outcome"] is None
    with pytest.raises(errors.Denied):
        svc.record_followup(ent, cid, "won")


def _backdate(cid: int, created: datetime, answered: datetime | None = None):
    with db.write_session() as s:
        s.execute(update(Consultation).where(Consultation.id == cid).values(
            created_at=created, assigned_at=created, answered_at=answered))
        events = list(s.scalars(select(ConsultationEvent).where(ConsultationEvent.consultation_id == cid)
                                .order_by(ConsultationEvent.id)))
        for i, event in enumerate(events):
            event.at = created + timedelta(minutes=i)
            if event.to_status == "answered" and answered:
                event.at = answered
    svc.recompute_clocks(only_open=False)


def test_compliance_per_sub_centre_and_per_expert(world):
    ent, staff, exp = world.p("ent_a"), world.p("staff_zj"), world.p("exp_best")
    on_time = svc.ask(ent, _question(sub_centre_id=world.zj))
    late = svc.ask(ent, _question(sub_centre_id=world.zj))
    still_open = svc.ask(ent, _question(sub_centre_id=world.zj))
    for cid in (on_time, late):
        svc.assign(staff, cid, world.experts["best"])
        svc.answer(exp, cid, "Answer")
    svc.assign(staff, still_open, world.experts["best"])
    monday = calendar.from_local(datetime(2026, 11, 2, 9, 0))
    _backdate(on_time, monday, monday + timedelta(days=1))                 # 1 working day
    _backdate(late, monday, monday + timedelta(days=7))                    # 5 working days
    _backdate(still_open, monday)                                          # open, long overdue
    now = calendar.from_local(datetime(2026, 11, 20, 9, 0))
    rows = compliance.figures(staff, date(2026, 11, 1), date(2026, 11, 30), now=now)
    assert len(rows) == 1
    zj = rows[0]
    assert zj["asked"] == 3 and zj["answered"] == 2 and zj["on_time"] == 1 and zj["open_overdue"] == 1
    assert zj["on_time_share"] == pytest.approx(1 / 3)
    assert zj["median_first_answer_days"] == pytest.approx(3.0)
    per_expert = compliance.figures(staff, date(2026, 11, 1), date(2026, 11, 30), by="expert", now=now)
    assert [r["key"] for r in per_expert] == [world.experts["best"]]
    # Another sub-centre's staff see nothing of it; a period before it is empty.
    assert compliance.figures(world.p("staff_gd"), date(2026, 11, 1), date(2026, 11, 30), now=now) == []
    assert compliance.figures(staff, date(2026, 10, 1), date(2026, 10, 31), now=now) == []
    with pytest.raises(errors.Denied):
        compliance.figures(ent, date(2026, 11, 1), date(2026, 11, 30))
    # The overdue sweep notifies once.
    assert sweep.notify_overdue(now) == 1
    assert sweep.notify_overdue(now) == 0


def test_queue_sorts_by_deadline_and_flags_risk(world):
    ent, staff = world.p("ent_a"), world.p("staff_zj")
    later = svc.ask(ent, _question(sub_centre_id=world.zj, deadline=date.today() + timedelta(days=30)))
    sooner = svc.ask(ent, _question(sub_centre_id=world.zj, deadline=date.today() + timedelta(days=3)))
    none = svc.ask(ent, _question(sub_centre_id=world.zj, deadline=None))
    assert [i["id"] for i in consultation_queue.queue(staff)[0]] == [sooner, later, none]
    monday = calendar.from_local(datetime(2026, 11, 23, 9, 0))
    _backdate(none, monday)
    at_risk_now = monday + timedelta(days=2, hours=14)        # Wednesday 23:00: 2.58 of 3 days used
    assert [i["id"] for i in consultation_queue.queue(staff, now=at_risk_now, only="at_risk")[0]] == [none]
    overdue = consultation_queue.queue(staff, now=monday + timedelta(days=4), only="overdue")[0]
    assert [i["id"] for i in overdue] == [none]


def test_self_help_suggests_published_cases_and_articles_only(world):
    published = add_case(world, case_ref="P-1", title="Published US patent suit", ip_type="patent")
    add_case(world, case_ref="U-1", title="Unpublished", review_status="submitted")
    add_case(world, case_ref="P-2", title="Japan design", country="JP", dispute_type="customs",
             ip_type="design")
    found = svc.suggestions(world.p("ent_a"), country="US", dispute_type="litigation", ip_type="patent")
    titles = [c["title"] for c in found["cases"]]
    assert titles[0] == "Published US patent suit" and "Unpublished" not in titles
    assert found["cases"][0]["id"] == published
    assert isinstance(found["articles"], list)
