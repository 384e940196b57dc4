"""China's working days and the consultation service clock.

The calendar comes from `data/holidays_cn.csv`: the State Council's yearly notices,
with public holidays AND make-up working days (调休上班). Nothing is downloaded at run
time. A year the table does not cover falls back to Monday-Friday (and `covered()` says so).

The clock counts working time in China's local time (UTC+8): timestamps in the database
are naive UTC, so every function here takes naive UTC datetimes. One working day of
promise is 24 hours that fall on working days, so a question asked on Friday at 15:00
with a 3-day promise is due on Wednesday at 15:00 (Saturday and Sunday do not count,
nor do holidays), and a question asked on a Saturday starts counting on Monday at 00:00.
Paused intervals (waiting on the enterprise) do not count.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from ipoverseas.core.config import DATA_DIR

CALENDAR_FILE = DATA_DIR / "holidays_cn.csv"
CHINA_OFFSET = timedelta(hours=8)
DAY = timedelta(days=1)
HORIZON_DAYS = 800  # the furthest a due date is looked for

Interval = tuple[datetime, datetime | None]   # (start, end); end None = still open


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    workdays: frozenset[date]      # make-up working days on a weekend
    years: frozenset[int]
    provisional_years: frozenset[int]
    names: dict

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


@lru_cache(maxsize=1)
def calendar() -> Calendar:
    return load_calendar()


_digest: list = [None, ""]   # [the calendar, its digest]: the last one asked for


def calendar_digest(cal: Calendar | None = None) -> str:
    """A short hash of the calendar's holidays and make-up working days (not of the file's
    names or comments): what the stored clock facts were computed on, with the promise."""
    cal = cal or calendar()
    if _digest[0] is not cal:
        text = " ".join([f"h{d.isoformat()}" for d in sorted(cal.holidays)]
                        + [f"w{d.isoformat()}" for d in sorted(cal.workdays)])
        _digest[:] = [cal, hashlib.sha256(text.encode()).hexdigest()[:10]]
    return _digest[1]


def basis(promise_days: float, cal: Calendar | None = None) -> str:
    """The basis of a consultation's stored clock facts, e.g. "3d/1a2b3c4d5e": the promise in
    working days and the calendar's digest. Facts on another basis are out of date."""
    return f"{promise_days:g}d/{calendar_digest(cal)}"


def covered(year: int) -> bool:
    """Does the table carry this year (so holidays are known, not guessed as Mon-Fri)?"""
    return year in calendar().years


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (n >= 0; n == 0 gives the next working day on or after)."""
    cal = calendar()
    current = day
    if n == 0:
        while not cal.is_working_day(current):
            current += DAY
        return current
    while n > 0:
        current += DAY
        if cal.is_working_day(current):
            n -= 1
    return current


PREFIX_START, PREFIX_DAYS = date(2000, 1, 1), 366 * 100


@lru_cache(maxsize=1)
def _prefix() -> list[int]:
    """counts[i] = working days in [PREFIX_START, PREFIX_START + i days): O(1) spans."""
    cal = calendar()
    counts = [0] * (PREFIX_DAYS + 1)
    day = PREFIX_START
    for i in range(PREFIX_DAYS):
        counts[i + 1] = counts[i] + cal.is_working_day(day)
        day += DAY
    return counts


def working_days_between(start: date, end: date) -> int:
    """Working days d with start <= d < end."""
    if end <= start:
        return 0
    i, j = (start - PREFIX_START).days, (end - PREFIX_START).days
    if i >= 0 and j <= PREFIX_DAYS:
        counts = _prefix()
        return counts[j] - counts[i]
    cal = calendar()
    count, current = 0, start
    while current < end:
        count += cal.is_working_day(current)
        current += DAY
    return count


# --- the clock ------------------------------------------------------------------------


def to_local(moment: datetime) -> datetime:
    """Naive UTC -> naive China local time."""
    return moment + CHINA_OFFSET


def from_local(moment: datetime) -> datetime:
    """Naive China local time -> naive UTC (what the database stores)."""
    return moment - CHINA_OFFSET


def _subtract(start: datetime, end: datetime, pauses: Sequence[Interval]) -> list[tuple[datetime, datetime]]:
    """[start, end) minus the pauses, as sorted disjoint pieces."""
    pieces = [(start, end)]
    for p_start, p_end in sorted(pauses, key=lambda p: p[0]):
        p_end = p_end or datetime.max
        out = []
        for a, b in pieces:
            if p_end <= a or p_start >= b:
                out.append((a, b))
                continue
            if a < p_start:
                out.append((a, p_start))
            if p_end < b:
                out.append((p_end, b))
        pieces = out
    return pieces


def _working_seconds(start: datetime, end: datetime) -> float:
    """Seconds of [start, end) (UTC) that fall on China's working days."""
    if end <= start:
        return 0.0
    cal = calendar()
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


def elapsed(start: datetime, end: datetime, pauses: Sequence[Interval] = ()) -> float:
    """Working days (fractional) from start to end, not counting the pauses."""
    seconds = sum(_working_seconds(a, b) for a, b in _subtract(start, end, pauses))
    return seconds / DAY.total_seconds()


def due_at(start: datetime, promise_days: float, pauses: Sequence[Interval] = ()) -> datetime | None:
    """When `promise_days` working days will have run since `start`, given the pauses so far.

    None while a pause is open (the clock is stopped, so there is no due time yet).
    """
    if any(p_end is None for _, p_end in pauses):
        return None
    return _instant(start, promise_days, pauses, last=False)


def reached(start: datetime, days: float, pauses: Sequence[Interval] = ()) -> datetime | None:
    """The first moment at which `days` working days have run since `start` (pauses excluded).

    Unlike `due_at`, an open pause does not hide an instant already passed before it: None
    only when the clock stops (an open pause) before `days` have run.
    """
    return _instant(start, days, pauses, last=False)


def deadline(start: datetime, days: float, pauses: Sequence[Interval] = ()) -> datetime | None:
    """The last moment at which no more than `days` working days have run since `start`.

    A clock is overdue after this instant (`Clock.overdue` is `used_days > promise`): when
    the promise runs out at the end of a working day, the deadline is the start of the next
    working time, so an answer on the weekend in between is still on time. None when the
    clock stops for good (an open pause) before more than `days` have run.
    """
    return _instant(start, days, pauses, last=True)


def _instant(start: datetime, days: float, pauses: Sequence[Interval], *, last: bool) -> datetime | None:
    cal = calendar()
    remaining = days * DAY.total_seconds()
    plateau = False   # `days` have run exactly at the end of a working stretch
    horizon = start + timedelta(days=HORIZON_DAYS)
    for a, b in _subtract(start, horizon, pauses):
        la, lb = to_local(a), to_local(b)
        day = la.date()
        while datetime.combine(day, time()) < lb:
            day_start = datetime.combine(day, time())
            lo, hi = max(la, day_start), min(lb, day_start + DAY)
            if hi > lo and cal.is_working_day(day):
                if plateau:
                    return from_local(lo)
                span = (hi - lo).total_seconds()
                if span > remaining or (span == remaining and not last):
                    return from_local(lo + timedelta(seconds=remaining))
                if span == remaining:
                    plateau = True
                remaining -= span
            day += DAY
    return None


def latest_start(end: datetime, days: float) -> datetime:
    """The latest `start` with `elapsed(start, end) >= days` (no pauses): for "at least n
    working days since" as one comparison in SQL (`column <= latest_start(now, n)`)."""
    cal = calendar()
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


@dataclass(frozen=True)
class Clock:
    """Where a consultation stands against the promise."""

    started_at: datetime
    stopped_at: datetime | None     # the first answer, if any
    pauses: tuple[Interval, ...]
    promise_days: float
    used_days: float                # working days used so far (or until the first answer)
    due: datetime | None            # None while paused or once answered
    paused: bool

    @property
    def share(self) -> float:
        return self.used_days / self.promise_days if self.promise_days else 0.0

    @property
    def answered(self) -> bool:
        return self.stopped_at is not None

    @property
    def on_time(self) -> bool | None:
        """True/False once answered; None while open."""
        if self.stopped_at is None:
            return None
        return self.used_days <= self.promise_days + 1e-9

    @property
    def overdue(self) -> bool:
        return self.stopped_at is None and self.used_days > self.promise_days + 1e-9

    @property
    def at_risk(self) -> bool:
        """Open, not overdue, with at least 80% of the promise used."""
        return self.stopped_at is None and not self.overdue and self.share >= 0.8

    @property
    def state(self) -> str:
        if self.stopped_at is not None:
            return "met" if self.on_time else "missed"
        if self.paused:
            return "paused"
        if self.overdue:
            return "overdue"
        return "at_risk" if self.at_risk else "running"


def pauses_from_events(events: Iterable[tuple[datetime, str | None, str]]) -> list[Interval]:
    """(at, from_status, to_status) rows, oldest first -> the intervals spent in "waiting"."""
    pauses: list[Interval] = []
    open_since: datetime | None = None
    for at, _from, to in events:
        if to == "waiting" and open_since is None:
            open_since = at
        elif to != "waiting" and open_since is not None:
            pauses.append((open_since, at))
            open_since = None
    if open_since is not None:
        pauses.append((open_since, None))
    return pauses


def clock(started_at: datetime, stopped_at: datetime | None, pauses: Sequence[Interval],
          promise_days: float, now: datetime) -> Clock:
    end = stopped_at or now
    # A pause still open counts up to the end, and clips at the first answer.
    clipped = tuple((a, b if b is not None else None) for a, b in pauses if a < end)
    used = elapsed(started_at, end, [(a, b or end) for a, b in clipped])
    paused = stopped_at is None and any(b is None for _, b in clipped)
    due = None if (stopped_at is not None or paused) else due_at(started_at, promise_days, clipped)
    return Clock(started_at, stopped_at, clipped, promise_days, used, due, paused)


RISK_SHARE = 0.8   # "at risk" once this share of the promise is used


@dataclass(frozen=True)
class Facts:
    """What the clock says about a consultation that does not depend on "now": stored on the
    row (`Consultation.due_at`...) so that queries compare instants instead of computing clocks.

    overdue = open, unanswered and now > due_at; at risk = open, unanswered, not overdue and
    now >= at_risk_at. A clock paused before using up its promise has no due_at (nor at_risk_at
    before 80%): both are set again when it resumes.
    """

    due_at: datetime | None
    at_risk_at: datetime | None
    first_answer_days: float | None
    answered_on_time: bool | None
    expert_due_at: datetime | None
    expert_answer_days: float | None
    expert_on_time: bool | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def facts(created_at: datetime, answered_at: datetime | None, expert_start: datetime | None,
          events: Iterable[tuple[datetime, str | None, str]], promise_days: float) -> Facts:
    """The stored clock facts from a consultation's status events (oldest first).

    `answered_at` is the first answer; `expert_start` the current expert's assignment (None
    when no expert is assigned). An answer that came before the expert's assignment is not
    theirs (no expert answer figures).
    """
    pauses = pauses_from_events(events)
    if answered_at is not None:   # pauses after the first answer do not matter; clip one still open
        pauses = [(a, b if b is not None and b < answered_at else answered_at) for a, b in pauses if a < answered_at]
    first_days = on_time = None
    if answered_at is not None:
        first_days = elapsed(created_at, answered_at, pauses)
        on_time = first_days <= promise_days + 1e-9
    expert_due = expert_days = expert_on_time = None
    if expert_start is not None:
        expert_due = deadline(expert_start, promise_days, pauses)
        if answered_at is not None and answered_at >= expert_start:
            expert_days = elapsed(expert_start, answered_at, pauses)
            expert_on_time = expert_days <= promise_days + 1e-9
    return Facts(deadline(created_at, promise_days, pauses), reached(created_at, RISK_SHARE * promise_days, pauses),
                 first_days, on_time, expert_due, expert_days, expert_on_time)
