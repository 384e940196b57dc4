"""The service promise's compliance figures, per sub-centre or per expert, over a period:
aggregated in SQL on the clock facts the workflow stores on each row (`clock.Facts`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, null, select
from sqlalchemy import case as sql_case

from ipoverseas.access import policy
from ipoverseas.core import db
from ipoverseas.experts import directory
from ipoverseas.consultations import calendar
from ipoverseas.access.policy import Principal
from ipoverseas.consultations.workflow import OPEN, overdue_sql, sql_flag
from ipoverseas.core.models import Consultation, Expert, SubCentre, utcnow


_BY = {  # the clock each grouping measures: the service's (from the question) or the expert's
    "sub_centre": (Consultation.sub_centre_id, Consultation.due_at, Consultation.first_answer_days,
                   Consultation.answered_on_time),
    "expert": (Consultation.expert_id, Consultation.expert_due_at, Consultation.expert_answer_days,
               Consultation.expert_on_time),
}


def figures(user: Principal, start: date, end: date, *, by: str = "sub_centre",
               now: datetime | None = None) -> list[dict]:
    """Service-promise figures for consultations asked in [start, end], per sub-centre or expert.

    Rows: key, name, asked, answered, on_time, due, on_time_share, median_first_answer_days,
    open_overdue. Staff see their sub-centre's; admin all. Experts are measured from their
    (last) assignment, sub-centres from the question. Aggregated in SQL on the stored clock
    facts (`clock.Facts`); the median with window functions (the same SQL on both databases).

    The rule for the share answered on time (`on_time / due`): a consultation is "due" once
    it is answered (on time or not), or once its promise ran out without an answer: while
    open, when now is past the deadline; when closed without an answer, only if it was closed
    after the deadline (a miss). One withdrawn or closed by the enterprise before the deadline,
    or still within its promise, or paused short of it, is left out of the share. A closed
    consultation is never "open overdue".
    """
    policy.require(user, "read_compliance")
    if by not in _BY:
        raise ValueError("by must be sub_centre or expert")
    now = now or utcnow()
    key, due_at, days, on_time = _BY[by]
    lo = calendar.from_local(datetime.combine(start, datetime.min.time()))
    hi = calendar.from_local(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    where = [policy.where(user, "read_compliance"), Consultation.created_at >= lo, Consultation.created_at < hi, key.is_not(None)]
    missed_unanswered = promise_ran_out(now, due_at)
    agg = (select(key.label("key"), func.count().label("asked"), func.count(days).label("answered"),
                  func.sum(sql_flag(on_time.is_(True))).label("on_time"),
                  func.sum(sql_flag(missed_unanswered)).label("missed_unanswered"),
                  func.sum(sql_flag(and_(Consultation.status.in_(OPEN), overdue_sql(now, due_at))))
                  .label("open_overdue"))
           .where(*where).group_by(key).subquery())
    median = directory.median_by(key, days, where)
    if by == "expert":
        names = (Expert.name.label("name"), null().label("name_zh"), null().label("name_en"))
        joined = select(agg, median.c.median, *names).outerjoin(Expert, Expert.id == agg.c.key)
    else:
        names = (SubCentre.code.label("name"), SubCentre.name_zh, SubCentre.name_en)
        joined = select(agg, median.c.median, *names).outerjoin(SubCentre, SubCentre.id == agg.c.key)
    stmt = joined.outerjoin(median, median.c.key == agg.c.key).order_by(agg.c.asked.desc(), names[0], agg.c.key)
    with db.read_session() as s:
        rows = s.execute(stmt).all()
    out = []
    for r in rows:
        answered, on_time_n = int(r.answered), int(r.on_time or 0)
        due = answered + int(r.missed_unanswered or 0)
        out.append({"key": r.key, "name": r.name, "name_zh": r.name_zh, "name_en": r.name_en,
                    "asked": int(r.asked), "answered": answered, "on_time": on_time_n, "due": due,
                    "on_time_share": on_time_n / due if due else None,
                    "median_first_answer_days": round(float(r.median), 2) if r.median is not None else None,
                    "open_overdue": int(r.open_overdue or 0)})
    return out


def promise_ran_out(now: datetime, due_at=None):
    """SQL: unanswered and past the promise when it stopped (a closed consultation at its closing,
    an open one now): a miss that counts in the on-time share's denominator."""
    stopped = sql_case((Consultation.status == "closed", func.coalesce(Consultation.closed_at, now)), else_=now)
    return overdue_sql(stopped, Consultation.due_at if due_at is None else due_at)


def totals(groups: list[dict]) -> dict:
    """The same figures over all groups (medians cannot be combined, so they are left out)."""
    due = sum(g["due"] for g in groups)
    return {"asked": sum(g["asked"] for g in groups), "answered": sum(g["answered"] for g in groups),
            "on_time": sum(g["on_time"] for g in groups), "due": due,
            "on_time_share": (sum(g["on_time"] for g in groups) / due) if due else None,
            "open_overdue": sum(g["open_overdue"] for g in groups)}
