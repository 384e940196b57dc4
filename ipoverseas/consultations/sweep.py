"""The overdue sweep: notify when an open consultation goes past the promise (for cron:
`python -m ipoverseas notify-overdue`; the staff queue page runs it too, at most every 10 minutes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select, update

from ipoverseas.audit import trail
from ipoverseas.core import db
from ipoverseas.accounts import notifications
from ipoverseas.consultations.workflow import OPEN, overdue_sql, staff_of
from ipoverseas.core.models import Consultation, User, utcnow


def notify_overdue(now: datetime | None = None, chunk: int = 500) -> int:
    """Notify the sub-centre's staff and the assigned expert when an open consultation goes
    past the promise; returns how many consultations were notified.

    Idempotent, for cron: each consultation is claimed by setting `overdue_notified_at` in the
    same transaction as its notifications (`UPDATE ... WHERE overdue_notified_at IS NULL`), so
    running it again, or twice at once, notifies nobody twice for the same overdue event.
    """
    now = now or utcnow()
    table = Consultation.__table__
    due = and_(table.c.status.in_(OPEN), overdue_sql(now, table.c.due_at, table.c.answered_at),
               table.c.overdue_notified_at.is_(None))
    done = 0
    while True:
        with db.read_session() as s:   # no write (nor a revision bump) when there is nothing to do
            if s.scalar(select(table.c.id).where(due).limit(1)) is None:
                return done
        with db.write_session() as s:
            # Locked in id order; rows another writer holds (a transition, recompute-clocks) are left
            # for the next run, so sweeps never wait on (or deadlock with) them.
            ids = list(s.scalars(select(table.c.id).where(due).order_by(table.c.id).limit(chunk)
                                 .with_for_update(skip_locked=True)))
            if not ids:
                return done
            claimed = s.execute(update(table).where(table.c.id.in_(ids), due).values(overdue_notified_at=now)
                                .returning(table.c.id, table.c.sub_centre_id, table.c.expert_id,
                                           table.c.company)).all()
            staff = {sc: staff_of(s, sc) for sc in {r.sub_centre_id for r in claimed}}
            experts_users: dict[int, list[int]] = {}
            for uid, eid in s.execute(select(User.id, User.expert_id).where(
                    User.expert_id.in_({r.expert_id for r in claimed if r.expert_id}), User.active.is_(True))):
                experts_users.setdefault(eid, []).append(uid)
            for r in sorted(claimed):
                notifications.notify(s, staff[r.sub_centre_id] + experts_users.get(r.expert_id, []), "overdue",
                                     r.id, r.company)
            if claimed:
                trail.record(s, None, "consultation.overdue_notified", "consultation", None,
                             detail={"ids": sorted(r.id for r in claimed)})
            done += len(claimed)
