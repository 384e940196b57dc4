"""When a reporting duty falls due: its periods in a year and the due date of each, on China's
working-day calendar (`consultations.calendar`).

A duty type's `frequency` gives its periods (yearly `2026`, quarterly `2026-Q3`, monthly
`2026-07`, once `once`), and its `due_rule` the due date of a period:

    fixed:MM-DD               that day of the period's year (the annual plan: fixed:03-15);
                              a day off moves it to the next working day, as a legal time limit
                              that ends on a holiday ends on the first working day after it
    nth_workday_next_month:N  the N-th working day of the month after the period
    workdays_after_period:N   the N-th working day after the period's last day
    on:YYYY-MM-DD             one date (a once-only duty), moved off a day off like fixed
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from ipoverseas.consultations import calendar
from ipoverseas.core import errors

FREQUENCIES = ("yearly", "quarterly", "monthly", "once")
RULE_KINDS = ("fixed", "nth_workday_next_month", "workdays_after_period", "on")
_RULE = re.compile(r"^(fixed|nth_workday_next_month|workdays_after_period|on):(\S+)$")
MAX_WORKDAYS = 60


@dataclass(frozen=True)
class Period:
    code: str          # 2026 | 2026-Q3 | 2026-07 | once
    year: int
    start: date
    end: date


def periods(frequency: str, year: int, *, once_on: date | None = None) -> list[Period]:
    """The periods of `year` a duty of this frequency covers."""
    if frequency == "yearly":
        return [Period(str(year), year, date(year, 1, 1), date(year, 12, 31))]
    if frequency == "quarterly":
        return [Period(f"{year}-Q{q}", year, date(year, 3 * q - 2, 1),
                       date(year, 3 * q, monthrange(year, 3 * q)[1])) for q in range(1, 5)]
    if frequency == "monthly":
        return [Period(f"{year}-{m:02d}", year, date(year, m, 1), date(year, m, monthrange(year, m)[1]))
                for m in range(1, 13)]
    if frequency == "once":
        return [Period("once", year, once_on, once_on)] if once_on and once_on.year == year else []
    raise ValueError(f"unknown frequency {frequency!r}")


def parse(rule: str) -> tuple[str, str]:
    """(kind, argument) of a rule, or errors.Invalid naming the field `due_rule`."""
    m = _RULE.match((rule or "").strip())
    if not m:
        raise errors.Invalid("duties.bad_rule", field="due_rule", rule=rule)
    kind, arg = m.group(1), m.group(2)
    try:
        if kind == "fixed":
            month, day = (int(x) for x in arg.split("-"))
            date(2024, month, day)     # a leap year: 02-29 is a day of some years
        elif kind == "on":
            date.fromisoformat(arg)
        elif not 1 <= int(arg) <= MAX_WORKDAYS:
            raise ValueError(arg)
    except ValueError:
        raise errors.Invalid("duties.bad_rule", field="due_rule", rule=rule) from None
    return kind, arg


def check(frequency: str, rule: str) -> None:
    """Refuse a rule that does not fit the frequency (a monthly duty 'on' one date...)."""
    if frequency not in FREQUENCIES:
        raise errors.Invalid("duties.bad_frequency", field="frequency", frequency=frequency)
    kind, _ = parse(rule)
    if (frequency == "once") != (kind == "on") or (kind == "nth_workday_next_month" and frequency == "yearly") \
            or (kind == "fixed" and frequency != "yearly"):
        raise errors.Invalid("duties.rule_frequency", field="due_rule", rule=rule, frequency=frequency)


def once_date(rule: str) -> date | None:
    kind, arg = parse(rule)
    return date.fromisoformat(arg) if kind == "on" else None


def due_date(rule: str, period: Period) -> date:
    """The due date of one period under `rule`."""
    kind, arg = parse(rule)
    if kind in ("fixed", "on"):
        if kind == "fixed":
            month, day = (int(x) for x in arg.split("-"))
            if (month, day) == (2, 29) and monthrange(period.year, 2)[1] == 28:
                day = 28
            target = date(period.year, month, day)
        else:
            target = date.fromisoformat(arg)
        return calendar.add_working_days(target, 0)
    # the N-th working day of the next month is the N-th working day after the period's last day
    return calendar.add_working_days(period.end, int(arg))


def basis(rule: str) -> str:
    """What a stored due date was computed on: the rule and the calendar's digest."""
    return f"{rule}|{calendar.digest()}"[:80]
