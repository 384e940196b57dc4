"""China's working-day calendar (`calendar`) and the service clock (`clock`), on real holiday edge cases."""

from datetime import date, datetime, timedelta

import pytest

from ipoverseas.consultations import calendar, clock
from ipoverseas.consultations.calendar import add_working_days, is_working_day
from ipoverseas.consultations.clock import deadline, elapsed


def cn(*args) -> datetime:
    """A China local time, as the naive UTC the database stores."""
    return calendar.from_local(datetime(*args))


def local(moment: datetime) -> datetime:
    return calendar.to_local(moment)


# --- the calendar table -------------------------------------------------------------


def test_table_covers_2024_to_2027_and_flags_2027_provisional():
    cal = calendar.current()
    assert {2024, 2025, 2026, 2027} <= cal.years
    assert cal.provisional_years == {2027}
    for year in (2024, 2025, 2026, 2027):
        assert calendar.covered(year)
    assert not calendar.covered(2031)


def test_every_make_up_day_is_a_weekend_and_no_day_is_both():
    cal = calendar.current()
    assert cal.workdays, "no make-up working days loaded"
    assert all(d.weekday() >= 5 for d in cal.workdays)
    assert not (cal.workdays & cal.holidays)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_table_agrees_with_the_holidays_package(year):
    """2027: holidays 0.109 (the newest on PyPI in November 2026) has no make-up working days for
    2027 yet, only the statutory days by rule, like our provisional rows. When an upgraded
    package carries the State Council's 2027 notice, this fails: fill the table from the notice."""
    holidays = pytest.importorskip("holidays")
    china = holidays.China(years=year)
    day = date(year, 1, 1)
    differences = []
    while day.year == year:
        if is_working_day(day) != china.is_working_day(day):
            differences.append(day)
        day += timedelta(days=1)
    assert differences == []


def test_2027_stays_provisional_until_the_notice_is_in_the_table():
    holidays = pytest.importorskip("holidays")
    china = holidays.China(years=2027)
    make_up = [d for d in (date(2027, 1, 1) + timedelta(days=i) for i in range(365))
               if d.weekday() >= 5 and china.is_working_day(d)]
    cal = calendar.current()
    if 2027 in cal.provisional_years:
        assert make_up == [], "the holidays package now has 2027 make-up days: update data/holidays_cn.csv"
        assert {d for d in cal.holidays if d.year == 2027} == set(china)
        assert not any(d.year == 2027 for d in cal.workdays)


@pytest.mark.parametrize("day, working", [
    (date(2024, 9, 29), True),    # Sunday, make-up day for National Day 2024
    (date(2024, 10, 7), False),   # Monday inside the National Day week
    (date(2024, 10, 12), True),   # Saturday, make-up day
    (date(2024, 2, 4), True),     # Sunday, make-up day for the Spring Festival 2024
    (date(2024, 2, 18), True),    # Sunday, make-up day for the Spring Festival 2024
    (date(2024, 2, 16), False),   # Friday in the Spring Festival break
    (date(2025, 1, 26), True),    # Sunday, make-up day for the Spring Festival 2025
    (date(2025, 2, 8), True),     # Saturday, make-up day
    (date(2025, 10, 8), False),   # National Day and Mid-Autumn 2025: 8 days
    (date(2025, 10, 11), True),   # Saturday, make-up day
    (date(2026, 1, 4), True),     # Sunday, make-up day for New Year 2026
    (date(2026, 2, 14), True),    # Saturday, make-up day for the Spring Festival 2026
    (date(2026, 2, 23), False),   # Monday, last day of the 9-day Spring Festival 2026
    (date(2026, 2, 28), True),    # Saturday, make-up day
    (date(2026, 11, 25), True),   # an ordinary Wednesday
    (date(2026, 11, 28), False),  # an ordinary Saturday
])
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_add_working_days_jumps_the_national_day_week():
    # Monday 30 Sept 2024 + 1 working day: 1-7 October are off -> Tuesday 8 October.
    assert add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)
    # Friday 27 Sept + 1: the next working day is Sunday 29 September (make-up day).
    assert add_working_days(date(2024, 9, 27), 1) == date(2024, 9, 29)
    assert calendar.working_days_between(date(2024, 9, 28), date(2024, 10, 13)) == 7  # 29, 30 Sept; 8-11 Oct; Sat 12 Oct


# --- the clock ----------------------------------------------------------------------


def test_national_day_week_does_not_count():
    asked = cn(2024, 9, 30, 10, 0)
    due = deadline(asked, 3)
    # 14 h on 30 Sept, nothing on 1-7 Oct, 24 h on 8 and 9 Oct, 10 h on 10 Oct.
    assert local(due) == datetime(2024, 10, 10, 10, 0)
    assert elapsed(asked, cn(2024, 10, 8, 10, 0)) == pytest.approx(1.0)


def test_a_question_asked_on_a_saturday_before_a_make_up_sunday():
    asked = cn(2024, 9, 28, 12, 0)          # Saturday: not a working day
    due = deadline(asked, 3)
    # Sunday 29 Sept (make-up), Monday 30 Sept, then the break, then Tuesday 8 Oct.
    assert local(due) == datetime(2024, 10, 9, 0, 0)
    assert elapsed(asked, cn(2024, 9, 29, 0, 0)) == 0


def test_spring_festival_2024_with_its_make_up_sunday():
    asked = cn(2024, 2, 9, 9, 0)            # Friday, Spring Festival eve (a working day in 2024)
    due = deadline(asked, 3)
    # 15 h on 9 Feb, break 10-17 Feb, Sunday 18 Feb (make-up) 24 h, 19 Feb 24 h, 9 h on 20 Feb.
    assert local(due) == datetime(2024, 2, 20, 9, 0)


def test_spring_festival_2026_with_its_make_up_saturdays():
    asked = cn(2026, 2, 13, 17, 0)          # Friday
    due = deadline(asked, 3)
    # 7 h on 13 Feb, Saturday 14 Feb (make-up) 24 h, break 15-23 Feb, 24 Feb 24 h, 17 h on 25 Feb.
    assert local(due) == datetime(2026, 2, 25, 17, 0)
    # The make-up Saturday 28 Feb counts too.
    assert elapsed(cn(2026, 2, 27, 0, 0), cn(2026, 3, 2, 0, 0)) == pytest.approx(2.0)


def test_pause_and_resume():
    asked = cn(2026, 11, 23, 9, 0)          # Monday
    pauses = [(cn(2026, 11, 24, 9, 0), cn(2026, 11, 26, 9, 0))]   # waiting Tue 9:00 -> Thu 9:00
    assert elapsed(asked, cn(2026, 11, 27, 9, 0), pauses) == pytest.approx(2.0)
    # Due: 24 h used before the pause; 48 h more from Thursday 9:00 -> Monday 30 Nov 9:00.
    assert local(deadline(asked, 3, pauses)) == datetime(2026, 11, 30, 9, 0)
    # While the pause is open there is no due time, and the clock does not run.
    open_pause = [(cn(2026, 11, 24, 9, 0), None)]
    assert deadline(asked, 3, open_pause) is None
    paused = clock.clock(asked, None, open_pause, 3, now=cn(2026, 12, 10, 9, 0))
    assert paused.paused and paused.state == "paused"
    assert paused.used_days == pytest.approx(1.0)


def test_clock_states_running_at_risk_overdue_met_missed():
    asked = cn(2026, 11, 23, 9, 0)
    running = clock.clock(asked, None, [], 3, now=cn(2026, 11, 24, 9, 0))
    assert running.state == "running" and running.due and local(running.due) == datetime(2026, 11, 26, 9, 0)
    risky = clock.clock(asked, None, [], 3, now=cn(2026, 11, 25, 23, 0))
    assert risky.at_risk and risky.state == "at_risk"
    late = clock.clock(asked, None, [], 3, now=cn(2026, 11, 26, 10, 0))
    assert late.overdue and late.state == "overdue"
    met = clock.clock(asked, cn(2026, 11, 25, 9, 0), [], 3, now=cn(2026, 12, 20, 0, 0))
    assert met.on_time and met.state == "met" and met.used_days == pytest.approx(2.0)
    # Answered on Monday 30 Nov 9:00: Mon-Fri of the first week (4 days) + nothing at the weekend.
    missed = clock.clock(asked, cn(2026, 11, 30, 9, 0), [], 3, now=cn(2026, 12, 20, 0, 0))
    assert missed.state == "missed" and missed.used_days == pytest.approx(5.0)


def test_pauses_from_events():
    t = [cn(2026, 11, 23, h) for h in (9, 10, 11, 12, 13)]
    events = [(t[0], None, "new"), (t[1], "new", "accepted"), (t[2], "accepted", "waiting"),
              (t[3], "waiting", "accepted"), (t[4], "accepted", "waiting")]
    assert clock.pauses_from_events(events) == [(t[2], t[3]), (t[4], None)]


def test_a_year_outside_the_table_falls_back_to_monday_to_friday():
    assert is_working_day(date(2031, 1, 6))          # a Monday
    assert not is_working_day(date(2031, 1, 4))      # a Saturday


def test_fast_spans_agree_with_a_day_by_day_count():
    """The prefix-sum count equals summing each day's working hours, on random spans 2024-2027."""
    import random
    from datetime import time as clock_time

    def naive(start, end):
        a, b = local(start), local(end)
        total, day = 0.0, a.date()
        while datetime.combine(day, clock_time()) < b:
            lo = max(a, datetime.combine(day, clock_time()))
            hi = min(b, datetime.combine(day, clock_time()) + timedelta(days=1))
            if hi > lo and is_working_day(day):
                total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total / 86400

    rng = random.Random(2026)
    for _ in range(2000):
        start = cn(2024, 1, 1) + timedelta(minutes=rng.randint(0, 60 * 24 * 1400))
        end = start + timedelta(minutes=rng.randint(0, 60 * 24 * rng.choice([1, 6, 40, 400])))
        assert elapsed(start, end) == pytest.approx(naive(start, end), abs=1e-9)


def test_the_clock_basis_follows_the_days_of_the_table_not_its_comments(tmp_path):
    """`basis`: the promise and a digest of the holidays and make-up days; a comment or a
    name changed in the table does not make the stored clocks out of date, a day does."""
    text = calendar.CALENDAR_FILE.read_text(encoding="utf-8")
    renamed, added = tmp_path / "renamed.csv", tmp_path / "added.csv"
    renamed.write_text("# a new comment\n" + text.replace("国庆节 National Day", "National Day"), encoding="utf-8")
    added.write_text(text.rstrip("\n") + "\n2026-11-04,holiday,test day,0\n", encoding="utf-8")
    real = calendar.current()
    assert clock.basis(3) == clock.basis(3.0) == f"3d/{calendar.digest(real)}"
    assert clock.basis(5) != clock.basis(3)
    assert calendar.digest(calendar.load_calendar(renamed)) == calendar.digest(real)
    assert calendar.digest(calendar.load_calendar(added)) != calendar.digest(real)
    assert len(calendar.digest(real)) == 10
