"""The working-day calendar kept in the database (`network.workcalendar`): the seed, a change
recomputes the affected deadlines and only those, the notice table's preview and import, the
reminder, permissions, hostile files, the `calendar` command; SQLite and PostgreSQL."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from ipoverseas.cli import main
from ipoverseas.consultations import calendar, clock
from ipoverseas.core import db, errors
from ipoverseas.core.models import AuditEvent, CalendarDay, Consultation
from ipoverseas.imports import UploadRefusal
from ipoverseas.network import workcalendar as wc
from tests.consultations.helpers import build_world
from tests.consultations.test_sql import MONDAY, _add


@pytest.fixture
def world(database):
    calendar.invalidate()
    yield build_world()
    calendar.invalidate()


def _due(cid):
    with db.read_session() as s:
        c = s.get(Consultation, cid)
        return c.due_at, c.clock_basis


def test_the_seed_file_is_in_the_database_and_the_calendar_reads_it(world):
    seed = calendar.load_calendar()
    cal = calendar.current()
    assert (cal.holidays, cal.workdays, cal.years, cal.provisional_years) == \
        (seed.holidays, seed.workdays, seed.years, seed.provisional_years)
    view = wc.year_view(world.p("admin"), 2027)
    assert view["provisional"] and view["covered"] and date(2027, 1, 1) in [d["day"] for d in view["days"]]
    assert not wc.year_view(world.p("admin"), 2026)["provisional"]
    assert "国务院办公厅" in wc.year_view(world.p("admin"), 2026)["source"]


def test_a_calendar_change_recomputes_the_affected_deadlines_and_only_those(world):
    affected = _add(world, MONDAY, [(2, "assigned")])                                   # due Thursday 5 Nov
    later = _add(world, calendar.from_local(datetime(2026, 11, 23, 9, 0)), [(2, "assigned")])
    (due_a, basis_a), (due_b, _) = _due(affected), _due(later)
    assert due_a == calendar.from_local(datetime(2026, 11, 5, 9, 0))
    done = wc.save_day(world.p("admin"), date(2026, 11, 4), "holiday", "test day", "a correction")
    assert done["recomputed"] >= 1 and not calendar.is_working_day(date(2026, 11, 4))
    assert _due(affected)[0] == calendar.from_local(datetime(2026, 11, 6, 9, 0))       # Friday, not Thursday
    assert _due(affected)[1] != basis_a and _due(affected)[1] == clock.basis(3)
    assert _due(later)[0] == due_b                                                       # not affected
    with db.read_session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.save_day")).one()
    assert event.detail["day"] == "2026-11-04" and event.detail["after"] == {"kind": "holiday", "name": "test day"}
    wc.save_day(world.p("admin"), date(2026, 11, 4), None)                               # removed again
    assert _due(affected)[0] == due_a and calendar.is_working_day(date(2026, 11, 4))


def test_a_notice_table_is_previewed_then_saved_and_the_reminder_stops(world, tmp_path):
    admin = world.p("admin")
    assert calendar.calendar_reminder(date(2026, 10, 31)) is None                              # before 1 November
    assert calendar.calendar_reminder(date(2026, 11, 1)) == {"year": 2027, "missing": False}
    table = tmp_path / "2027.csv"
    table.write_text("日期,类型,名称\n2027-01-01,放假,元旦 New Year's Day\n2027年2月6日,休,春节\n2027-02-20,上班,春节调休\n",
                     encoding="utf-8")
    rows = wc.read_notice(table, "2027.csv")
    changes = {c["day"]: c for c in wc.preview(admin, 2027, rows)}
    assert changes[date(2027, 2, 20)]["change"] == "add" and changes[date(2027, 2, 20)]["after"] == "workday"
    assert changes[date(2027, 2, 5)]["change"] == "remove"                               # not in the notice
    assert date(2027, 1, 1) not in changes                                               # the same
    assert calendar.is_working_day(date(2027, 2, 5)) is False                           # a preview writes nothing
    wc.save_year(admin, 2027, rows, provisional=False, source="国办发明电〔2026〕1号")
    assert calendar.is_working_day(date(2027, 2, 5)) and calendar.is_working_day(date(2027, 2, 20))
    assert calendar.calendar_reminder(date(2026, 11, 1)) is None
    assert calendar.calendar_reminder(date(2027, 11, 1)) == {"year": 2028, "missing": True}
    with db.read_session() as s:
        assert s.scalar(select(CalendarDay.source).where(CalendarDay.day == date(2027, 2, 20))) == "国办发明电〔2026〕1号"
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.save_year")).one().entity_id == 2027


def test_bad_rows_and_hostile_files_are_refused_with_nothing_stored(world, tmp_path):
    admin = world.p("admin")
    with pytest.raises(errors.Invalid) as refused:
        wc.save_day(admin, date(2026, 11, 4), "workday")                                  # a Wednesday
    assert refused.value.key == "calendar.workday_on_weekday"
    with pytest.raises(errors.Invalid):
        wc.save_year(admin, 2027, [{"day": date(2028, 1, 1), "kind": "holiday", "name": ""}],
                     provisional=False, source="")
    exe = tmp_path / "notice.xlsx"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 4000)
    with pytest.raises(UploadRefusal):
        wc.read_notice(exe, "notice.xlsx")
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-01-01,maybe,x\n", encoding="utf-8")
    with pytest.raises(errors.Invalid):
        wc.read_notice(bad, "bad.csv")
    assert calendar.current().provisional_years == calendar.load_calendar().provisional_years
    with db.read_session() as s:
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action.like("calendar.%"))).all()


@pytest.mark.parametrize("who", ["staff_zj", "exp_best", "ent_a"])
def test_only_the_admin_keeps_the_calendar(world, who):
    user = world.p(who)
    for attempt in (lambda: wc.year_view(user, 2026), lambda: wc.save_day(user, date(2026, 11, 4), "holiday"),
                    lambda: wc.preview(user, 2027, []), lambda: wc.set_provisional(user, 2027, False)):
        with pytest.raises(errors.Denied):
            attempt()
    assert calendar.is_working_day(date(2026, 11, 4))


def test_the_calendar_command_shows_and_imports_a_year(world, tmp_path, capsys):
    assert main(["calendar", "show", "2027"]) == 0
    out = capsys.readouterr().out
    assert "2027: PROVISIONAL" in out and "2027-02-05" in out
    table = tmp_path / "n.csv"
    table.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,调休\n", encoding="utf-8")
    assert main(["calendar", "import", str(table), "--dry-run"]) == 0
    assert "add     2027-02-20" in capsys.readouterr().out and not calendar.is_working_day(date(2027, 2, 5))
    assert main(["calendar", "import", str(table), "--source", "notice"]) == 0
    assert calendar.is_working_day(date(2027, 2, 5)) and calendar.is_working_day(date(2027, 2, 20))
    assert main(["calendar", "show", "2027"]) == 0
    assert "2027: official; source: notice" in capsys.readouterr().out
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"MZ" + b"\x00" * 100)
    assert main(["calendar", "import", str(bad)]) == 1
