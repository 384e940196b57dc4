"""Data quality per sub-centre (issue 17): how complete a sub-centre's case records are, how late
they are reported, how many of them were found to be possibly another sub-centre's dispute, and
how many came back from review. One SQL aggregate over the cases grouped by sub-centre, under the
policy (`read_data_quality`: staff their own sub-centre, admin all); the page caches it by the
database revision. The assessment can read the same figures (`figures`).

    figure            meaning
    cases             the sub-centre's case records (every review state)
    forum ... lessons the share of them with the key field filled: forum, docket number, filing
                      date, outcome, amount, lessons (not blank)
    lag_days          the mean days from the dispute's filing to its report (the record's creation), over
                      the records with a filing date on or before the report
    duplicates        pairs in the duplicate queue (any state) with one of the sub-centre's records
    returned          records returned by the national centre's review (now in the state "returned")
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, case, cast, func, select

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.core import db, errors
from ipoverseas.core.models import Case, SubCentre
from ipoverseas.sharing import duplicates

FIELDS = ("forum", "docket_no", "filed_on", "outcome", "amount_usd", "lessons")


def _filled(name: str):
    column = getattr(Case, name)
    condition = (column != "") if name == "lessons" else column.is_not(None)
    return func.sum(case((condition, 1), else_=0))


def _lag(dialect: str):
    if dialect == "sqlite":
        return func.julianday(func.date(Case.created_at)) - func.julianday(Case.filed_on)
    return cast(Case.created_at, Date) - Case.filed_on


def figures(user: Principal) -> list[dict[str, Any]]:
    """One row per sub-centre in the user's view, by code: the figures above (shares 0..1, None when
    the sub-centre has no case)."""
    if not policy.can(user, "read_data_quality"):
        raise errors.Denied(action="read_data_quality")
    with db.read_session() as s:
        dialect = s.bind.dialect.name
        lag = _lag(dialect)
        reported = func.date(Case.created_at) if dialect == "sqlite" else cast(Case.created_at, Date)
        known = Case.filed_on.is_not(None) & (reported >= Case.filed_on)
        stmt = (select(Case.sub_centre_id, func.count(), *[_filled(f) for f in FIELDS],
                       func.avg(case((known, lag), else_=None)),
                       func.sum(case((Case.review_status == "returned", 1), else_=0)))
                .where(policy.where(user, "read_data_quality")).group_by(Case.sub_centre_id))
        by_centre = {row[0]: row[1:] for row in s.execute(stmt)}
        found = duplicates.found_by_sub_centre(s)
        centres = s.execute(select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en)
                            .where(policy.where(user, "read_data_quality", _CentreAsRecord))
                            .order_by(SubCentre.code)).all()
    out = []
    for centre in centres:
        row = by_centre.get(centre.id)
        n = int(row[0]) if row else 0
        item = {"sub_centre_id": centre.id, "code": centre.code, "name_zh": centre.name_zh, "name_en": centre.name_en,
                "cases": n}
        for i, name in enumerate(FIELDS, start=1):
            item[name] = (float(row[i]) / n) if n else None
        item["lag_days"] = round(float(row[len(FIELDS) + 1]), 1) if row and row[len(FIELDS) + 1] is not None else None
        item["returned"] = int(row[len(FIELDS) + 2] or 0) if row else 0
        item["duplicates"] = found.get(centre.id, 0)
        out.append(item)
    return out


class _CentreAsRecord:
    """The sub-centres table seen as records with a `sub_centre_id` (its `id`), for the policy's SQL."""

    sub_centre_id = SubCentre.id
