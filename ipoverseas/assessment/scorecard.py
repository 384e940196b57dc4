"""The year's scorecard: every sub-centre's points per item and section, its total and rank, and
the change from the year before, computed from the shared database on the rubric in force.

Each part of an item is one grouped SQL query for all sub-centres (`measures`); its points follow
from the value through the part's scale (`rubric.Scale`). An item without data in any of its parts
has no points ("no data yet", `points is None`), never a made-up score; the total adds the points
there are, and `assessable` says out of how many. The admin's override of an item (with a reason)
replaces the computed points and shows beside them. A frozen year (`adjustments.freeze`) is read
from its snapshot; the live figures then only show what would differ.

Staff see their own sub-centre's row and the network's median per item, not the other rows.
"""

from __future__ import annotations

import statistics
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.core import config, db, errors, localtime
from ipoverseas.core.models import AssessmentFreeze, AssessmentOverride, SubCentre, User
from ipoverseas.network import duties
from . import measures, rubric as rubric_mod

MIN_YEAR, MAX_YEAR = 2000, 2200


@dataclass(frozen=True)
class PartScore:
    measure: str
    unit: str                     # share | count | mean
    points_max: float
    value: float | None           # None: no data yet
    numerator: float | None
    denominator: float | None
    points: float | None


@dataclass(frozen=True)
class ItemScore:
    item: str
    section: str
    points_max: float
    parts: tuple[PartScore, ...]
    computed: float | None        # from the measures; None: no data yet
    override: float | None        # the admin's points, with `reason`
    reason: str
    points: float | None          # what counts: the override, else the computed points

    @property
    def assessable(self) -> float:
        """Of the item's points, how many could be given (data exist, or the admin set them)."""
        if self.override is not None:
            return self.points_max
        return sum(p.points_max for p in self.parts if p.points is not None)


@dataclass(frozen=True)
class Row:
    sub_centre_id: int
    code: str
    name_zh: str
    name_en: str
    province: str | None
    items: dict[str, ItemScore]
    sections: dict[str, float | None]
    total: float
    assessable: float
    rank: int = 0
    previous_total: float | None = None

    @property
    def change(self) -> float | None:
        return None if self.previous_total is None else round(self.total - self.previous_total, 2)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


@dataclass(frozen=True)
class Difference:
    sub_centre_id: int
    item: str
    frozen: float | None
    live: float | None


@dataclass
class Scorecard:
    year: int
    rubric: rubric_mod.Rubric
    rows: list[Row]                     # the rows this user may see, by rank
    medians: dict[str, float | None]    # per item, over the whole network
    section_medians: dict[str, float | None]
    total_median: float | None
    network_size: int                   # sub-centres assessed
    frozen_at: datetime | None = None
    frozen_by: int | None = None
    differences: list[Difference] = field(default_factory=list)
    as_of: date | None = None
    frozen_by_name: str = ""

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    def row(self, sub_centre_id: int) -> Row | None:
        return next((r for r in self.rows if r.sub_centre_id == sub_centre_id), None)


def check_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise errors.Invalid("assessment.bad_year", field="year", year=str(year)[:10])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise errors.Invalid("assessment.bad_year", field="year", year=year)
    return year


def _round(x: float | None) -> float | None:
    return None if x is None else round(x + 0.0, 2)


def _part_points(part: rubric_mod.Part, value: measures.Value | None) -> PartScore:
    unit = measures.MEASURES[part.measure].unit
    if value is None:
        return PartScore(part.measure, unit, part.points, None, None, None, None)
    share = part.scale.share(value.value)
    return PartScore(part.measure, unit, part.points, value.value, value.numerator, value.denominator,
                     None if share is None else _round(part.points * share))


def _item(item: rubric_mod.Item, values: list[dict[int, measures.Value]], sc: int,
          override: AssessmentOverride | None) -> ItemScore:
    parts = tuple(_part_points(p, v.get(sc)) for p, v in zip(item.parts, values))
    got = [p.points for p in parts if p.points is not None]
    computed = _round(sum(got)) if got else None
    points = override.points if override is not None else computed
    return ItemScore(item.code, item.section, item.points, parts, computed,
                     override.points if override is not None else None, override.reason if override else "",
                     _round(points))


_LIVE: "OrderedDict[tuple, tuple[list[Row], date]]" = OrderedDict()
_LIVE_LOCK = threading.Lock()     # the server's sessions run in threads
LIVE_ENTRIES = 32


def live_rows(year: int, rub: rubric_mod.Rubric, *, today: date | None = None,
              now: datetime | None = None) -> tuple[list[Row], date]:
    """Every assessed sub-centre's row for the year, from the data as they are (no policy: the
    callers filter), ranked. One query per measure part, grouped by sub-centre.

    Kept by the database revision (any write anywhere bumps it) and the day measured, so the
    page's views of a year (its previous year, the trend) compute each year once."""
    if year <= (today or localtime.today()).year:
        duties.ensure_year(year)   # the year's reports exist once asked for
    w = measures.window(year, today, now)
    # the year in progress is measured at the clock: its rows are kept for the hour at most
    key = (config.database_url(), db.revision(), year, rub.version, w.as_of, w.now.replace(minute=0, second=0,
                                                                                          microsecond=0))
    with _LIVE_LOCK:
        if key in _LIVE:
            _LIVE.move_to_end(key)
            return _LIVE[key]
    found = _live_rows(w, rub)
    with _LIVE_LOCK:
        _LIVE[key] = found
        while len(_LIVE) > LIVE_ENTRIES:
            _LIVE.popitem(last=False)
    return found


def _live_rows(w: measures.Window, rub: rubric_mod.Rubric) -> tuple[list[Row], date]:
    year = w.year
    with db.read_session() as s:
        created = measures.sub_centres_assessed(s, w)
        centres = {r.id: r for r in s.scalars(select(SubCentre).where(SubCentre.id.in_(list(created))))}
        values = {(item.code, n): measures.MEASURES[part.measure].compute(s, w, part.params, created)
                  for item in rub.items for n, part in enumerate(item.parts)}
        overrides = {(o.sub_centre_id, o.item): o for o in s.scalars(
            select(AssessmentOverride).where(AssessmentOverride.year == year))}
    rows = []
    for sc in created:
        c = centres[sc]
        items = {i.code: _item(i, [values[(i.code, n)] for n in range(len(i.parts))], sc, overrides.get((sc, i.code)))
                 for i in rub.items}
        rows.append(_row(c.id, c.code, c.name_zh, c.name_en, c.province, items, rub))
    return rank(rows), w.as_of


def _row(sc: int, code: str, name_zh: str, name_en: str, province: str | None, items: dict[str, ItemScore],
         rub: rubric_mod.Rubric) -> Row:
    sections = {}
    for s in rub.sections:
        got = [items[i.code].points for i in s.items if items[i.code].points is not None]
        sections[s.code] = _round(sum(got)) if got else None
    total = _round(sum(v for v in sections.values() if v is not None)) or 0.0
    assessable = _round(sum(items[i.code].assessable for i in rub.items)) or 0.0
    return Row(sc, code, name_zh, name_en or "", province, items, sections, total, assessable)


def rank(rows: list[Row]) -> list[Row]:
    """By total, highest first; equal totals share a rank (1, 2, 2, 4), then by code."""
    ordered = sorted(rows, key=lambda r: (-r.total, r.code))
    out, previous, place = [], None, 0
    for n, r in enumerate(ordered, start=1):
        if r.total != previous:
            place, previous = n, r.total
        out.append(replace(r, rank=place))
    return out


# --- snapshots (a frozen year) ----------------------------------------------------------------

def to_snapshot(rows: list[Row], as_of: date) -> dict:
    return {"as_of": as_of.isoformat(), "rows": [asdict(r) for r in rows]}


def from_snapshot(snapshot: dict) -> list[Row]:
    out = []
    for r in snapshot.get("rows", []):
        items = {}
        for code, i in r["items"].items():
            parts = tuple(PartScore(**p) for p in i["parts"])
            items[code] = ItemScore(**{**i, "parts": parts})
        out.append(Row(**{**r, "items": items}))
    return out


def _freeze_of(year: int) -> AssessmentFreeze | None:
    with db.read_session() as s:
        return s.get(AssessmentFreeze, year)


def year_rubric(year: int) -> rubric_mod.Rubric:
    """The rubric a year is scored on: the version it was frozen with, else the one in force."""
    frozen = _freeze_of(year)
    return rubric_mod.current() if frozen is None else rubric_mod.version(frozen.rubric_version)


def year_rows(year: int, *, today: date | None = None, now: datetime | None = None
              ) -> tuple[list[Row], rubric_mod.Rubric, AssessmentFreeze | None, date]:
    """The rows that count for a year: its snapshot when frozen, else the live figures."""
    frozen = _freeze_of(year)
    if frozen is not None:
        as_of = date.fromisoformat(frozen.snapshot.get("as_of") or f"{year}-12-31")
        return from_snapshot(frozen.snapshot), rubric_mod.version(frozen.rubric_version), frozen, as_of
    rub = rubric_mod.current()
    rows, as_of = live_rows(year, rub, today=today, now=now)
    return rows, rub, None, as_of


def _median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return _round(statistics.median(got)) if got else None


def compute(user, year: Any, *, today: date | None = None, now: datetime | None = None,
            with_previous: bool = True) -> Scorecard:
    """The year's scorecard as this user may see it (admin: every sub-centre; staff: their own,
    with the network's medians). A frozen year comes from its snapshot, with `differences`: the
    items whose live points now differ from the frozen ones. `user` None is the server operator
    (the command line), who sees every row."""
    if user is not None:
        policy.require(user, "read_assessment")
    year = check_year(year)
    if year > (today or localtime.today()).year:
        raise errors.Invalid("assessment.future_year", field="year", year=year)
    rows, rub, frozen, as_of = year_rows(year, today=today, now=now)
    differences = []
    if frozen is not None:
        live, _ = live_rows(year, rub, today=today, now=now)
        differences = diff(rows, live)
    if with_previous and year - 1 >= MIN_YEAR:
        before, _rub, _f, _a = year_rows(year - 1, today=today, now=now)
        previous = {r.sub_centre_id: r.total for r in before}
        rows = [replace(r, previous_total=previous.get(r.sub_centre_id)) for r in rows]
    medians = {i.code: _median([r.items[i.code].points for r in rows if i.code in r.items]) for i in rub.items}
    section_medians = {s.code: _median([r.sections.get(s.code) for r in rows]) for s in rub.sections}
    total_median = _median([r.total for r in rows])
    visible = [r for r in rows
               if user is None or policy.can(user, "read_assessment", {"sub_centre_id": r.sub_centre_id})]
    seen = {r.sub_centre_id for r in visible}
    return Scorecard(year, rub, visible, medians, section_medians, total_median, len(rows),
                     frozen.frozen_at if frozen else None, frozen.frozen_by if frozen else None,
                     [d for d in differences if d.sub_centre_id in seen], as_of,
                     _name_of(frozen.frozen_by if frozen else None))


def _name_of(user_id: int | None) -> str:
    if user_id is None:
        return ""
    with db.read_session() as s:
        u = s.get(User, user_id)
        return (u.display_name or u.username) if u else ""


def diff(frozen: list[Row], live: list[Row]) -> list[Difference]:
    """Items whose points differ between the frozen rows and the live ones (sub-centres added or
    gone since count as differences of every item)."""
    by_id = {r.sub_centre_id: r for r in live}
    out = []
    for r in frozen:
        other = by_id.pop(r.sub_centre_id, None)
        for code, item in r.items.items():
            now_points = other.items[code].points if other and code in other.items else None
            if item.points != now_points:
                out.append(Difference(r.sub_centre_id, code, item.points, now_points))
    for r in by_id.values():
        out.extend(Difference(r.sub_centre_id, code, None, i.points) for code, i in r.items.items()
                   if i.points is not None)
    return out
