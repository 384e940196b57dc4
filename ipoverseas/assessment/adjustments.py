"""The admin's hand on the assessment: an item's points overridden with a reason (the centre's
judgement is set the same way), and a year frozen when it is final. Every step is audited.

The events are on the year (entity `assessment_year`), so the year's history lists them all.
A frozen year keeps its snapshot (the scorecard as it stood, and the rubric version): later data
no longer move it, overrides are refused until the admin unfreezes it (with a reason).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.audit import trail
from ipoverseas.core import db, errors
from ipoverseas.core.models import AssessmentFreeze, AssessmentOverride, SubCentre, utcnow
from . import rubric as rubric_mod, scorecard

MAX_REASON = 2000


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.Invalid("assessment.reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise errors.Invalid("assessment.reason_too_long", field="reason", max=MAX_REASON)
    return reason


def _points(raw: Any, maximum: float) -> float:
    try:
        points = float(raw)
    except (TypeError, ValueError):
        raise errors.Invalid("assessment.points_not_a_number", field="points", value=str(raw)[:20])
    if points != points or not 0 <= points <= maximum:   # NaN or out of range
        raise errors.Invalid("assessment.points_range", field="points", max=f"{maximum:g}")
    return round(points, 2)


def _open_year(session, year: int) -> None:
    if session.get(AssessmentFreeze, year) is not None:
        raise errors.NotNow("assessment.frozen", year=year)


def _override(session, year: int, sub_centre_id: int, item: str) -> AssessmentOverride | None:
    """The item's override in that year, locked for the change."""
    return session.scalar(select(AssessmentOverride).where(
        AssessmentOverride.year == year, AssessmentOverride.sub_centre_id == sub_centre_id,
        AssessmentOverride.item == item).with_for_update())


def set_override(user, year: Any, sub_centre_id: int, item: str, points: Any, reason: str) -> None:
    """Give an item of a sub-centre's assessment these points, for this reason (replacing an
    earlier override). Refused for a frozen year, an unknown item or points beyond the item's."""
    year = scorecard.check_year(year)
    policy.require(user, "adjust_assessment", {"sub_centre_id": sub_centre_id})
    spec = rubric_mod.current().item(item)
    if spec is None:
        raise errors.Invalid("assessment.unknown_item", field="item", item=str(item)[:40])
    value, why = _points(points, spec.points), _reason(reason)
    with db.write_session() as s:
        _open_year(s, year)
        if s.get(SubCentre, sub_centre_id) is None:
            raise errors.NotFound("assessment.no_sub_centre")
        row = _override(s, year, sub_centre_id, item)
        before = {"points": row.points, "reason": row.reason} if row else None
        if row is None:
            row = AssessmentOverride(year=year, sub_centre_id=sub_centre_id, item=item, points=value, reason=why)
            s.add(row)
        row.points, row.reason, row.set_by, row.set_at = value, why, user.id, utcnow()
        s.flush()
        trail.record(s, user, "assessment.override", "assessment_year", year, before=before,
                     after={"points": value, "reason": why}, detail={"sub_centre_id": sub_centre_id, "item": item})


def remove_override(user, year: Any, sub_centre_id: int, item: str, reason: str) -> None:
    """Take an override back: the item's computed points count again."""
    year = scorecard.check_year(year)
    policy.require(user, "adjust_assessment", {"sub_centre_id": sub_centre_id})
    why = _reason(reason)
    with db.write_session() as s:
        _open_year(s, year)
        row = _override(s, year, sub_centre_id, item)
        if row is None:
            raise errors.NotFound("assessment.no_override")
        trail.record(s, user, "assessment.override_remove", "assessment_year", year,
                     before={"points": row.points, "reason": row.reason}, after=None,
                     detail={"sub_centre_id": sub_centre_id, "item": item, "reason": why})
        s.delete(row)


def freeze(user, year: Any, *, today=None, now=None) -> None:
    """Make the year's assessment final: its scorecard (every sub-centre, every item, the
    overrides) is stored as it stands now, with the rubric version."""
    year = scorecard.check_year(year)
    policy.require(user, "adjust_assessment")
    rub = rubric_mod.current()
    rows, as_of = scorecard.live_rows(year, rub, today=today, now=now)
    if not rows:
        raise errors.NotNow("assessment.nothing_to_freeze", year=year)
    with db.write_session() as s:
        _open_year(s, year)
        s.add(AssessmentFreeze(year=year, rubric_version=rub.version, snapshot=scorecard.to_snapshot(rows, as_of),
                               frozen_by=user.id, frozen_at=utcnow()))
        s.flush()
        trail.record(s, user, "assessment.freeze", "assessment_year", year, after={"frozen": True},
                     detail={"rubric_version": rub.version, "sub_centres": len(rows), "as_of": as_of,
                             "totals": {r.code: r.total for r in rows}})


def unfreeze(user, year: Any, reason: str) -> None:
    """Open a frozen year again (the live figures count again), for a written reason."""
    year = scorecard.check_year(year)
    policy.require(user, "adjust_assessment")
    why = _reason(reason)
    with db.write_session() as s:
        row = s.get(AssessmentFreeze, year)
        if row is None:
            raise errors.NotNow("assessment.not_frozen", year=year)
        trail.record(s, user, "assessment.unfreeze", "assessment_year", year, before={"frozen": True},
                     after={"frozen": False}, detail={"reason": why, "rubric_version": row.rubric_version,
                                                      "frozen_at": row.frozen_at})
        s.delete(row)

