"""Writers racing on the same consultation, on SQLite and PostgreSQL: two staff assigning at
once, a staff action during `recompute-clocks`, four overdue sweeps at once. Nobody sees a
StaleDataError; the loser gets the service's clean refusal."""

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from ipoverseas.consultations import calendar, clock, sweep, workflow as svc
from ipoverseas.core import db, errors
from ipoverseas.experts import directory
from ipoverseas.core.models import AuditEvent, Consultation, ConsultationEvent, Notification
from tests.consultations.helpers import build_world

MONDAY = calendar.from_local(datetime(2026, 11, 2, 9, 0))


@pytest.fixture
def world(database):
    return build_world()


def _ask(world) -> int:
    return svc.ask(world.p("ent_a"), svc.Question(company="Co", question="Q", country="US", ip_type="patent",
                                                  disclaimer_accepted=True, sub_centre_id=world.zj))


def _run(*targets, timeout: float = 30) -> list:
    """Run the callables in threads at once; their results or the exceptions they raised."""
    results: list = [None] * len(targets)

    def runner(i, fn):
        try:
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - the test looks at what was raised
            results[i] = exc

    threads = [threading.Thread(target=runner, args=(i, fn), name=f"racer-{i}") for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a racer hung"
    return results


def test_two_staff_assign_the_same_consultation_at_once(world, monkeypatch):
    """Both read the consultation as "new" before either writes (without the row lock): one
    assignment wins, the other is refused cleanly, never a StaleDataError."""
    cid = _ask(world)
    both_read = threading.Barrier(2, timeout=1.5)
    real_shortlist = directory.shortlist

    def shortlist(*args, **kwargs):       # called by assign() after it read the row, before it writes
        try:
            both_read.wait()
        except threading.BrokenBarrierError:  # the other one waits on the row lock: fine
            pass
        return real_shortlist(*args, **kwargs)

    monkeypatch.setattr(directory, "shortlist", shortlist)
    staff, admin = world.p("staff_zj"), world.p("admin")
    results = _run(lambda: svc.assign(staff, cid, world.experts["best"]),
                   lambda: svc.assign(admin, cid, world.experts["partial"]))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], errors.NotNow), repr(refused[0])      # it is assigned now
    with db.read_session() as s:
        c = s.get(Consultation, cid)
        assigned = s.scalar(select(func.count()).select_from(ConsultationEvent).where(
            ConsultationEvent.consultation_id == cid, ConsultationEvent.to_status == "assigned"))
    assert c.status == "assigned" and c.expert_id in (world.experts["best"], world.experts["partial"])
    assert assigned == 1


def test_a_staff_action_during_recompute_clocks(world, monkeypatch):
    """recompute-clocks has read the row when staff assign it: both succeed, in turn, and the
    stored facts are those of the assigned consultation."""
    cid = _ask(world)
    recompute_read, assigned = threading.Event(), threading.Event()
    real = svc.set_clock_facts

    def set_clock_facts(c, events, *rest):
        if threading.current_thread().name == "racer-0" and not recompute_read.is_set():
            recompute_read.set()
            assigned.wait(1.5)               # the assignment would commit here without the row lock
        return real(c, events, *rest)

    monkeypatch.setattr(svc, "set_clock_facts", set_clock_facts)
    monkeypatch.setenv("IPOVERSEAS_CONSULTATION_PROMISE_DAYS", "5")

    def assign():
        assert recompute_read.wait(10)
        svc.assign(world.p("staff_zj"), cid, world.experts["best"])
        assigned.set()

    results = _run(lambda: svc.recompute_clocks(), assign)
    assert results[0] == 1 and results[1] is None, results
    with db.read_session() as s:
        c = s.get(Consultation, cid)
    assert c.status == "assigned" and c.expert_due_at == clock.deadline(c.assigned_at, 5)
    assert c.due_at == clock.deadline(c.created_at, 5)


def test_a_write_that_lost_a_race_is_refused_as_changed_meanwhile(world, monkeypatch):
    """Whatever StaleDataError still comes out of a write is the service's "changed meanwhile" refusal."""
    cid = _ask(world)
    real_shortlist = directory.shortlist

    def shortlist(session, c, **kwargs):   # someone else's write lands between the read and the flush
        session.execute(update(Consultation.__table__).where(Consultation.id == c.id)
                        .values(version=Consultation.__table__.c.version + 1))
        return real_shortlist(session, c, **kwargs)

    monkeypatch.setattr(directory, "shortlist", shortlist)
    with pytest.raises(errors.Stale):
        svc.assign(world.p("staff_zj"), cid, world.experts["best"])
    with db.read_session() as s:
        assert s.get(Consultation, cid).status == "new"      # nothing was written


def test_four_overdue_sweeps_at_once_notify_each_consultation_once(world):
    n = 300
    created = MONDAY - timedelta(days=30)
    with db.write_session() as s:
        s.execute(insert(Consultation), [
            {"company": f"Co {i}", "question": "Q", "sub_centre_id": world.zj, "status": "accepted",
             "expert_id": world.experts["best"], "created_at": created, "assigned_at": created,
             "updated_at": created, "urgency": "normal", "version": 1, "due_at": created + timedelta(days=5)}
            for i in range(n)])
        ids = list(s.scalars(select(Consultation.id)))
    assert len(ids) == n
    now = MONDAY
    results = _run(*[lambda: sweep.notify_overdue(now, chunk=20)] * 4, timeout=120)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == n
    staff = world.p("staff_zj")
    with db.read_session() as s:
        per = dict(s.execute(select(Notification.consultation_id, func.count())
                             .where(Notification.kind == "overdue", Notification.user_id == staff.id)
                             .group_by(Notification.consultation_id)).all())
        unmarked = s.scalar(select(func.count()).select_from(Consultation)
                            .where(Consultation.overdue_notified_at.is_(None)))
        audited = [i for d in s.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "consultation.overdue_notified")) for i in d["ids"]]
    assert per == {cid: 1 for cid in ids}
    assert unmarked == 0
    assert sorted(audited) == sorted(ids)
    assert sweep.notify_overdue(now) == 0
