"""The admin page "工作日历 / Working-day calendar" through AppTest: the year, a day entered
(and the deadline recomputed notice), a make-up day on a weekday refused; others see nothing."""

from datetime import date

import pytest

from ipoverseas.consultations import calendar
from tests.pages.apptest import run_page, texts


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.invalidate()
    yield
    calendar.invalidate()


def test_the_admin_sees_a_year_and_enters_a_day(sqlite_demo_database, principal):
    at = run_page("calendar", principal("admin"), lang="zh")
    at.selectbox(key="admin_calendar_year").set_value(2027).run()
    shown = texts(at)
    assert "2027 年为暂定日历" in shown and "放假日" in shown
    table = at.dataframe[0].value
    assert "元旦 New Year's Day" in list(table["名称"]) and "星期五" in list(table["星期"])
    at.date_input(key="admin_calendar_day_2027").set_value(date(2027, 2, 20))
    at.selectbox(key="admin_calendar_kind").set_value("workday")
    at.text_input(key="admin_calendar_name").input("春节调休")
    at.button[1].click().run()     # the form's save
    assert not at.exception and "已保存" in texts(at)
    assert calendar.is_working_day(date(2027, 2, 20))


def test_a_make_up_day_on_a_weekday_is_refused(sqlite_demo_database, principal):
    at = run_page("calendar", principal("admin"), lang="zh")
    at.selectbox(key="admin_calendar_year").set_value(2026).run()
    at.date_input(key="admin_calendar_day_2026").set_value(date(2026, 11, 4))
    at.selectbox(key="admin_calendar_kind").set_value("workday")
    at.button[1].click().run()
    assert "不能设为调休上班日" in texts(at) and "已保存" not in texts(at)
    assert calendar.is_working_day(date(2026, 11, 4))


@pytest.mark.parametrize("who", ["staff", "expert", "enterprise"])
def test_others_see_nothing_of_the_calendar(sqlite_demo_database, principal, who):
    at = run_page("calendar", principal(who), lang="zh")
    assert not at.dataframe and "工作日历" not in [t.value for t in at.title]


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_the_admin_home_reminds_of_next_years_notice_from_november(sqlite_demo_database, principal, who):
    from ipoverseas.core import localtime
    at = run_page("home", principal(who), lang="zh")
    due = calendar.calendar_reminder(localtime.today())
    shown = "放假安排尚未正式录入" in texts(at)
    assert not at.exception and shown == (who == "admin" and due is not None)
