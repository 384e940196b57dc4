"""The year's figures for the work summary, per sub-centre: cases reported, consultations and their
on-time share, ratings, follow-up outcomes and losses avoided, activities, experts, transfers, and
the typical cases selected. Each figure is one SQL query grouped by sub-centre.

The rules are the assessment's (`measures`), so the summary's numbers equal the scorecard's: the
year in Beijing time up to `as_of`; a consultation counts towards the on-time share once answered
or past its promise (the compliance rule of `consultations.compliance.figures`, which
`measures._answer_due` states in SQL); experts active and registered by the year's end.

No policy here: `summary.draft` decides which sub-centres a user may see and asks for those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipoverseas.consultations.workflow import sql_flag
from ipoverseas.core import db
from ipoverseas.core.models import Activity, Case, Consultation, Expert, SubCentre, Transfer
from . import measures


@dataclass(frozen=True)
class Centre:
    id: int
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


@dataclass(frozen=True)
class Consultations:
    asked: int = 0
    answered: int = 0
    on_time: int = 0
    due: int = 0                     # answered, or past the promise unanswered: the share's denominator
    rated: int = 0
    rating_sum: int = 0
    losses_avoided: Decimal = Decimal(0)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def mean_rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None


@dataclass(frozen=True)
class Activities:
    count: int = 0
    participants: int = 0
    enterprises: int = 0


@dataclass(frozen=True)
class Transfers:
    received: int = 0                # sent in the year, not withdrawn
    accepted: int = 0
    refused: int = 0
    on_time: int = 0                 # accepted or refused within the deadline
    due: int = 0                     # decided, or past the deadline undecided (the scorecard's rule)


@dataclass(frozen=True)
class TypicalCase:
    sub_centre_id: int
    case_id: int
    title: str
    country: str
    dispute_type: str
    distinction: str
    lessons: str


@dataclass
class YearFigures:
    year: int
    as_of: date
    centres: list[Centre]
    cases_by_country: dict[int, dict[str, int]] = field(default_factory=dict)
    cases_by_type: dict[int, dict[str, int]] = field(default_factory=dict)
    consultations: dict[int, Consultations] = field(default_factory=dict)
    outcomes: dict[int, dict[str, int]] = field(default_factory=dict)
    activities: dict[int, dict[str, Activities]] = field(default_factory=dict)
    experts: dict[int, int] = field(default_factory=dict)
    transfers: dict[int, Transfers] = field(default_factory=dict)
    typical: list[TypicalCase] = field(default_factory=list)

    def cases(self, sc: int) -> int:
        return sum(self.cases_by_country.get(sc, {}).values())

    def total_consultations(self) -> Consultations:
        rows = [self.consultations[c.id] for c in self.centres if c.id in self.consultations]
        return Consultations(*(sum((getattr(r, f) for r in rows), start) for f, start in
                               (("asked", 0), ("answered", 0), ("on_time", 0), ("due", 0), ("rated", 0),
                                ("rating_sum", 0), ("losses_avoided", Decimal(0)))))

    def total_transfers(self) -> Transfers:
        rows = [self.transfers[c.id] for c in self.centres if c.id in self.transfers]
        return Transfers(*(sum(getattr(r, f) for r in rows) for f in Transfers.__dataclass_fields__))


def _nested(rows) -> dict[int, dict[str, int]]:
    """(sub-centre, key, count) rows -> {sub-centre: {key: count}}, counts of a repeated key added."""
    out: dict[int, dict[str, int]] = {}
    for sc, key, n in rows:
        counts = out.setdefault(sc, {})
        counts[key] = counts.get(key, 0) + int(n)
    return out


def _consultations(s: Session, w: measures.Window, where) -> dict[int, Consultations]:
    asked = measures._asked(w)
    rows = s.execute(select(Consultation.sub_centre_id, func.count(), func.count(Consultation.first_answer_days),
                            func.sum(sql_flag(Consultation.answered_on_time.is_(True))),
                            func.sum(sql_flag(measures._answer_due(w))), func.count(Consultation.rating),
                            func.sum(Consultation.rating), func.sum(Consultation.loss_avoided_cny))
                     .where(asked, where(Consultation.sub_centre_id)).group_by(Consultation.sub_centre_id)).all()
    return {sc: Consultations(int(n), int(answered), int(on_time or 0), int(due or 0), int(rated), int(rating or 0),
                              Decimal(loss or 0))
            for sc, n, answered, on_time, due, rated, rating, loss in rows}


def _transfers(s: Session, w: measures.Window, where) -> dict[int, Transfers]:
    received = (Transfer.created_at >= w.lo) & (Transfer.created_at < w.hi) & (Transfer.status != "withdrawn")
    rows = s.execute(select(Transfer.sub_centre_id, func.count(), func.sum(sql_flag(Transfer.status == "accepted")),
                            func.sum(sql_flag(Transfer.status == "refused")),
                            func.sum(sql_flag(Transfer.decided_on_time.is_(True))),
                            func.sum(sql_flag(measures._transfers_due(w))))
                     .where(received, where(Transfer.sub_centre_id)).group_by(Transfer.sub_centre_id)).all()
    return {sc: Transfers(*(int(v or 0) for v in values)) for sc, *values in rows}


def _activities(s: Session, w: measures.Window, where) -> dict[int, dict[str, Activities]]:
    rows = s.execute(select(Activity.sub_centre_id, Activity.kind, func.count(), func.sum(Activity.participants),
                            func.sum(Activity.enterprises_reached))
                     .where(Activity.held_on >= w.start, Activity.held_on <= w.as_of, where(Activity.sub_centre_id))
                     .group_by(Activity.sub_centre_id, Activity.kind)).all()
    out: dict[int, dict[str, Activities]] = {}
    for sc, kind, n, people, firms in rows:
        out.setdefault(sc, {})[kind] = Activities(int(n), int(people or 0), int(firms or 0))
    return out


def _typical(s: Session, w: measures.Window, where) -> list[TypicalCase]:
    rows = s.execute(select(Case.sub_centre_id, Case.id, Case.title, Case.country, Case.dispute_type,
                            Case.distinction, Case.lessons)
                     .where(Case.distinction.is_not(None), Case.published_at >= w.lo, Case.published_at < w.hi,
                            where(Case.sub_centre_id))
                     .order_by(Case.sub_centre_id, Case.published_at, Case.id)).all()
    return [TypicalCase(*r[:6], r[6] or "") for r in rows]


def compute(year: int, sub_centre_ids: list[int] | None = None, *, today: date | None = None,
            now: datetime | None = None) -> YearFigures:
    """The year's figures for these sub-centres (None: every sub-centre the year assesses)."""
    w = measures.window(year, today, now)
    with db.read_session() as s:
        assessed = measures.sub_centres_assessed(s, w)
        ids = sorted(assessed if sub_centre_ids is None else sub_centre_ids)

        def where(column):
            return column.in_(ids)

        centres = [Centre(*r) for r in s.execute(select(SubCentre.id, SubCentre.code, SubCentre.name_zh,
                                                        func.coalesce(SubCentre.name_en, ""))
                                                 .where(where(SubCentre.id)).order_by(SubCentre.code)).all()]
        year_cases = (Case.created_at >= w.lo) & (Case.created_at < w.hi) & where(Case.sub_centre_id)
        out = YearFigures(year, w.as_of, centres)
        pairs = s.execute(select(Case.sub_centre_id, Case.country, Case.dispute_type, func.count()).where(year_cases)
                          .group_by(Case.sub_centre_id, Case.country, Case.dispute_type)).all()   # one pass
        out.cases_by_country = _nested((sc, country, n) for sc, country, _type, n in pairs)
        out.cases_by_type = _nested((sc, kind, n) for sc, _country, kind, n in pairs)
        out.consultations = _consultations(s, w, where)
        out.outcomes = _nested(s.execute(
            select(Consultation.sub_centre_id, Consultation.followup_outcome, func.count())
            .where(measures._asked(w), Consultation.followup_outcome.is_not(None), where(Consultation.sub_centre_id))
            .group_by(Consultation.sub_centre_id, Consultation.followup_outcome)).all())
        out.activities = _activities(s, w, where)
        out.experts = {sc: int(n) for sc, n in s.execute(
            select(Expert.sub_centre_id, func.count()).where(measures._experts(w), where(Expert.sub_centre_id))
            .group_by(Expert.sub_centre_id)).all()}
        out.transfers = _transfers(s, w, where)
        out.typical = _typical(s, w, where)
    return out
