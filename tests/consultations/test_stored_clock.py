"""The stored clock facts (migration 0006): computed at start-up for rows written before it, kept by every
transition, and in agreement with the Python clock the pages show."""

from datetime import date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text, update

from ipoverseas import bootstrap
from ipoverseas.core import db
from ipoverseas.consultations import calendar, clock, compliance, queue, sweep, workflow as svc
from ipoverseas.core.models import Consultation, ConsultationEvent
from tests.consultations.helpers import build_world


def cn(*args) -> datetime:
    return calendar.from_local(datetime(*args))


def test_deadline_is_the_last_moment_still_on_time():
    asked = cn(2026, 11, 25, 0, 0)                       # Wednesday 00:00: 3 days run out at Friday 24:00
    assert clock.reached(asked, 3) == cn(2026, 11, 28, 0, 0)
    assert clock.deadline(asked, 3) == cn(2026, 11, 30, 0, 0)   # the weekend after is still on time
    weekend = clock.clock(asked, None, [], 3, now=cn(2026, 11, 29, 12, 0))
    assert not weekend.overdue
    assert clock.clock(asked, None, [], 3, now=cn(2026, 11, 30, 0, 1)).overdue
    inside = cn(2026, 11, 20, 15, 0)                      # Friday 15:00 -> Wednesday 15:00
    assert clock.deadline(inside, 3) == clock.reached(inside, 3) == cn(2026, 11, 25, 15, 0)


# The example of the "two meanings of due" bug: a 3-working-day promise started on Wednesday
# 25 November 2026 at 00:00 Beijing time (no holiday or make-up day for weeks around it) is used
# up at Saturday 00:00 and due on Monday 30 November at 00:00; on Saturday at noon it is at risk,
# not overdue, and its due time is Monday, not the Saturday midnight already past.
WEDNESDAY, SATURDAY_NOON, MONDAY = cn(2026, 11, 25, 0, 0), cn(2026, 11, 28, 12, 0), cn(2026, 11, 30, 0, 0)


def test_one_meaning_of_due_the_clock_and_the_stored_facts():
    assert all(calendar.is_working_day(date(2026, 11, d)) for d in (23, 24, 25, 26, 27, 30))
    assert not any(calendar.is_working_day(date(2026, 11, d)) for d in (28, 29))
    saturday = clock.clock(WEDNESDAY, None, [], 3, now=SATURDAY_NOON)
    assert saturday.state == "at_risk" and not saturday.overdue
    assert saturday.due == MONDAY == clock.deadline(WEDNESDAY, 3)
    assert calendar.to_local(saturday.due) == datetime(2026, 11, 30, 0, 0)      # Monday 00:00, Beijing time
    assert clock.facts(WEDNESDAY, None, None, [(WEDNESDAY, None, "new")], 3).due_at == saturday.due
    assert clock.clock(WEDNESDAY, None, [], 3, now=MONDAY).state == "at_risk"    # the last moment on time
    assert clock.clock(WEDNESDAY, None, [], 3, now=MONDAY + timedelta(seconds=1)).overdue
    assert not hasattr(clock, "due_at")                                           # no second meaning


@pytest.mark.parametrize("start", [WEDNESDAY, cn(2026, 11, 20, 15, 0), cn(2024, 9, 28, 12, 0),
                                   cn(2024, 9, 30, 10, 0), cn(2026, 2, 13, 17, 0), cn(2026, 2, 27, 0, 0)])
def test_a_running_clock_never_names_a_past_instant_as_due(start):
    """Hour by hour over three weeks (holidays and make-up days included): while the clock runs
    or is at risk, its due time is now or later; once overdue, it is past."""
    for hours in range(0, 24 * 21):
        now = start + timedelta(hours=hours, minutes=30)
        c = clock.clock(start, None, [], 3, now=now)
        if c.state in ("running", "at_risk"):
            assert c.due is not None and c.due >= now, (start, now, c)
        else:
            assert c.state == "overdue" and clock.deadline(start, 3) < now, (start, now, c)


def test_the_queue_the_sweep_and_compliance_use_the_same_due(database):
    world = build_world()
    staff = world.p("staff_zj")
    cid = svc.ask(world.p("ent_a"), svc.Question(company="Co", question="Q", country="US", disclaimer_accepted=True,
                                                  sub_centre_id=world.zj))
    with db.write_session() as s:                          # asked on Wednesday 00:00 Beijing time
        s.execute(update(ConsultationEvent).where(ConsultationEvent.consultation_id == cid).values(at=WEDNESDAY))
        c = s.get(Consultation, cid)
        c.created_at = WEDNESDAY
        s.flush()
        svc.set_clock_facts(c, [(WEDNESDAY, None, "new")])
    assert svc.get(staff, cid, now=SATURDAY_NOON)["clock"].due == MONDAY
    with db.read_session() as s:
        assert s.get(Consultation, cid).due_at == MONDAY

    def overdue(now) -> tuple:
        counts = queue.queue_counts(staff, now=now)
        (row,) = compliance.figures(staff, date(2026, 11, 1), date(2026, 11, 30), now=now)
        return counts["overdue"], counts["at_risk"], row["open_overdue"]

    assert overdue(SATURDAY_NOON) == overdue(MONDAY) == (0, 1, 0)
    assert sweep.notify_overdue(SATURDAY_NOON) == sweep.notify_overdue(MONDAY) == 0
    later = MONDAY + timedelta(seconds=1)
    assert overdue(later) == (1, 0, 1)
    assert sweep.notify_overdue(later) == 1


def test_an_open_pause_keeps_an_instant_already_passed():
    asked = cn(2026, 11, 23, 9, 0)                        # Monday
    short = [(cn(2026, 11, 24, 9, 0), None)]              # paused after 1 day: no due time yet
    assert clock.deadline(asked, 3, short) is None and clock.reached(asked, 2.4, short) is None
    late = [(cn(2026, 11, 27, 9, 0), None)]               # paused after 4 days: overdue since Thursday 9:00
    assert clock.deadline(asked, 3, late) == cn(2026, 11, 26, 9, 0)
    assert clock.reached(asked, 2.4, late) == asked + timedelta(days=2.4)


def test_latest_start_turns_elapsed_working_days_into_one_comparison():
    now = cn(2026, 11, 30, 10, 0)                         # Monday 10:00
    start = calendar.latest_start(now, 3)
    assert start == cn(2026, 11, 25, 10, 0)               # Wednesday 10:00 (the weekend does not count)
    assert clock.elapsed(start, now) == pytest.approx(3)
    assert clock.elapsed(start + timedelta(minutes=1), now) < 3
    # Across the National Day week 2024: half of 8 Oct, 30 Sept, Sunday 29 Sept (make-up), Friday 27 Sept.
    assert calendar.latest_start(cn(2024, 10, 8, 12, 0), 3) == cn(2024, 9, 27, 12, 0)


def test_rows_from_before_0006_get_their_facts_at_start_up(database):
    """Rows written before 0006 keep their overdue notices through the migration, and get their
    facts from the Python clock at the next start-up (the migration imports no live code)."""
    cfg = db.alembic_config(database)
    with db.get_engine().begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    asked = cn(2026, 11, 2, 9, 0)                         # Monday
    with db.get_engine().begin() as conn:   # plain SQL: the models may have grown since 0005
        conn.execute(text("INSERT INTO sub_centres (id, code, name_zh, name_en, active, is_demo, created_at) "
                          "VALUES (1, 'ZJ', '浙江', 'Zhejiang', true, false, :t)"), {"t": asked})
        conn.execute(text("INSERT INTO users (id, username, display_name, password_hash, role, active, "
                          "failed_logins, must_change_password, created_at, is_demo) "
                          "VALUES (1, 's', 's', 'x', 'staff', true, 0, false, :t, false)"), {"t": asked})
        for cid, answered in ((1, asked + timedelta(days=1)),      # answered in 1 working day
                              (2, asked + timedelta(days=7)),      # 5 working days: late
                              (3, None)):                          # open
            conn.execute(text(
                "INSERT INTO consultations (id, company, contact, question, status, urgency, sub_centre_id, "
                "created_at, updated_at, answered_at, disclaimer_accepted, version, is_demo) "
                "VALUES (:id, 'Co', '', 'Q', :status, 'normal', 1, :t, :t, :answered, true, 1, false)"),
                {"id": cid, "status": "answered" if answered else "accepted", "t": asked, "answered": answered})
            events = [(asked, None, "new"), (asked + timedelta(hours=1), "new", "accepted")]
            if answered:
                events.append((answered, "accepted", "answered"))
            conn.execute(text("INSERT INTO consultation_events (consultation_id, at, from_status, to_status) "
                              "VALUES (:cid, :at, :f, :t)"),
                         [{"cid": cid, "at": at, "f": f, "t": t} for at, f, t in events])
        conn.execute(text("INSERT INTO notifications (user_id, kind, consultation_id, message, created_at) "
                          "VALUES (1, 'overdue', 3, '', :t)"), {"t": asked + timedelta(days=5)})
    db.dispose_all()
    db.migrate()
    with db.read_session() as s:
        assert s.scalars(select(Consultation.clock_basis)).all() == [None, None, None]
    assert bootstrap.refresh_clocks() == 3       # closed and answered rows too: never computed
    assert bootstrap.refresh_clocks() == 0
    with db.read_session() as s:
        got = {c.id: c for c in s.scalars(select(Consultation))}
    assert got[1].answered_on_time is True and got[1].first_answer_days == pytest.approx(1.0)
    assert got[2].answered_on_time is False and got[2].first_answer_days == pytest.approx(5.0)
    assert got[3].answered_on_time is None and got[3].due_at == cn(2026, 11, 5, 9, 0)
    assert got[3].at_risk_at == clock.reached(asked, 2.4)
    assert got[3].overdue_notified_at == asked + timedelta(days=5)
    assert got[1].overdue_notified_at is None and got[1].expert_due_at is None
