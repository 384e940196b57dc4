"""One time zone (core/localtime.py): what people read and the dates the clocks count."""

from datetime import date, datetime

import pytest

from ipoverseas.core import config, localtime
from ipoverseas.consultations import calendar

LATE_EVENING_UTC = datetime(2026, 12, 2, 18, 18)      # 02:18 on 3 December in Beijing


def test_the_users_date_is_beijing_s_not_the_server_s():
    assert localtime.today(LATE_EVENING_UTC) == date(2026, 12, 3)
    assert localtime.text(LATE_EVENING_UTC) == "2026-12-03 02:18"
    assert localtime.from_local(datetime(2026, 12, 3, 2, 18)) == LATE_EVENING_UTC
    assert localtime.text(None) == ""
    assert localtime.label("zh") == "北京时间" and localtime.label("en") == "Beijing time"


def test_the_zone_is_a_setting_and_the_clocks_follow_it(monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_TIME_ZONE", "Europe/Berlin")
    assert localtime.text(datetime(2026, 7, 1, 12, 0)) == "2026-07-01 14:00"     # summer time
    assert localtime.text(datetime(2026, 12, 1, 12, 0)) == "2026-12-01 13:00"
    assert calendar.to_local(datetime(2026, 12, 1, 12, 0)) == datetime(2026, 12, 1, 13, 0)
    assert "Europe/Berlin" in localtime.label("en")


def test_an_unknown_zone_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(Exception, match="Mars/Olympus"):
        config.get("time_zone")
