"""The measures an assessment item can name: each computed in SQL for every sub-centre at once
(one grouped query), and each able to list the records its figure was computed from (its evidence).

A measure's value per sub-centre is a `Value`: the figure (a share 0..1, a count, a mean), and for
a share its numerator and denominator. A sub-centre without a `Value` has no data for that
measure in the year (nothing to measure: no consultations, no quarter ended yet...): its item then
shows "no data yet", never a made-up score.

The window is a year in Beijing time, up to `as_of` (today, for the year in progress): a report
not yet due, a quarter not yet ended or a consultation still within its promise is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable

from sqlalchemy import and_, false, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from ipoverseas.core import localtime
from ipoverseas.core.models import (Activity, Article, Case, Consultation, DutyItem, DutyType, Expert, SubCentre,
                                    Transfer, utcnow)
from ipoverseas.consultations import compliance
from ipoverseas.consultations.workflow import overdue_sql, sql_flag

MANUAL = "judgement"
SHARE, COUNT, MEAN = "share", "count", "mean"


@dataclass(frozen=True)
class Value:
    value: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Window:
    """The year being assessed, its bounds in UTC (Beijing days), and the moment it is measured at."""

    year: int
    as_of: date                 # the last Beijing day counted (31 Dec, or today in the year in progress)
    now: datetime               # UTC: open clocks are judged at this instant
    start: date = field(init=False)
    lo: datetime = field(init=False)
    hi: datetime = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "start", date(self.year, 1, 1))
        object.__setattr__(self, "lo", _utc(date(self.year, 1, 1)))
        object.__setattr__(self, "hi", _utc(date(self.year + 1, 1, 1)))

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    def quarters(self) -> list[tuple[int, date, date]]:
        """The year's quarters that have begun by `as_of`: (number, first day, last day)."""
        out = []
        for q in range(4):
            first = date(self.year, 3 * q + 1, 1)
            last = (date(self.year + 1, 1, 1) if q == 3 else date(self.year, 3 * q + 4, 1)) - timedelta(days=1)
            if first <= self.as_of:
                out.append((q + 1, first, last))
        return out


def window(year: int, today: date | None = None, now: datetime | None = None) -> Window:
    """The year measured at `now` (UTC; default: the clock, or the end of `today` when only that is
    given), never past the year's end: a past year is measured as it stood when it ended."""
    end = _utc(date(year + 1, 1, 1))
    if now is None:
        now = utcnow() if today is None else _utc(today + timedelta(days=1))
    moment = min(now, end)
    as_of = min(today or localtime.to_local(moment).date(), date(year, 12, 31))
    return Window(year, as_of, moment)


def _utc(day: date) -> datetime:
    """The UTC instant a Beijing day starts."""
    return localtime.from_local(datetime.combine(day, time()))


@dataclass(frozen=True)
class Measure:
    code: str
    unit: str
    compute: Callable[[Session, Window, dict, dict[int, date]], dict[int, Value]]
    # (window, sub-centre, params, lang) -> SELECT id, day, label, counted, page; None: nothing to list
    evidence: Callable[..., object] | None
    params: tuple[str, ...] = ()

    def check(self, params: dict) -> list[tuple[str, str]]:
        """Problems with an item's parameters: (parameter, i18n key)."""
        out = [(k, "assessment.rubric.unknown_param") for k in params if k not in self.params]
        if "duty_types" in self.params and not _strings(params.get("duty_types")):
            out.append(("duty_types", "assessment.rubric.param_list"))
        if "kinds" in self.params and not _strings(params.get("kinds")):
            out.append(("kinds", "assessment.rubric.param_list"))
        if "within_days" in self.params:
            days = params.get("within_days")
            if isinstance(days, bool) or not isinstance(days, (int, float)) or days <= 0:
                out.append(("within_days", "assessment.rubric.param_positive"))
        return out


def _strings(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def _shares(rows) -> dict[int, Value]:
    """(sub_centre_id, numerator, denominator) rows -> Values; no denominator, no value."""
    return {sc: Value(float(num or 0) / den, float(num or 0), float(den)) for sc, num, den in rows if den}


def _evidence_select(id_, day, label, counted, page: str):
    return (id_.label("id"), day.label("day"), label.label("label"), counted.label("counted"),
            literal(page).label("page"))


# --- reporting ---------------------------------------------------------------------------------

def _duties_where(w: Window, params: dict):
    """The year's reports of those types that count: due before the day measured, or due that day
    and already handed in (one due today is not missed before the day ends)."""
    return and_(DutyItem.year == w.year, DutyItem.due_on <= w.as_of,
                or_(DutyItem.due_on < localtime.to_local(w.now).date(), DutyItem.on_time.is_not(None)),
                DutyItem.duty_type_id.in_(select(DutyType.id).where(DutyType.code.in_(params["duty_types"]),
                                                                   DutyType.active.is_(True))))


def duties_on_time(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The share of the year's reports (of the named duty types) already due that were handed in by
    their due date. A report still missing after its due date counts as not on time."""
    rows = s.execute(select(DutyItem.sub_centre_id, func.sum(sql_flag(DutyItem.on_time.is_(True))), func.count())
                     .where(_duties_where(w, params)).group_by(DutyItem.sub_centre_id)).all()
    return _shares(rows)


def duties_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    name = func.coalesce(func.nullif(DutyType.name_en, ""), DutyType.name_zh) if lang == "en" else DutyType.name_zh
    label = name + literal(" ") + DutyItem.period
    return (select(*_evidence_select(DutyItem.id, DutyItem.due_on, label, DutyItem.on_time.is_(True), "reports"))
            .join(DutyType, DutyType.id == DutyItem.duty_type_id)
            .where(_duties_where(w, params), DutyItem.sub_centre_id == sc))


def quarters_with_cases(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The share of the year's quarters in which the sub-centre reported at least one case (a case
    entered or uploaded in that quarter, Beijing time). Counted: the quarters that have ended, and
    the quarter in progress once it has a case (it is not missed before it ends); not the quarters
    that ended before the sub-centre was created.

    One EXISTS per sub-centre and quarter, each a seek on ix_cases_sub_centre_created: the cost
    does not grow with the number of cases."""
    quarters = w.quarters()
    if not quarters or not created:
        return {}
    flags = [select(Case.id).where(Case.sub_centre_id == SubCentre.id, Case.created_at >= _utc(first),
                                   Case.created_at < _utc(last + timedelta(days=1))).exists()
             for _q, first, last in quarters]
    rows = s.execute(select(SubCentre.id, *flags).where(SubCentre.id.in_(list(created)))).all()
    counts = {r[0]: [bool(x) for x in r[1:]] for r in rows}
    out = {}
    for sc, since in created.items():
        got = counts.get(sc) or [False] * len(quarters)
        owed = [n for n, (_q, _first, last) in enumerate(quarters)
                if last >= since and (last <= w.as_of or got[n])]
        if owed:
            met = sum(1 for n in owed if got[n])
            out[sc] = Value(met / len(owed), float(met), float(len(owed)))
    return out


def cases_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Case.id, Case.created_at, Case.case_ref + literal(" ") + Case.title, true(),
                                     "cases"))
            .where(Case.sub_centre_id == sc, Case.created_at >= w.lo, Case.created_at < w.hi))


# --- dispute guidance --------------------------------------------------------------------------

def _asked(w: Window):
    return and_(Consultation.created_at >= w.lo, Consultation.created_at < w.hi,
                Consultation.sub_centre_id.is_not(None))


def _taken_up_due(w: Window):
    """Counted: assigned (a first assignment is known), or still unassigned past its promise."""
    return or_(Consultation.assign_days.is_not(None),
               and_(Consultation.status == "new", overdue_sql(w.now)))


def _taken_up_ok(params: dict):
    return Consultation.assign_days <= float(params["within_days"]) + 1e-9


def _consultation_figures(s: Session, w: Window, within_days: float) -> dict[int, tuple]:
    """Every consultation figure of the year per sub-centre in one pass over the covering index
    ix_consultations_assessment, kept for the other consultation measures of the same run."""
    key = ("assessment.consultations", w, within_days)
    if key not in s.info:
        answer_due, taken_up_due = _answer_due(w), _taken_up_due(w)
        closed = Consultation.status == "closed"
        rows = s.execute(select(
            Consultation.sub_centre_id,
            func.sum(sql_flag(and_(taken_up_due, _taken_up_ok({"within_days": within_days})))),
            func.sum(sql_flag(taken_up_due)),
            func.sum(sql_flag(and_(answer_due, Consultation.answered_on_time.is_(True)))),
            func.sum(sql_flag(answer_due)),
            func.sum(sql_flag(and_(closed, Consultation.followup_outcome.is_not(None)))),
            func.sum(sql_flag(closed)),
            func.sum(Consultation.rating), func.count(Consultation.rating),
        ).where(_asked(w)).group_by(Consultation.sub_centre_id)).all()
        s.info[key] = {r[0]: tuple(r[1:]) for r in rows}
    return s.info[key]


def _from_figures(s: Session, w: Window, params: dict, n: int) -> dict[int, Value]:
    figures = _consultation_figures(s, w, float(params.get("within_days", 1)))
    return _shares((sc, f[n], f[n + 1]) for sc, f in figures.items())


def consultations_taken_up(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The share of the year's consultations assigned to an expert within `within_days` working
    days of the question. A consultation still unassigned after its promise ran out counts as
    not taken up in time; one still within its promise is not counted yet."""
    return _from_figures(s, w, params, 0)


def taken_up_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Consultation.id, Consultation.created_at, Consultation.company,
                                     func.coalesce(_taken_up_ok(params), false()), "consultations"))
            .where(_asked(w), _taken_up_due(w), Consultation.sub_centre_id == sc))


def _answer_due(w: Window):
    """The compliance rule (`consultations.compliance.figures`): answered, or its promise ran out
    unanswered (open past the deadline, or closed after it)."""
    return or_(Consultation.first_answer_days.is_not(None), compliance.promise_ran_out(w.now))


def consultations_on_time(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The share of the year's consultations answered within the promise, among those answered
    or past their promise (the service-promise compliance figure)."""
    return _from_figures(s, w, params, 2)


def on_time_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Consultation.id, Consultation.created_at, Consultation.company,
                                     func.coalesce(Consultation.answered_on_time, false()), "consultations"))
            .where(_asked(w), _answer_due(w), Consultation.sub_centre_id == sc))


def _closed(w: Window):
    return and_(_asked(w), Consultation.status == "closed")


def outcomes_recorded(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The share of the year's closed consultations whose follow-up outcome was recorded."""
    return _from_figures(s, w, params, 4)


def outcomes_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Consultation.id, Consultation.created_at, Consultation.company,
                                     Consultation.followup_outcome.is_not(None), "consultations"))
            .where(_closed(w), Consultation.sub_centre_id == sc))


def mean_rating(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The enterprises' mean rating (1-5) of the year's consultations that were rated."""
    return _from_figures(s, w, params, 6)


def rating_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Consultation.id, Consultation.created_at, Consultation.company,
                                     Consultation.rating, "consultations"))
            .where(_asked(w), Consultation.rating.is_not(None), Consultation.sub_centre_id == sc))


def _transfers_due(w: Window):
    """Sent in the year, not withdrawn, and decided or past the acceptance deadline."""
    return and_(Transfer.created_at >= w.lo, Transfer.created_at < w.hi, Transfer.status != "withdrawn",
                or_(Transfer.decided_on_time.is_not(None), and_(Transfer.status == "pending", Transfer.due_at < w.now)))


def transfers_on_time(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The share of the disputes the centre transferred to the sub-centre in the year that it
    accepted, or refused with a reason, within the acceptance deadline (working days)."""
    rows = s.execute(select(Transfer.sub_centre_id, func.sum(sql_flag(Transfer.decided_on_time.is_(True))),
                            func.count()).where(_transfers_due(w)).group_by(Transfer.sub_centre_id)).all()
    return _shares(rows)


def transfers_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    label = func.coalesce(func.nullif(Transfer.company, ""), Transfer.description)
    return (select(*_evidence_select(Transfer.id, Transfer.created_at, label,
                                     func.coalesce(Transfer.decided_on_time, false()), "transfers"))
            .where(_transfers_due(w), Transfer.sub_centre_id == sc))


# --- training, publicity, resources --------------------------------------------------------------

def _activities(w: Window, kinds):
    return and_(Activity.held_on >= w.start, Activity.held_on <= w.as_of, Activity.kind.in_(kinds))


def _counts(rows) -> dict[int, Value]:
    return {sc: Value(float(n), float(n)) for sc, n in rows}


def activity_count(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """How many activities of the named kinds the sub-centre held in the year. A count is a
    measured fact: a sub-centre that held none has the value 0 (not "no data")."""
    rows = s.execute(select(Activity.sub_centre_id, func.count()).where(_activities(w, params["kinds"]))
                     .group_by(Activity.sub_centre_id)).all()
    return _zero_filled(_counts(rows), created)


def _zero_filled(values: dict[int, Value], created: dict[int, date]) -> dict[int, Value]:
    return {sc: values.get(sc, Value(0.0, 0.0)) for sc in created}


def activities_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Activity.id, Activity.held_on, Activity.title, true(), "activities"))
            .where(_activities(w, params["kinds"]), Activity.sub_centre_id == sc))


def _published(w: Window):
    return and_(Article.status == "published", Article.published_on >= w.start, Article.published_on <= w.as_of,
                Article.sub_centre_id.is_not(None))


def publication_count(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """Reports, articles or guides the sub-centre published in the year: activities of the kind
    `publication` plus its articles published in the knowledge base."""
    rows = s.execute(select(Activity.sub_centre_id, func.count()).where(_activities(w, ["publication"]))
                     .group_by(Activity.sub_centre_id)).all()
    total = {sc: n for sc, n in rows}
    for sc, n in s.execute(select(Article.sub_centre_id, func.count()).where(_published(w))
                           .group_by(Article.sub_centre_id)).all():
        total[sc] = total.get(sc, 0) + n
    return _zero_filled(_counts(total.items()), created)


def publications_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    acts = select(*_evidence_select(Activity.id, Activity.held_on, Activity.title, true(), "activities")).where(
        _activities(w, ["publication"]), Activity.sub_centre_id == sc)
    title = func.coalesce(func.nullif(Article.title_en, ""), Article.title_zh) if lang == "en" else Article.title_zh
    arts = select(*_evidence_select(Article.id, Article.published_on, title, true(), "guides")).where(
        _published(w), Article.sub_centre_id == sc)
    union = union_all(acts, arts).subquery()
    return select(union.c.id, union.c.day, union.c.label, union.c.counted, union.c.page)


def _experts(w: Window):
    return and_(Expert.active.is_(True), Expert.created_at < w.hi, Expert.sub_centre_id.is_not(None))


def expert_count(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """The sub-centre's active experts (its pool, pro-bono lawyers included) registered by the
    end of the year."""
    rows = s.execute(select(Expert.sub_centre_id, func.count()).where(_experts(w)).group_by(Expert.sub_centre_id)).all()
    return _zero_filled(_counts(rows), created)


def experts_evidence(w: Window, sc: int, params: dict, lang: str = "zh"):
    return (select(*_evidence_select(Expert.id, Expert.created_at, Expert.name, true(), "experts"))
            .where(_experts(w), Expert.sub_centre_id == sc))


def judgement(s: Session, w: Window, params: dict, created: dict[int, date]) -> dict[int, Value]:
    """Set by the admin with a written reason (an override of the item); no data until then."""
    return {}


MEASURES: dict[str, Measure] = {m.code: m for m in [
    Measure("duties_on_time", SHARE, duties_on_time, duties_evidence, ("duty_types",)),
    Measure("quarters_with_cases", SHARE, quarters_with_cases, cases_evidence),
    Measure("consultations_taken_up", SHARE, consultations_taken_up, taken_up_evidence, ("within_days",)),
    Measure("consultations_on_time", SHARE, consultations_on_time, on_time_evidence),
    Measure("outcomes_recorded", SHARE, outcomes_recorded, outcomes_evidence),
    Measure("mean_rating", MEAN, mean_rating, rating_evidence),
    Measure("transfers_on_time", SHARE, transfers_on_time, transfers_evidence),
    Measure("activity_count", COUNT, activity_count, activities_evidence, ("kinds",)),
    Measure("publication_count", COUNT, publication_count, publications_evidence),
    Measure("expert_count", COUNT, expert_count, experts_evidence),
    Measure(MANUAL, COUNT, judgement, None),
]}


def sub_centres_assessed(s: Session, w: Window) -> dict[int, date]:
    """The sub-centres assessed for the year (active, created by its end): id -> the Beijing day
    they were created (measures that owe something per period start there)."""
    rows = s.execute(select(SubCentre.id, SubCentre.created_at)
                     .where(SubCentre.active.is_(True), SubCentre.created_at < w.hi)).all()
    return {sc: max(localtime.to_local(at).date(), w.start) if at else w.start for sc, at in rows}

