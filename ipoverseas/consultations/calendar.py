"""China's working days: which days count, and how much working time lies between two instants.

The calendar lives in the database (tables `calendar_days` and `calendar_years`): the State
Council's yearly notices, with public holidays AND make-up working days (调休上班), kept by the
admin on the page "工作日历 / Working-day calendar" or with `python -m ipoverseas calendar import`.
`data/holidays_cn.csv` is the seed of an empty database (migration 0013) and the fallback when
there is no database. A year the table does not cover falls back to Monday-Friday (and
`covered()` says so).

`current()` is called in hot loops: it is cached per process, and re-read when the calendar's
stamp in the database changes (checked at most every CHECK_SECONDS) or at once after a change
made in this process (`invalidate()`).

Days are China's local days (UTC+8). Timestamps in the database are naive UTC, so every function
here that takes an instant takes naive UTC (`to_local` / `from_local` convert). One working day is
24 hours that fall on a working day: Saturday and Sunday do not count, nor do holidays, and a
make-up Saturday does.

This module knows nothing of consultations, promises or pauses: the consultation clock
(`ipoverseas.consultations.clock`) is built on it, and so is the experts' "away soon" check.
Keeping it (and recomputing the stored clock facts after a change): `ipoverseas.network.workcalendar`.
"""

from __future__ import annotations

import csv
import hashlib
import threading
import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ipoverseas.core import config, db, localtime
from ipoverseas.core.config import DATA_DIR
from ipoverseas.core.models import CalendarDay, CalendarYear

CALENDAR_FILE = DATA_DIR / "holidays_cn.csv"
DAY = timedelta(days=1)
HORIZON_DAYS = 800  # the furthest an instant is looked for
CHECK_SECONDS = 2.0  # how often `current()` asks the database whether the calendar changed
KINDS = ("holiday", "workday")


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    workdays: frozenset[date]      # make-up working days on a weekend
    years: frozenset[int]
    provisional_years: frozenset[int]
    names: dict
    sources: dict = field(default_factory=dict)     # year -> the notice it comes from

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def load_calendar(path: Path = CALENDAR_FILE) -> Calendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    provisional: set[int] = set()
    names: dict[date, str] = {}
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if line.strip() and not line.startswith("#"))
        for row in reader:
            day = date.fromisoformat(row["date"].strip())
            kind = row["kind"].strip()
            if kind == "holiday":
                holidays.add(day)
            elif kind == "workday":
                workdays.add(day)
            else:
                raise ValueError(f"{path.name}: unknown kind {kind!r} on {day}")
            years.add(day.year)
            names[day] = row.get("name", "").strip()
            if row.get("provisional", "0").strip() == "1":
                provisional.add(day.year)
    return Calendar(frozenset(holidays), frozenset(workdays), frozenset(years), frozenset(provisional), names)


_cache: dict[str, Any] = {"cal": None, "at": 0.0, "key": None}
_cache_lock = threading.Lock()


def current() -> Calendar:
    """The calendar in force: the database's (cached; see the module's note), or the seed file
    when there is no database or its table is empty."""
    cal = _cache["cal"]
    if cal is not None and _time.monotonic() - _cache["at"] < CHECK_SECONDS:
        return cal
    return _reload()


def invalidate() -> None:
    """Forget the cached calendar: the next `current()` reads the database again."""
    with _cache_lock:
        _cache.update(cal=None, at=0.0, key=None)


def _reload() -> Calendar:
    with _cache_lock:
        url = config.database_url()
        try:
            stamp = _stamp(url)
        except SQLAlchemyError:
            stamp = None
        key = (url, stamp)
        if _cache["cal"] is None or _cache["key"] != key:
            cal = None
            if stamp is not None and stamp[0]:
                try:
                    cal = load_from_database()
                except SQLAlchemyError:
                    cal = None
            _cache["cal"] = cal or load_calendar()
            _cache["key"] = key
        _cache["at"] = _time.monotonic()
        return _cache["cal"]


def _stamp(url: str) -> tuple | None:
    """(days, years, last change) of the stored calendar; None when there is no database yet."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and ":memory:" not in path and not Path(path).exists():
            return None
    engine = db.get_engine(url)
    with engine.connect() as conn:
        days = conn.execute(select(func.count(), func.max(CalendarDay.updated_at))).one()
        years = conn.execute(select(func.count(), func.max(CalendarYear.updated_at))).one()
    return (int(days[0] or 0), int(years[0] or 0), str(days[1]), str(years[1]))


def load_from_database() -> Calendar:
    with db.read_session() as s:
        days = s.scalars(select(CalendarDay)).all()
        years = s.scalars(select(CalendarYear)).all()
    holidays = frozenset(d.day for d in days if d.kind == "holiday")
    workdays = frozenset(d.day for d in days if d.kind == "workday")
    return Calendar(holidays, workdays, frozenset(y.year for y in years) | {d.day.year for d in days},
                    frozenset(y.year for y in years if y.provisional), {d.day: d.name for d in days},
                    {y.year: y.source for y in years})


_digest: list = [None, ""]   # [the calendar, its digest]: the last one asked for


def digest(cal: Calendar | None = None) -> str:
    """A short hash of the calendar's holidays and make-up working days (not of the file's
    names or comments): part of the basis the consultations' stored clock facts were computed on."""
    cal = cal or current()
    if _digest[0] is not cal:
        text = " ".join([f"h{d.isoformat()}" for d in sorted(cal.holidays)]
                        + [f"w{d.isoformat()}" for d in sorted(cal.workdays)])
        _digest[:] = [cal, hashlib.sha256(text.encode()).hexdigest()[:10]]
    return _digest[1]


def covered(year: int) -> bool:
    """Does the table carry this year (so holidays are known, not guessed as Mon-Fri)?"""
    return year in current().years


def is_working_day(day: date) -> bool:
    return current().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (n >= 0; n == 0 gives the next working day on or after)."""
    cal = current()
    here = day
    if n == 0:
        while not cal.is_working_day(here):
            here += DAY
        return here
    while n > 0:
        here += DAY
        if cal.is_working_day(here):
            n -= 1
    return here


PREFIX_START, PREFIX_DAYS = date(2000, 1, 1), 366 * 100


_prefix_memo: list = [None, None]   # [the calendar, its counts]


def _prefix() -> list[int]:
    """counts[i] = working days in [PREFIX_START, PREFIX_START + i days): O(1) spans."""
    cal = current()
    if _prefix_memo[0] is cal:
        return _prefix_memo[1]
    counts = [0] * (PREFIX_DAYS + 1)
    day = PREFIX_START
    for i in range(PREFIX_DAYS):
        counts[i + 1] = counts[i] + cal.is_working_day(day)
        day += DAY
    _prefix_memo[:] = [cal, counts]
    return counts


_prefix.cache_clear = lambda: _prefix_memo.__setitem__(slice(None), [None, None])  # type: ignore[attr-defined]


def working_days_between(start: date, end: date) -> int:
    """Working days d with start <= d < end."""
    if end <= start:
        return 0
    i, j = (start - PREFIX_START).days, (end - PREFIX_START).days
    if i >= 0 and j <= PREFIX_DAYS:
        counts = _prefix()
        return counts[j] - counts[i]
    cal = current()
    count, here = 0, start
    while here < end:
        count += cal.is_working_day(here)
        here += DAY
    return count


# --- instants: naive UTC in, China's working time out ----------------------------------------


# Naive UTC <-> naive local time, in the zone of the `time_zone` setting (Beijing by default).
to_local = localtime.to_local
from_local = localtime.from_local


def working_seconds(start: datetime, end: datetime) -> float:
    """Seconds of [start, end) (UTC) that fall on China's working days."""
    if end <= start:
        return 0.0
    cal = current()
    a, b = to_local(start), to_local(end)
    first, last = a.date(), b.date()
    if first == last:
        return (b - a).total_seconds() if cal.is_working_day(first) else 0.0
    total = 0.0
    if cal.is_working_day(first):      # the rest of the first day
        total += (datetime.combine(first + DAY, time()) - a).total_seconds()
    if cal.is_working_day(last):       # the start of the last day
        total += (b - datetime.combine(last, time())).total_seconds()
    return total + working_days_between(first + DAY, last) * DAY.total_seconds()


def working_time(start: datetime, end: datetime) -> float:
    """Working days (fractional) from `start` to `end` (UTC)."""
    return working_seconds(start, end) / DAY.total_seconds()


def latest_start(end: datetime, days: float) -> datetime:
    """The latest `start` with `working_time(start, end) >= days`: for "at least n working days
    since" as one comparison in SQL (`column <= latest_start(now, n)`)."""
    cal = current()
    remaining = days * DAY.total_seconds()
    le = to_local(end)
    day = le.date()
    for _ in range(HORIZON_DAYS):
        day_start = datetime.combine(day, time())
        hi = min(le, day_start + DAY)
        if hi > day_start and cal.is_working_day(day):
            span = (hi - day_start).total_seconds()
            if span >= remaining:
                return from_local(hi - timedelta(seconds=remaining))
            remaining -= span
        day -= DAY
    return from_local(datetime.combine(day, time()))



def calendar_reminder(today: date) -> dict | None:
    """From 1 November, while next year's calendar is provisional or missing: {"year": next year,
    "missing": bool}, for the admin home's reminder to enter the notice; None otherwise."""
    if today.month < 11:
        return None
    cal, year = current(), today.year + 1
    if year in cal.years and year not in cal.provisional_years:
        return None
    return {"year": year, "missing": year not in cal.years}
