"""The queue, compliance and the overdue sweep in SQL agree with the Python clock, on
SQLite and PostgreSQL; the compliance rule for consultations closed without an answer;
the `notify-overdue` command."""

import logging
import random
import statistics
from datetime import date, datetime, timedelta
from functools import lru_cache

import pytest
from sqlalchemy import delete, func, select

from ipoverseas import bootstrap
from ipoverseas.consultations import calendar, clock, compliance, queue, states, sweep, workflow as svc
from ipoverseas.core import db
from ipoverseas.cli import main
from ipoverseas.core.models import AuditEvent, Consultation, ConsultationEvent, Notification
from tests.consultations.helpers import build_world

MONDAY = calendar.from_local(datetime(2026, 11, 2, 9, 0))


@pytest.fixture
def world(database):
    return build_world()


def _add(world, created: datetime, steps: list[tuple[float, str]], *, deadline: date | None = None,
         expert: str | None = "best", sub_centre: int | None = None) -> int:
    """A consultation asked at `created` that went through `steps` (hours after, new status)."""
    with db.write_session() as s:
        c = Consultation(company="Co", question="Q", sub_centre_id=sub_centre or world.zj, created_at=created,
                         updated_at=created, status="new", enterprise_deadline=deadline, urgency="normal")
        s.add(c)
        s.flush()
        history = [(created, None, "new")]
        status = "new"
        for hours, to in steps:
            at = created + timedelta(hours=hours)
            if to == "assigned":
                c.expert_id, c.assigned_at = world.experts[expert], at
            elif to == "answered" and c.answered_at is None:
                c.answered_at = at
            elif to == "closed":
                c.closed_at = at
            history.append((at, status, to))
            status = to
        c.status = status
        s.add_all(ConsultationEvent(consultation_id=c.id, at=at, from_status=f, to_status=t) for at, f, t in history)
        s.flush()
        svc.set_clock_facts(c, history)
        return c.id


def _random_world(world, rng: random.Random, now: datetime, n: int = 60) -> dict[int, list]:
    """Consultations in every state, as they stand at `now`: running, paused (and resumed),
    answered, back with a follow-up, closed with and without an answer."""
    with db.write_session() as s:     # a fresh world for each `now`
        for model in (Notification, ConsultationEvent, Consultation):
            s.execute(delete(model))
    out = {}
    for _ in range(n):
        created = MONDAY + timedelta(hours=rng.randint(0, 24 * 14))
        steps, t = [], 0.0
        kind = rng.choice(["new", "running", "paused", "resumed", "answered", "followup", "closed", "closed_answered"])
        if kind != "new":
            t += rng.uniform(1, 30)
            steps.append((t, "assigned"))
        if kind in ("running", "paused", "resumed", "answered", "followup", "closed_answered"):
            t += rng.uniform(1, 10)
            steps.append((t, "accepted"))
        if kind in ("paused", "resumed"):
            t += rng.uniform(1, 60)
            steps.append((t, "waiting"))
        if kind == "resumed":
            t += rng.uniform(1, 80)
            steps.append((t, "accepted"))
        if kind in ("answered", "followup", "closed_answered"):
            t += rng.uniform(1, 150)
            steps.append((t, "answered"))
        if kind == "followup":
            t += rng.uniform(1, 20)
            steps.append((t, "accepted"))
        if kind in ("closed", "closed_answered"):
            t += rng.uniform(1, 150)
            steps.append((t, "closed"))
        created = min(created, now - timedelta(hours=1))
        steps = [(h, to) for h, to in steps if created + timedelta(hours=h) < now]
        deadline = rng.choice([None, date(2026, 11, 20), date(2026, 12, 1), date(2026, 12, 1)])
        cid = _add(world, created, steps, deadline=deadline, expert=rng.choice(["best", "partial"]))
        out[cid] = steps
    return out


def _python_clocks(now: datetime) -> dict[int, tuple]:
    """(row, clock) of every consultation, by the Python clock."""
    with db.read_session() as s:
        rows = list(s.execute(select(Consultation.id, Consultation.created_at, Consultation.answered_at,
                                     Consultation.status, Consultation.assigned_at, Consultation.closed_at,
                                     Consultation.expert_id, Consultation.enterprise_deadline,
                                     Consultation.sub_centre_id)))
        events = svc._events_of(s, [r.id for r in rows])
    return {r.id: (r, svc.service_clock(r, events[r.id], now), events[r.id]) for r in rows}


NOWS = [MONDAY + timedelta(hours=h) for h in (30, 75, 100, 170, 260, 400, 700)]


@pytest.mark.parametrize("seed", [1, 2])
def test_queue_filters_and_counts_agree_with_the_python_clock(world, seed):
    staff = world.p("staff_zj")
    for now in NOWS:
        _random_world(world, random.Random(seed), now)
        clocks = {cid: v for cid, v in _python_clocks(now).items() if v[0].status in svc.OPEN}
        stale_ids = {cid for cid, (r, _c, _e) in clocks.items() if r.status == "assigned"
                     and calendar.working_time(r.assigned_at, now) >= states.ACCEPT_WITHIN_DAYS}
        expected = {
            None: set(clocks),
            "overdue": {cid for cid, (_r, c, _e) in clocks.items() if c.overdue},
            "at_risk": {cid for cid, (_r, c, _e) in clocks.items() if c.at_risk},
            "new": {cid for cid, (r, _c, _e) in clocks.items() if r.status == "new"},
            "stale": stale_ids,
        }
        counts = queue.queue_counts(staff, now=now)
        for only, ids in expected.items():
            rows, total = queue.queue(staff, now=now, only=only, limit=1000)
            assert {r["id"] for r in rows} == ids, (now, only)
            assert total == len(ids) == counts[only or "open"]
            assert all(r["stale"] == (r["id"] in stale_ids) for r in rows)


def test_queue_sorts_by_deadline_then_the_running_clock_and_pages_in_sql(world):
    staff, now = world.p("staff_zj"), NOWS[2]
    _random_world(world, random.Random(3), now, n=40)
    rows, total = queue.queue(staff, now=now, limit=1000)
    deadlines = [r["enterprise_deadline"] or date.max for r in rows]
    assert deadlines == sorted(deadlines)
    for deadline in set(deadlines):      # within a deadline: running clocks, most promise used first
        clocks = [r["clock"] for r in rows if (r["enterprise_deadline"] or date.max) == deadline]
        running = [c for c in clocks if c.stopped_at is None and not c.paused]
        assert clocks[:len(running)] == running
        shares = [c.share for c in running]
        assert shares == sorted(shares, reverse=True)
    pages = [queue.queue(staff, now=now, limit=7, offset=o)[0] for o in range(0, total, 7)]
    assert [r["id"] for page in pages for r in page] == [r["id"] for r in rows]


def _reference(now: datetime, by: str) -> dict:
    """Compliance by the Python clock, with the documented rule for closed consultations."""
    groups: dict = {}
    for _cid, (r, _c, events) in _python_clocks(now).items():
        key = r.expert_id if by == "expert" else r.sub_centre_id
        if key is None:
            continue
        start = (r.assigned_at or r.created_at) if by == "expert" else r.created_at
        pauses = clock.pauses_from_events(events)
        g = groups.setdefault(key, {"asked": 0, "answered": 0, "on_time": 0, "due": 0, "days": [], "open_overdue": 0})
        g["asked"] += 1
        if r.answered_at is not None and r.answered_at >= start:
            clk = clock.clock(start, r.answered_at, pauses, svc.promise_days(), now)
            g["answered"] += 1
            g["due"] += 1
            g["on_time"] += bool(clk.on_time)
            g["days"].append(clk.used_days)
        elif r.answered_at is None:
            stop = r.closed_at if r.status == "closed" else now
            if clock.clock(start, None, pauses, svc.promise_days(), stop).overdue:
                g["due"] += 1
            if r.status in svc.OPEN and clock.clock(start, None, pauses, svc.promise_days(), now).overdue:
                g["open_overdue"] += 1
    return groups


@pytest.mark.parametrize("by", ["sub_centre", "expert"])
def test_compliance_in_sql_agrees_with_the_python_clock(world, by):
    admin = world.p("admin")
    for now in NOWS[3:]:
        _random_world(world, random.Random(4), now, n=50)
        expected = _reference(now, by)
        got = {g["key"]: g for g in compliance.figures(admin, date(2026, 11, 1), date(2026, 11, 30), by=by, now=now)}
        assert set(got) == set(expected)
        for key, e in expected.items():
            g = got[key]
            assert (g["asked"], g["answered"], g["on_time"], g["due"], g["open_overdue"]) == (
                e["asked"], e["answered"], e["on_time"], e["due"], e["open_overdue"]), (now, key)
            median = round(statistics.median(e["days"]), 2) if e["days"] else None
            assert g["median_first_answer_days"] == pytest.approx(median, abs=0.01)


def test_a_consultation_closed_without_an_answer(world):
    """Withdrawn before the deadline: out of the share; closed after it: a miss; never open overdue."""
    withdrawn = _add(world, MONDAY, [(2, "assigned"), (24, "closed")])              # closed after 1 day
    late = _add(world, MONDAY, [(2, "assigned"), (24 * 7, "closed")])               # closed after 5 working days
    answered = _add(world, MONDAY, [(2, "assigned"), (24, "answered")])             # on time
    now = MONDAY + timedelta(days=30)
    (zj,) = compliance.figures(world.p("staff_zj"), date(2026, 11, 1), date(2026, 11, 30), now=now)
    assert zj["asked"] == 3 and zj["answered"] == 1 and zj["on_time"] == 1
    assert zj["due"] == 2 and zj["on_time_share"] == pytest.approx(0.5)      # the answered one and the late one
    assert zj["open_overdue"] == 0
    assert queue.queue(world.p("staff_zj"), now=now)[1] == 0
    assert sweep.notify_overdue(now) == 0
    with db.read_session() as s:
        facts = {cid: s.get(Consultation, cid) for cid in (withdrawn, late, answered)}
    assert facts[withdrawn].closed_at < facts[withdrawn].due_at              # withdrawn within its promise
    assert facts[late].closed_at > facts[late].due_at                        # closed past it: the miss
    assert facts[answered].answered_on_time is True and facts[answered].first_answer_days == pytest.approx(1)
    assert facts[withdrawn].answered_on_time is None and facts[late].answered_on_time is None
    by_expert = compliance.figures(world.p("admin"), date(2026, 11, 1), date(2026, 11, 30), by="expert", now=now)
    assert [(g["asked"], g["due"], g["on_time"], g["open_overdue"]) for g in by_expert] == [(3, 2, 1, 0)]


def test_transitions_keep_the_stored_clock(world):
    ent, staff, exp = world.p("ent_a"), world.p("staff_zj"), world.p("exp_best")
    cid = svc.ask(ent, svc.Question(company="Co", question="Q", country="US", disclaimer_accepted=True,
                                    sub_centre_id=world.zj))

    def stored():
        with db.read_session() as s:
            return s.get(Consultation, cid)

    first = stored()
    assert first.due_at == clock.deadline(first.created_at, svc.promise_days())
    assert first.expert_due_at is None
    svc.assign(staff, cid, world.experts["best"])
    assert stored().expert_due_at is not None
    svc.set_waiting(exp, cid, "Please send the complaint.")
    assert stored().due_at is None and stored().at_risk_at is None       # paused short of the promise
    svc.post_message(ent, cid, "Here it is.")                            # resumes the clock
    resumed = stored()
    assert resumed.due_at is not None and resumed.due_at >= first.due_at
    svc.answer(exp, cid, "The answer.")
    done = stored()
    assert done.answered_on_time is True and done.first_answer_days is not None
    assert done.expert_on_time is True and done.expert_answer_days <= done.first_answer_days


def _notifications(kind: str = "overdue") -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == kind))


def test_notify_overdue_command_is_idempotent(world, capsys):
    late = _add(world, MONDAY, [(2, "assigned"), (3, "accepted")])                  # long overdue
    paused = _add(world, MONDAY, [(2, "assigned"), (3, "waiting")])                 # paused short of the promise
    _add(world, MONDAY, [(2, "assigned"), (30, "answered")])                        # answered
    fresh = svc.ask(world.p("ent_a"), svc.Question(company="Co", question="Q", country="US",
                                                   disclaimer_accepted=True, sub_centre_id=world.zj))
    assert main(["notify-overdue"]) == 0
    assert capsys.readouterr().out.strip() == "notified 1 overdue consultation(s)"
    with db.read_session() as s:
        notified = {n.consultation_id for n in s.scalars(select(Notification).where(Notification.kind == "overdue"))}
        marked = set(s.scalars(select(Consultation.id).where(Consultation.overdue_notified_at.is_not(None))))
    assert notified == marked == {late}
    sent = _notifications()
    assert sent >= 2          # the sub-centre's staff and the expert
    assert main(["notify-overdue", "--quiet"]) == 0 and capsys.readouterr().out == ""
    assert _notifications() == sent and sweep.notify_overdue() == 0
    assert paused not in notified and fresh not in notified


def test_recompute_clocks_after_the_promise_changes(world, monkeypatch, capsys):
    cid = _add(world, MONDAY, [(2, "assigned")])
    now = MONDAY + timedelta(days=4)                     # Friday: 4 working days used
    assert queue.queue_counts(world.p("staff_zj"), now=now)["overdue"] == 1
    monkeypatch.setenv("IPOVERSEAS_CONSULTATION_PROMISE_DAYS", "5")
    assert main(["recompute-clocks"]) == 0
    assert "recomputed 1" in capsys.readouterr().out
    assert queue.queue_counts(world.p("staff_zj"), now=now)["overdue"] == 0
    with db.read_session() as s:
        c = s.get(Consultation, cid)
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "consultation.recompute_clocks")))
    assert c.due_at == clock.deadline(MONDAY, 5)
    assert c.clock_basis == clock.basis(5) == svc.clock_basis()
    (event,) = events                                     # one summary event, not one per row
    assert event.entity == "consultation" and event.entity_id is None and event.user_id is None
    assert event.detail == {"promise_days": 5.0, "calendar": calendar.digest(), "basis": clock.basis(5),
                            "rows": 1, "scope": "open", "only_stale": False, "complete": True}


def test_a_consultation_overdue_again_under_a_new_promise_is_notified_again(world, monkeypatch):
    """The overdue mark goes when the deadline it was for goes (here: the promise grew from 3
    to 5); one already notified past the new deadline keeps it."""
    cid = _add(world, MONDAY, [(2, "assigned")])
    older = _add(world, MONDAY - timedelta(days=14), [(2, "assigned")])
    friday, next_tuesday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=8)
    assert sweep.notify_overdue(friday) == 2                    # overdue under 3 working days
    monkeypatch.setenv("IPOVERSEAS_CONSULTATION_PROMISE_DAYS", "5")
    assert svc.recompute_clocks() == 2
    with db.read_session() as s:
        marks = {i: s.get(Consultation, i).overdue_notified_at for i in (cid, older)}
    assert marks == {cid: None, older: friday}               # the older one was past 5 days too
    assert sweep.notify_overdue(friday) == 0                    # 4 of 5 working days used
    assert sweep.notify_overdue(next_tuesday) == 1              # 6 of 5: overdue again, notified again
    with db.read_session() as s:
        notified = list(s.scalars(select(Notification.consultation_id).where(
            Notification.kind == "overdue", Notification.user_id == world.p("staff_zj").id)))
    assert sorted(notified) == sorted([cid, cid, older])


def test_start_up_recomputes_the_open_clocks_after_the_promise_changed(world, monkeypatch, caplog):
    cid = _add(world, MONDAY, [(2, "assigned")])
    answered = _add(world, MONDAY, [(2, "assigned"), (30, "answered")])
    assert bootstrap.refresh_clocks() == 0                    # all on the current basis: nothing to do
    monkeypatch.setenv("IPOVERSEAS_CONSULTATION_PROMISE_DAYS", "5")
    with caplog.at_level(logging.INFO, logger="ipoverseas.bootstrap"):
        bootstrap.prepare_database()
    assert "1 consultation(s) recomputed for basis 5d/" in caplog.text
    with db.read_session() as s:
        c, done = s.get(Consultation, cid), s.get(Consultation, answered)
    assert (c.due_at, c.clock_basis) == (clock.deadline(MONDAY, 5), clock.basis(5))
    assert done.clock_basis == clock.basis(3)              # answered: keeps what it was measured with
    assert queue.queue_counts(world.p("staff_zj"), now=MONDAY + timedelta(days=4))["overdue"] == 0
    assert bootstrap.refresh_clocks() == 0


@pytest.fixture
def holiday_on_wednesday(tmp_path, monkeypatch):
    """The holiday table with one more holiday: Wednesday 4 November 2026."""
    table = tmp_path / "holidays_cn.csv"
    table.write_text(calendar.CALENDAR_FILE.read_text(encoding="utf-8").rstrip("\n")
                     + "\n2026-11-04,holiday,test day,0\n", encoding="utf-8")
    calendar._prefix.cache_clear()
    monkeypatch.setattr(calendar, "current", lru_cache(maxsize=1)(lambda: calendar.load_calendar(table)))
    yield
    calendar._prefix.cache_clear()      # monkeypatch puts the real calendar back after this


def test_start_up_recomputes_the_open_clocks_after_the_holiday_table_changed(world, request):
    cid = _add(world, MONDAY, [(2, "assigned")])
    before = clock.basis(3)
    request.getfixturevalue("holiday_on_wednesday")
    assert clock.basis(3) != before and not calendar.is_working_day(date(2026, 11, 4))
    assert bootstrap.refresh_clocks() == 1
    with db.read_session() as s:
        c = s.get(Consultation, cid)
    assert c.due_at == calendar.from_local(datetime(2026, 11, 6, 9, 0))    # Friday, not Thursday
    assert c.clock_basis == clock.basis(3)
