"""The evidence of an assessed point: the records an item's measure was computed from (the
reports, cases, consultations, transfers, activities, articles, experts), each with the page that
opens it, and whether it counted for the sub-centre (on time, outcome recorded...) or against it.

Read from the data as they are now, with the year's rubric (a frozen year's own version); a page at
a time, counted in SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, cast, func, select

from ipoverseas.access import policy
from ipoverseas.core import db, errors, localtime
from . import measures, scorecard

PAGE_SIZE = 50


def evidence(user, year: Any, sub_centre_id: int, item: str, part: int = 0, *, page: int = 1,
             page_size: int = PAGE_SIZE, lang: str = "zh", today: date | None = None,
             now: datetime | None = None) -> dict:
    """One page of the records behind a part of an item, for a sub-centre and year.

    Returns {"rows": [{id, day, label, counted, page}], "total", "counted", "measure", "manual"}.
    `counted` is True/False for a share (did the record count for the sub-centre), the rating for
    a mean, True for a count. Staff may see their own sub-centre's only (`Denied` otherwise).
    """
    year = scorecard.check_year(year)
    if user is not None:   # None: the server operator (the command line)
        policy.require(user, "read_assessment", {"sub_centre_id": sub_centre_id})
    spec = scorecard.year_rubric(year).item(item)
    if spec is None or not 0 <= part < len(spec.parts):
        raise errors.NotFound("assessment.unknown_item")
    p = spec.parts[part]
    measure = measures.MEASURES[p.measure]
    out = {"rows": [], "total": 0, "counted": 0, "measure": p.measure, "manual": measure.evidence is None}
    if measure.evidence is None:
        return out
    w = measures.window(year, today, now)
    sub = measure.evidence(w, sub_centre_id, p.params, lang).subquery()
    page, page_size = max(1, int(page)), max(1, min(int(page_size), 500))
    with db.read_session() as s:
        total, counted = s.execute(select(func.count(), func.sum(cast(sub.c.counted, Integer))).select_from(sub)).one()
        rows = s.execute(select(sub).order_by(sub.c.day.desc(), sub.c.id.desc())
                         .limit(page_size).offset((page - 1) * page_size)).mappings().all()
    out.update(total=int(total or 0), counted=float(counted or 0),
               rows=[{"id": r["id"], "day": _day(r["day"]), "label": r["label"] or "", "page": r["page"],
                      "counted": _counted(r["counted"], measure.unit)} for r in rows])
    return out


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return localtime.to_local(value).date()
    if isinstance(value, str):   # SQLite returns a union's dates as text
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value


def _counted(value, unit: str):
    if unit == measures.MEAN:
        return None if value is None else int(value)     # the rating itself
    return bool(value)
