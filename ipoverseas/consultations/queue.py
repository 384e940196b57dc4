"""Staff's triage queue of open consultations: filtered, sorted, counted and paged in SQL on
the clock facts the workflow stores on each row (`clock.Facts`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy import case as sql_case

from ipoverseas.access import policy
from ipoverseas.core import db
from ipoverseas.consultations import states
from ipoverseas.access.policy import Principal
from ipoverseas.consultations.workflow import LIST_COLUMNS, OPEN, overdue_sql, sql_flag, with_clocks
from ipoverseas.core.models import Consultation, Expert, SubCentre, utcnow


def _queue_filter(only: str | None, now: datetime):
    if only == "new":
        return Consultation.status == "new"
    if only == "overdue":
        return overdue_sql(now)
    if only == "at_risk":
        return and_(Consultation.answered_at.is_(None), Consultation.at_risk_at <= now,
                    or_(Consultation.due_at.is_(None), Consultation.due_at >= now))
    if only == "stale":
        return and_(Consultation.status == "assigned", Consultation.assigned_at <= states.stale_before(now))
    if only in (None, "all"):
        return true()
    raise ValueError(f"unknown queue filter {only!r}")


QUEUE_FILTERS = ("overdue", "at_risk", "new", "stale")


def queue(user: Principal, *, now: datetime | None = None, only: str | None = None,
          limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Staff's triage queue: open consultations of the sub-centre (admin: all), one page.

    Sorted by the enterprise's deadline (soonest first, none last), then by the service
    clock: the running clocks by their due time (the most urgent first: for running clocks
    that is also the largest share of the promise used), then the stopped ones (paused short
    of the promise, or answered and back with a follow-up question), oldest first.
    `only`: "overdue", "at_risk", "new" or "stale". Filtered, sorted, counted and paged in
    SQL on the stored clock facts; only the page's rows get a full clock (for its text).
    """
    policy.require(user, "triage_consultation")
    now = now or utcnow()
    where = [policy.where(user, "triage_consultation"), Consultation.status.in_(OPEN), _queue_filter(only, now)]
    running_due = sql_case((Consultation.answered_at.is_(None), Consultation.due_at), else_=None)
    with db.read_session() as s:
        total = int(s.scalar(select(func.count()).select_from(Consultation).where(*where)) or 0)
        rows = s.execute(select(*LIST_COLUMNS, Expert.name.label("expert_name"), SubCentre.code.label("sub_centre"))
                         .outerjoin(Expert, Expert.id == Consultation.expert_id)
                         .outerjoin(SubCentre, SubCentre.id == Consultation.sub_centre_id)
                         .where(*where)
                         .order_by(Consultation.enterprise_deadline.asc().nulls_last(), running_due.asc().nulls_last(),
                                   Consultation.created_at, Consultation.id)
                         .limit(limit).offset(offset)).all()
        items = with_clocks(s, rows, now)
    for item in items:
        item["stale"] = states.is_stale(item, now)
    return items, total


def queue_counts(user: Principal, now: datetime | None = None) -> dict[str, int]:
    """How many open consultations the queue holds, and how many of each filter (one SQL query)."""
    policy.require(user, "triage_consultation")
    now = now or utcnow()
    counts = [func.count().label("open")] + [
        func.coalesce(func.sum(sql_flag(_queue_filter(name, now))), 0).label(name)
        for name in QUEUE_FILTERS]
    with db.read_session() as s:
        row = s.execute(select(*counts).select_from(Consultation)
                        .where(policy.where(user, "triage_consultation"), Consultation.status.in_(OPEN))).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}
