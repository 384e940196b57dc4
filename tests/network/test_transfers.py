"""Transfers from the national centre (`network.transfers`): a lead accepted becomes a consultation
in the sub-centre's queue with its clock, a consultation accepted moves there, refuse with a reason
and send elsewhere, withdraw; staff of another sub-centre see and do nothing (the service, any id);
lists and counts; the overdue sweep notifies once (run twice, and two at once); a calendar change
moves the due time of the affected pending transfers and only those. SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ipoverseas.accounts import notifications
from ipoverseas.audit import query as audit_query
from ipoverseas.cli import main
from ipoverseas.consultations import calendar, clock, queue, workflow
from ipoverseas.core import db, errors
from ipoverseas.core.models import AuditEvent, Consultation, Notification, Transfer, User, utcnow
from ipoverseas.network import transfers as tr
from ipoverseas.network import workcalendar as wc
from tests.consultations.helpers import build_world
from tests.consultations.test_concurrency import _run

MONDAY = calendar.from_local(datetime(2026, 11, 2, 9, 0))   # 2 working days: due Wednesday 4 Nov, 09:00


@pytest.fixture
def world(database):
    calendar.invalidate()
    yield build_world()
    calendar.invalidate()


def _lead(company="Hangzhou Lamp Co", country="US") -> tr.Lead:
    return tr.Lead(company, country, "Sued in Texas over LED filament lamps; answer due in 21 days.",
                   None, "Mr Wang 0571")


def _send(world, to=None, *, now=None, company="Hangzhou Lamp Co") -> int:
    return tr.create(world.p("admin"), sub_centre_id=to or world.zj, note="please follow up", lead=_lead(company),
                     now=now)


def _row(tid) -> Transfer:
    with db.read_session() as s:
        return s.get(Transfer, tid)


def _notes(kind, transfer_id=None) -> list[tuple[int, int]]:
    with db.read_session() as s:
        stmt = select(Notification.user_id, Notification.entity_id).where(Notification.kind == kind)
        if transfer_id is not None:
            stmt = stmt.where(Notification.entity == "transfer", Notification.entity_id == transfer_id)
        return sorted(tuple(r) for r in s.execute(stmt))


def _uid(world, name) -> int:
    return world.p(name).id


def test_a_lead_accepted_becomes_a_consultation_in_the_queue_with_its_clock(world):
    tid = _send(world)
    t = _row(tid)
    assert t.status == "pending" and t.kind == "lead" and t.due_at is not None and t.clock_basis == tr.clock_basis()
    assert _notes("transfer", tid) == [(_uid(world, "staff_zj"), tid)]          # the target's staff only
    staff = world.p("staff_zj")
    mine = tr.get(staff, tid)
    assert mine["moves"] == ("accept", "refuse") and mine["limit_days"] == 2 and not mine["overdue"]
    assert tr.get(world.p("admin"), tid)["moves"] == ("withdraw",)

    cid = tr.accept(staff, tid)
    t = _row(tid)
    assert (t.status, t.result_consultation_id, t.accepted_by_id) == ("accepted", cid, staff.id)
    assert t.decision_days is not None and t.decided_on_time is True
    with db.read_session() as s:
        c = s.get(Consultation, cid)
        assert (c.sub_centre_id, c.status, c.company, c.country) == (world.zj, "new", "Hangzhou Lamp Co", "US")
        assert c.question.startswith("Sued in Texas") and c.contact == "Mr Wang 0571"
        assert c.due_at == clock.deadline(c.created_at, workflow.promise_days()) and c.clock_basis
    rows, total = queue.queue(staff)
    assert cid in [r["id"] for r in rows] and next(r for r in rows if r["id"] == cid)["clock"].state == "running"
    assert cid not in [r["id"] for r in queue.queue(world.p("staff_gd"))[0]]
    # Audited, and in the record's history for the sub-centre's staff and the admin.
    whats = [h["what"] for h in audit_query.history(staff, "transfer", tid)]
    assert whats == ["transfer.accept", "transfer.create"]
    assert "consultation.from_transfer" in [h["what"] for h in audit_query.history(staff, "consultation", cid)]
    with pytest.raises(errors.Denied):
        audit_query.history(world.p("staff_gd"), "transfer", tid)
    with pytest.raises(errors.NotNow):      # accepted once only
        tr.accept(staff, tid)


def test_a_consultation_accepted_moves_to_the_sub_centre_with_its_clock(world):
    cid = workflow.ask(world.p("ent_a"), workflow.Question(company="Ningbo A Ltd", question="Warning letter",
                                                           country="US", disclaimer_accepted=True,
                                                           sub_centre_id=world.zj))
    due = _consultation(cid).due_at
    admin, gd = world.p("admin"), world.p("staff_gd")
    assert [c["id"] for c in tr.open_consultations(admin)] == [cid]
    with pytest.raises(errors.Invalid):            # it is at ZJ already
        tr.create(admin, sub_centre_id=world.zj, consultation_id=cid)
    tid = tr.create(admin, sub_centre_id=world.gd, consultation_id=cid, note="GD has the German expert")
    assert tr.open_consultations(admin) == []     # one pending transfer at a time
    with pytest.raises(errors.NotNow):
        tr.create(admin, sub_centre_id=world.gd, consultation_id=cid)
    assert tr.get(gd, tid)["description"] == "Warning letter" and workflow.get(gd, cid) is None
    assert tr.accept(gd, tid) == cid
    c = _consultation(cid)
    assert c.sub_centre_id == world.gd and c.due_at == due and c.status == "new"        # the same clock
    assert workflow.get(gd, cid) is not None and workflow.get(world.p("staff_zj"), cid) is None
    assert cid in [r["id"] for r in queue.queue(gd)[0]]
    assert _row(tid).from_sub_centre_id == world.zj


def _consultation(cid) -> Consultation:
    with db.read_session() as s:
        return s.get(Consultation, cid)


def test_refused_with_a_reason_then_sent_elsewhere(world):
    tid = _send(world)
    staff, admin = world.p("staff_zj"), world.p("admin")
    with pytest.raises(errors.Invalid):
        tr.refuse(staff, tid, "   ")
    tr.refuse(staff, tid, "Not in our region: the company is registered in Guangdong.")
    t = _row(tid)
    assert t.status == "refused" and t.refusal_reason.startswith("Not in our region") and t.decision_days is not None
    assert _notes("transfer_refused", tid) == [(_uid(world, "admin"), tid)]
    assert tr.get(admin, tid)["moves"] == ("retransfer",) and tr.get(staff, tid)["moves"] == ()
    with pytest.raises(errors.NotNow):
        tr.accept(staff, tid)
    with pytest.raises(errors.Invalid):             # not back to the one that refused
        tr.retransfer(admin, tid, world.zj)
    with pytest.raises(errors.Denied):
        tr.retransfer(staff, tid, world.gd)
    new = tr.retransfer(admin, tid, world.gd, "GD please")
    old, fresh = _row(tid), _row(new)
    assert old.next_id == new and fresh.previous_id == tid and fresh.status == "pending"
    assert (fresh.company, fresh.description, fresh.sub_centre_id) == (old.company, old.description, world.gd)
    assert _notes("transfer", new) == [(_uid(world, "staff_gd"), new)]
    with pytest.raises(errors.NotNow):              # sent elsewhere once
        tr.retransfer(admin, tid, world.gd)
    assert tr.get(admin, tid)["moves"] == ()
    assert "transfer.retransfer" in [h["what"] for h in audit_query.history(admin, "transfer", tid)]
    tr.accept(world.p("staff_gd"), new)


def test_withdraw_a_pending_transfer(world):
    tid = _send(world)
    with pytest.raises(errors.Denied):
        tr.withdraw(world.p("staff_zj"), tid)
    tr.withdraw(world.p("admin"), tid)
    assert _row(tid).status == "withdrawn"
    with pytest.raises(errors.NotNow):
        tr.accept(world.p("staff_zj"), tid)


def test_staff_of_another_sub_centre_see_and_do_nothing_whatever_the_id(world):
    zj_one, gd_one = _send(world), _send(world, world.gd, company="Shenzhen Drone Co")
    gd = world.p("staff_gd")
    assert tr.get(gd, zj_one) is None and tr.get(gd, gd_one) is not None
    for move in (lambda: tr.accept(gd, zj_one), lambda: tr.refuse(gd, zj_one, "no"),
                 lambda: tr.withdraw(gd, zj_one), lambda: tr.retransfer(gd, zj_one, world.gd)):
        with pytest.raises(errors.Denied):
            move()
    assert _row(zj_one).status == "pending"
    rows, total = tr.list_transfers(gd)
    assert [r["id"] for r in rows] == [gd_one] and total == 1 and tr.counts(gd)["all"] == 1
    assert tr.counts(world.p("admin"))["all"] == 2
    with pytest.raises(errors.Denied):          # the admin transfers; accepting is the sub-centre's
        tr.accept(world.p("admin"), zj_one)
    with pytest.raises(errors.Denied):
        tr.create(gd, sub_centre_id=world.zj, lead=_lead())
    for who in ("ent_a", "exp_best"):
        with pytest.raises(errors.Denied):
            tr.list_transfers(world.p(who))
        assert tr.get(world.p(who), zj_one) is None
    assert tr.get(gd, 10**12) is None


def test_a_lead_is_checked_all_at_once(world):
    with pytest.raises(errors.Invalid) as refused:
        tr.create(world.p("admin"), sub_centre_id=world.zj,
                  lead=tr.Lead("", "Atlantis", "", date.today() - timedelta(days=3)))
    assert {p.field for p in refused.value.problems} == {"company", "country", "description", "deadline"}
    with pytest.raises(errors.Invalid) as refused:
        tr.create(world.p("admin"), sub_centre_id=None, lead=tr.Lead("", "US", "x"))
    assert {p.field for p in refused.value.problems} == {"company", "sub_centre_id"}
    with pytest.raises(errors.Invalid):
        tr.create(world.p("admin"), sub_centre_id=None, lead=_lead())
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 0


def test_lists_filter_count_and_page_in_sql(world):
    now = utcnow()
    old = _send(world, now=now - timedelta(days=10))
    ids = [_send(world, company=f"Co {i}") for i in range(5)]
    tr.accept(world.p("staff_zj"), ids[0])
    tr.refuse(world.p("staff_zj"), ids[1], "busy")
    tr.withdraw(world.p("admin"), ids[2])
    staff = world.p("staff_zj")
    counts = tr.counts(staff, now)
    assert counts == {"all": 6, "pending": 3, "overdue": 1, "accepted": 1, "refused": 1, "withdrawn": 1}
    overdue, n = tr.list_transfers(staff, state="overdue", now=now)
    assert [r["id"] for r in overdue] == [old] and n == 1 and overdue[0]["overdue"] and overdue[0]["used_days"] > 2
    pending, n = tr.list_transfers(staff, state="pending", now=now)
    assert [r["id"] for r in pending] == [old, ids[3], ids[4]]            # the most urgent first
    first, total = tr.list_transfers(staff, limit=4)
    second, _ = tr.list_transfers(staff, limit=4, offset=4)
    assert total == 6 and len(first) == 4 and len(second) == 2 and not {r["id"] for r in first} & {r["id"] for r in second}
    accepted = tr.list_transfers(staff, state="accepted")[0][0]
    assert accepted["used_days"] == _row(ids[0]).decision_days and accepted["sub_centre"] == "ZJ"


def test_the_overdue_sweep_notifies_once_run_twice(world, capsys):
    late = _send(world, now=utcnow() - timedelta(days=10))
    _send(world)                                                          # not yet due
    assert tr.notify_overdue() == 1
    assert tr.notify_overdue() == 0
    assert _notes("transfer_overdue") == sorted([(_uid(world, "staff_zj"), late), (_uid(world, "admin"), late)])
    assert main(["notify-transfers"]) == 0 and "notified 0 overdue transfer(s)" in capsys.readouterr().out
    tr.accept(world.p("staff_zj"), late)                                  # accepted late: flagged so
    assert _row(late).decided_on_time is False


def test_two_sweeps_at_once_notify_each_transfer_once(world):
    old = utcnow() - timedelta(days=10)
    late = [_send(world, now=old, company=f"Late {i}") for i in range(6)]
    results = _run(tr.notify_overdue, tr.notify_overdue)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) == len(late)
    notes = _notes("transfer_overdue")
    assert len(notes) == len(set(notes)) == 2 * len(late)
    with db.read_session() as s:
        events = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "transfer.overdue_notified")).all()
    assert sorted(i for d in events for i in d["ids"]) == sorted(late)


def test_two_staff_accepting_at_once_make_one_consultation(world):
    tid = _send(world)
    with db.write_session() as s:
        s.add(User(username="staff_zj2", password_hash="x", role="staff", sub_centre_id=world.zj))
    results = _run(lambda: tr.accept(world.p("staff_zj"), tid), lambda: tr.accept(world.p("staff_zj2"), tid))
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], (errors.NotNow, errors.Stale)), results
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Consultation)) == 1


def test_a_calendar_change_recomputes_the_affected_transfers_and_only_those(world):
    affected = _send(world, now=MONDAY)
    later = _send(world, now=calendar.from_local(datetime(2026, 11, 23, 9, 0)), company="Later Co")
    decided = _send(world, now=MONDAY, company="Decided Co")
    tr.refuse(world.p("staff_zj"), decided, "no")
    assert _row(affected).due_at == calendar.from_local(datetime(2026, 11, 4, 9, 0))
    before_later, before_decided = _row(later).due_at, _row(decided).due_at
    basis = _row(affected).clock_basis
    wc.save_day(world.p("admin"), date(2026, 11, 3), "holiday", "test day", "a correction")
    assert _row(affected).due_at == calendar.from_local(datetime(2026, 11, 5, 9, 0))   # a day later
    assert _row(affected).clock_basis != basis and _row(affected).clock_basis == tr.clock_basis()
    assert _row(later).due_at == before_later                                          # not affected
    assert _row(decided).due_at == before_decided and _row(decided).clock_basis == basis  # decided: left alone
    with db.read_session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "transfer.recompute_due")).one()
    assert event.detail["moved"] == [affected] and event.detail["rows"] == 2
    assert tr.recompute_due() == 0                                                     # nothing stale left


def test_an_overdue_mark_for_an_earlier_deadline_is_cleared_when_the_deadline_moves(world):
    tid = _send(world, now=MONDAY)
    assert tr.notify_overdue(now=calendar.from_local(datetime(2026, 11, 4, 12, 0))) == 1
    wc.save_day(world.p("admin"), date(2026, 11, 3), "holiday", "test day")
    wc.save_day(world.p("admin"), date(2026, 11, 4), "holiday", "test day")
    t = _row(tid)
    assert t.due_at == calendar.from_local(datetime(2026, 11, 6, 9, 0)) and t.overdue_notified_at is None


def test_a_transfer_notification_names_the_transfer_and_opening_it_marks_it_read(world):
    tid = _send(world)
    staff = world.p("staff_zj")
    [note] = notifications.recent(staff)
    assert (note["kind"], note["entity"], note["entity_id"], note["consultation_id"], note["read_at"]) == \
        ("transfer", "transfer", tid, None, None)
    assert notifications.unread_count(staff) == 1
    assert notifications.mark_read_for(world.p("staff_gd"), tid, entity="transfer") == 0
    assert notifications.mark_read_for(staff, tid, entity="transfer") == 1 and notifications.unread_count(staff) == 0


def test_demo_remove_keeps_real_transfers_and_the_demo_sub_centre_they_name(demo_database, principal):
    from ipoverseas import demo
    from ipoverseas.core.models import SubCentre

    with db.read_session() as s:
        zj = s.scalar(select(SubCentre.id).where(SubCentre.code == "ZJ"))
    real = tr.create(principal("admin"), sub_centre_id=zj, lead=_lead("Real Co"))
    counts = demo.remove()
    assert counts["transfers"] >= 20
    with db.read_session() as s:
        assert [t.id for t in s.scalars(select(Transfer))] == [real]
        assert s.get(Transfer, real).created_by_id is None and s.get(SubCentre, zj) is not None
