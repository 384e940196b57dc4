"""The consultation clock: the promise, its pauses, when it is due, at risk, overdue.

A consultation is promised an answer within `promise_days` working days (`calendar`: China's
working days, in China's local time) from the question; time spent waiting on the enterprise
(paused intervals) does not count. A question asked on Friday at 15:00 with a 3-day promise is
due on Wednesday at 15:00, and one asked on a Saturday starts counting on Monday at 00:00.

"Due" has ONE meaning here, used by the stored facts, the queue, the sweep, compliance and the
pages alike: the **deadline**, the last moment at which the promise is not yet exceeded. A clock
is overdue strictly after it. When the promise runs out at the end of a working day, the
deadline is the start of the next working time: a 3-day promise started on a Wednesday at 00:00
is used up at Saturday 00:00, and due on Monday at 00:00 (an answer at the weekend is on time).

Every function takes naive UTC datetimes (what the database stores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Iterable, Sequence

from ipoverseas.consultations import calendar
from ipoverseas.consultations.calendar import DAY, HORIZON_DAYS, from_local, to_local

Interval = tuple[datetime, datetime | None]   # (start, end); end None = still open
RISK_SHARE = 0.8   # "at risk" once this share of the promise is used


def basis(promise_days: float, cal: calendar.Calendar | None = None) -> str:
    """The basis of a consultation's stored clock facts, e.g. "3d/1a2b3c4d5e": the promise in
    working days and the calendar's digest. Facts on another basis are out of date."""
    return f"{promise_days:g}d/{calendar.digest(cal)}"


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


def elapsed(start: datetime, end: datetime, pauses: Sequence[Interval] = ()) -> float:
    """Working days (fractional) from start to end, not counting the pauses."""
    seconds = sum(calendar.working_seconds(a, b) for a, b in _subtract(start, end, pauses))
    return seconds / DAY.total_seconds()


def reached(start: datetime, days: float, pauses: Sequence[Interval] = ()) -> datetime | None:
    """The first moment at which `days` working days have run since `start` (pauses excluded):
    when a clock becomes at risk (`days` = 80% of the promise).

    None only when the clock stops for good (an open pause) before `days` have run; an open
    pause does not hide an instant already passed before it.
    """
    return _instant(start, days, pauses, last=False)


def deadline(start: datetime, days: float, pauses: Sequence[Interval] = ()) -> datetime | None:
    """When a promise of `days` working days from `start` is due: the last moment at which no
    more than `days` working days have run (pauses excluded). Overdue strictly after it
    (`Clock.overdue` is `used_days > promise`).

    When the promise runs out at the end of a working day, the deadline is the start of the next
    working time, so an answer on the weekend in between is still on time. None when the clock
    stops for good (an open pause) before more than `days` have run.
    """
    return _instant(start, days, pauses, last=True)


def _instant(start: datetime, days: float, pauses: Sequence[Interval], *, last: bool) -> datetime | None:
    cal = calendar.current()
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


@dataclass(frozen=True)
class Clock:
    """Where a consultation stands against the promise."""

    started_at: datetime
    stopped_at: datetime | None     # the first answer, if any
    pauses: tuple[Interval, ...]
    promise_days: float
    used_days: float                # working days used so far (or until the first answer)
    due: datetime | None            # the deadline (`deadline`); None while paused or once answered
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
        return self.stopped_at is None and not self.overdue and self.share >= RISK_SHARE

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
    clipped = tuple((a, b) for a, b in pauses if a < end)
    used = elapsed(started_at, end, [(a, b or end) for a, b in clipped])
    paused = stopped_at is None and any(b is None for _, b in clipped)
    due = None if (stopped_at is not None or paused) else deadline(started_at, promise_days, clipped)
    return Clock(started_at, stopped_at, clipped, promise_days, used, due, paused)


@dataclass(frozen=True)
class Facts:
    """What the clock says about a consultation that does not depend on "now": stored on the
    row (`Consultation.due_at`...) so that queries compare instants instead of computing clocks.

    due_at is the `deadline`: overdue = open, unanswered and now > due_at; at risk = open,
    unanswered, not overdue and now >= at_risk_at. A clock paused before using up its promise
    has no due_at (nor at_risk_at before 80%): both are set again when it resumes.
    """

    due_at: datetime | None
    at_risk_at: datetime | None
    first_answer_days: float | None
    answered_on_time: bool | None
    expert_due_at: datetime | None
    expert_answer_days: float | None
    expert_on_time: bool | None
    assign_days: float | None = None     # working days from the question to the first assignment

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def facts(created_at: datetime, answered_at: datetime | None, expert_start: datetime | None,
          events: Iterable[tuple[datetime, str | None, str]], promise_days: float) -> Facts:
    """The stored clock facts from a consultation's status events (oldest first).

    `answered_at` is the first answer; `expert_start` the current expert's assignment (None
    when no expert is assigned). An answer that came before the expert's assignment is not
    theirs (no expert answer figures).
    """
    events = list(events)
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
    first_assigned = next((at for at, _f, to in events if to == "assigned"), None)
    assign_days = elapsed(created_at, first_assigned, pauses) if first_assigned is not None else None
    return Facts(deadline(created_at, promise_days, pauses), reached(created_at, RISK_SHARE * promise_days, pauses),
                 first_days, on_time, expert_due, expert_days, expert_on_time, assign_days)
