"""The sub-centres' reporting duties (`network.duties`, `network.submissions`, `network.reminders`):
due dates against a hand-computed table around Chinese holidays and make-up days, the states,
handing in and review, permissions across sub-centres, reminders sent once (also by concurrent
sweeps), a calendar change moving the affected due dates only; SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update

from ipoverseas.accounts import notifications
from ipoverseas.audit import query as audit_query
from ipoverseas.consultations import calendar
from ipoverseas.core import db, errors
from ipoverseas.core.models import DutyItem, DutySubmission, DutyType, Notification, StoredFile, SubCentre
from ipoverseas.demo import documents as make
from ipoverseas.network import duerules, duties, reminders, submissions
from ipoverseas.network import workcalendar as wc
from tests.consultations.helpers import build_world

# Due dates worked out by hand from the State Council's 2026 notice (data/holidays_cn.csv):
# (rule, frequency, period, due date, why)
TABLE = [
    ("fixed:03-15", "yearly", "2026", date(2026, 3, 16), "15 March 2026 is a Sunday"),
    ("fixed:03-15", "yearly", "2027", date(2027, 3, 15), "a Monday"),
    ("fixed:12-01", "yearly", "2026", date(2026, 12, 1), "a Tuesday"),
    ("fixed:10-01", "yearly", "2026", date(2026, 10, 8), "National Day 1-7 October"),
    ("fixed:10-10", "yearly", "2026", date(2026, 10, 10), "a make-up Saturday is a working day"),
    ("nth_workday_next_month:5", "monthly", "2025-12", date(2026, 1, 8), "1-3 Jan off, Sunday 4 Jan worked"),
    ("nth_workday_next_month:5", "monthly", "2026-01", date(2026, 2, 6), "an ordinary week"),
    ("nth_workday_next_month:5", "monthly", "2026-04", date(2026, 5, 11), "1-5 May off, Saturday 9 May worked"),
    ("nth_workday_next_month:5", "monthly", "2026-09", date(2026, 10, 13), "1-7 Oct off, Saturday 10 Oct worked"),
    ("workdays_after_period:10", "quarterly", "2025-Q4", date(2026, 1, 15), "New Year and its make-up Sunday"),
    ("workdays_after_period:10", "quarterly", "2026-Q1", date(2026, 4, 15), "Qingming 4-6 April"),
    ("workdays_after_period:10", "quarterly", "2026-Q2", date(2026, 7, 14), "no holiday"),
    ("workdays_after_period:10", "quarterly", "2026-Q3", date(2026, 10, 20), "National Day, make-up 10 Oct"),
    ("on:2026-05-02", "once", "once", date(2026, 5, 6), "Labour Day 1-5 May"),
]


@pytest.fixture
def world(database):
    calendar.invalidate()
    w = build_world()
    with db.write_session() as s:   # both sub-centres exist since 2020: they owe the whole year
        s.execute(update(SubCentre).values(created_at=datetime(2020, 1, 1)))
    yield w
    calendar.invalidate()


def _item(world, code: str, period: str, sub_centre: int | None = None) -> int:
    with db.read_session() as s:
        return s.scalar(select(DutyItem.id).join(DutyType, DutyType.id == DutyItem.duty_type_id)
                        .where(DutyType.code == code, DutyItem.period == period,
                               DutyItem.sub_centre_id == (sub_centre or world.zj)))


def _status(item_id: int) -> tuple[str, bool | None]:
    with db.read_session() as s:
        it = s.get(DutyItem, item_id)
        return it.status, it.on_time


def _period(code: str, frequency: str) -> duerules.Period:
    if code == "once":
        return duerules.Period("once", 2026, date(2026, 5, 2), date(2026, 5, 2))
    year = int(code[:4])
    return next(p for p in duerules.periods(frequency, year) if p.code == code)


def test_due_dates_match_the_hand_computed_table(world):
    for rule, frequency, period, expected, why in TABLE:
        duerules.check(frequency, rule)
        assert duerules.due_date(rule, _period(period, frequency)) == expected, (rule, period, why)


@pytest.mark.parametrize("frequency, rule", [
    ("monthly", "fixed:13-01"), ("monthly", "workdays_after_period:0"), ("monthly", "on:2026-01-01"),
    ("yearly", "nth_workday_next_month:5"), ("once", "fixed:03-15"), ("weekly", "fixed:03-15"),
    ("monthly", "workdays_after:5"), ("monthly", "workdays_after_period:61"), ("monthly", "fixed:03-15"),
    ("quarterly", "fixed:12-01"),
])
def test_rules_that_do_not_fit_are_refused(frequency, rule):
    with pytest.raises(errors.Invalid) as refused:
        duerules.check(frequency, rule)
    assert refused.value.problems[0].field in ("due_rule", "frequency")


def test_the_shipped_duty_types_are_seeded_with_their_rules(world):
    types = {t["code"]: t for t in duties.duty_types()}
    assert {c: t["due_rule"] for c, t in types.items()} == {
        "annual_plan": "fixed:03-15", "monthly_status": "nth_workday_next_month:5",
        "quarterly_disputes": "workdays_after_period:10", "annual_summary": "fixed:12-01"}
    assert all(t["owner_sub_centre_id"] is None and t["name_en"] and t["content_zh"] for t in types.values())
    assert [f["code"] for f in types["monthly_status"]["figures"]][:3] == [
        "consultations_handled", "trainings_held", "enterprises_reached"]


def test_a_year_is_made_once_even_by_two_makers_at_once(world):
    errors_seen = []

    def make_year():
        try:
            duties.ensure_year(2026)
        except Exception as exc:   # noqa: BLE001 - the test reports any failure below
            errors_seen.append(exc)

    threads = [threading.Thread(target=make_year) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors_seen
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(DutyItem)) == 2 * (1 + 12 + 4 + 1)
    assert duties.ensure_year(2026) == 0


def test_a_sub_centre_owes_nothing_that_fell_due_before_it_existed(world):
    with db.write_session() as s:
        s.execute(update(SubCentre).where(SubCentre.id == world.gd).values(created_at=datetime(2026, 7, 1)))
    duties.ensure_year(2026)
    with db.read_session() as s:
        periods = set(s.scalars(select(DutyItem.period).where(DutyItem.sub_centre_id == world.gd)))
    assert "2026-05" not in periods and "2026-06" in periods and "2026-Q2" in periods   # Q2 due 14 July
    assert "2026" in periods      # the summary (1 Dec) is owed; the plan's row is the same period code


def test_states_on_time_late_returned_resubmitted_accepted_missing(world):
    staff, admin = world.p("staff_zj"), world.p("admin")
    duties.ensure_year(2026)
    late = _item(world, "monthly_status", "2026-01")           # due 6 Feb: handing it in now is late
    on_time = _item(world, "monthly_status", "2026-12")        # due 8 Jan 2027
    missing = _item(world, "quarterly_disputes", "2026-Q1")
    submissions.submit(staff, late, text="一月工作情况", figures={"trainings_held": "2"})
    submissions.submit(staff, on_time, text="十二月工作情况")
    assert _status(late) == ("submitted", False) and _status(on_time) == ("submitted", True)
    submissions.review(admin, on_time, "returned", "请补充培训场次")
    assert _status(on_time) == ("returned", True)
    with pytest.raises(errors.NotNow):
        submissions.review(admin, on_time, "accepted")                 # nothing handed in to review
    submissions.submit(staff, on_time, text="十二月工作情况（修改稿）", figures={"trainings_held": 3})
    assert _status(on_time) == ("submitted", True)                     # the first hand-in decides
    submissions.review(admin, on_time, "accepted")
    with pytest.raises(errors.NotNow):
        submissions.submit(staff, on_time, text="again")
    today = date(2026, 12, 4)
    page = duties.items(admin, year=2026, sub_centre_id=world.zj, today=today, limit=500)
    by_id = {r["id"]: r["state"] for r in page["rows"]}
    assert by_id[late] == "submitted_late" and by_id[on_time] == "accepted" and by_id[missing] == "missing"
    assert by_id[_item(world, "monthly_status", "2026-11")] == "due_soon"     # due 7 Dec, 3 working days on
    assert by_id[_item(world, "quarterly_disputes", "2026-Q4")] == "upcoming"
    assert page["counts"]["accepted"] == 1 and page["counts"]["submitted_late"] == 1
    # the states in SQL (the list's filter) and in Python (the grid) agree on every item
    grid = duties.grid(admin, 2026, sub_centre_id=world.zj, today=today)
    cells = {item_id: state for row in grid["rows"] for state, item_id in row["cells"].values()}
    assert cells == by_id and grid["counts"] == page["counts"]
    only_missing = duties.items(admin, year=2026, sub_centre_id=world.zj, states=["missing"], today=today)
    assert only_missing["total"] == page["counts"]["missing"] and {r["state"] for r in only_missing["rows"]} == {"missing"}
    subs = submissions.submissions(admin, on_time)
    assert [s["decision"] for s in subs] == ["accepted", "returned"] and subs[1]["reason"] == "请补充培训场次"
    assert subs[0]["figures"] == {"trainings_held": 3} and subs[0]["submitted_by"] == "staff_zj"


def test_every_step_is_audited_in_the_reports_history_and_notified(world):
    staff, admin = world.p("staff_zj"), world.p("admin")
    duties.ensure_year(2026)
    item = _item(world, "monthly_status", "2026-10")
    submissions.submit(staff, item, text="十月")
    submissions.review(admin, item, "returned", "数据不全")
    submissions.submit(staff, item, text="十月（修改）")
    submissions.review(admin, item, "accepted")
    actions = [r["what"] for r in audit_query.history(admin, "duty", item)]
    assert actions == ["duty.accept", "duty.submit", "duty.return", "duty.submit"]
    assert [r["what"] for r in audit_query.history(staff, "duty", item)] == actions     # the owner sees it too
    with pytest.raises(errors.Denied):
        audit_query.history(world.p("staff_gd"), "duty", item)
    with db.read_session() as s:
        kinds = s.execute(select(Notification.kind, Notification.entity, Notification.entity_id)
                          .where(Notification.user_id == staff.id).order_by(Notification.id)).all()
    assert kinds == [("duty_returned", "duty", item), ("duty_accepted", "duty", item)]
    assert notifications.mark_read_for(staff, item, entity="duty") == 2


def test_staff_of_another_sub_centre_cannot_see_or_hand_in_by_any_id(world):
    duties.ensure_year(2026)
    theirs = _item(world, "monthly_status", "2026-10")
    submissions.submit(world.p("staff_zj"), theirs, text="浙江十月", file_name="r.pdf", file_content=make.pdf(["x"]))
    sub_id = submissions.submissions(world.p("admin"), theirs)[0]["id"]
    other = world.p("staff_gd")
    with pytest.raises(errors.NotFound):
        duties.item(other, theirs)
    with pytest.raises(errors.NotFound):
        submissions.submit(other, theirs, text="not mine")
    with pytest.raises(errors.NotFound):
        submissions.submissions(other, theirs)
    with pytest.raises(errors.NotFound):
        submissions.document(other, sub_id)
    seen = duties.items(other, year=2026, limit=500)
    assert seen["total"] == 18 and all(r["sub_centre_code"] == "GD" for r in seen["rows"])
    assert [r["code"] for r in duties.grid(other, 2026)["rows"]] == ["GD"]
    with pytest.raises(errors.Denied):
        submissions.review(world.p("staff_zj"), theirs, "accepted")     # staff do not review
    with pytest.raises(errors.Denied):
        submissions.submit(world.p("admin"), theirs, text="the centre does not hand in")
    for outsider in ("ent_a", "exp_best"):
        with pytest.raises(errors.Denied):
            duties.items(world.p(outsider), year=2026)
        with pytest.raises(errors.NotFound):
            duties.item(world.p(outsider), theirs)


def _docx_with(extra: dict[str, bytes]) -> bytes:
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make.docx("t", ["p"]))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        for name, data in extra.items():
            zf.writestr(name, data)
    return out.getvalue()


def _pdf_with_packed(body: bytes) -> bytes:
    """A PDF whose object stream (Flate-compressed, as PDF 1.5 writers do) holds `body`."""
    import zlib
    packed = zlib.compress(b"7 0 " + body)
    stream = b"8 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
    pdf = make.pdf(["x"])
    cut = pdf.index(b"xref")
    return pdf[:cut] + stream + packed + b"\nendstream\nendobj\n" + pdf[cut:]


HOSTILE = [
    ("macro.docx", lambda: _docx_with({"word/vbaProject.bin": b"\x00" * 100}), "reports.doc.macro"),
    ("bomb.docx", lambda: _docx_with({"word/media/huge.bin": b"\x00" * (300 * 1024 * 1024)}), "reports.doc.zip_bomb"),
    ("setup.pdf", lambda: b"MZ\x90\x00" + b"\x00" * 2000, "reports.doc.wrong_type_program"),
    ("report.docx", lambda: b"MZ\x90\x00" + b"\x00" * 2000, "reports.doc.wrong_type_program"),
    ("script.pdf", lambda: make.pdf(["x"]).replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),
     "reports.doc.pdf_active"),
    ("cut.pdf", lambda: make.pdf(["x"])[:-40], "reports.doc.truncated"),
    ("packed.pdf", lambda: _pdf_with_packed(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"),
     "reports.doc.pdf_active"),
    ("old.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "reports.doc.wrong_type_ole"),
    ("entities.docx", lambda: _docx_with({"word/x.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'}),
     "reports.doc.xml_entities"),
    ("notes.txt", lambda: b"hello", "reports.doc.bad_extension"),
    ("empty.pdf", lambda: b"", "reports.doc.empty"),
    ("sheet.pdf", lambda: make.xlsx("t", [(1, 2)]), "reports.doc.wrong_type_xlsx"),
]


@pytest.mark.parametrize("name, content, key", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_documents_are_refused_and_nothing_is_stored(world, name, content, key):
    duties.ensure_year(2026)
    item = _item(world, "monthly_status", "2026-10")
    with pytest.raises(errors.Invalid) as refused:
        submissions.submit(world.p("staff_zj"), item, text="正文", file_name=name, file_content=content())
    assert refused.value.problems[0].key == key and refused.value.problems[0].field == "file"
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(StoredFile)) == 0
        assert s.scalar(select(func.count()).select_from(DutySubmission)) == 0
    assert _status(item) == ("open", None)


def test_real_documents_are_stored_with_their_hash_and_come_back_unchanged(world):
    import hashlib
    duties.ensure_year(2026)
    staff = world.p("staff_zj")
    for period, name, content in [("2026-07", "七月.docx", make.docx("七月工作情况", ["一、工作开展情况"])),
                                  ("2026-08", "八月.xlsx", make.xlsx("八月", [("培训", 3)])),
                                  ("2026-09", "九月.pdf", make.pdf(["September"]))]:
        item = _item(world, "monthly_status", period)
        submissions.submit(staff, item, file_name=name, file_content=content)
        sub = submissions.submissions(staff, item)[0]
        assert sub["sha256"] == hashlib.sha256(content).hexdigest() and sub["file_name"] == name
        got_name, media_type, got = submissions.document(world.p("admin"), sub["id"])
        assert (got_name, got) == (name, content) and media_type.startswith("application/")
    with pytest.raises(errors.Invalid) as nothing:
        submissions.submit(staff, _item(world, "monthly_status", "2026-06"), text="   ")
    assert nothing.value.key == "duties.nothing_to_submit"
    with pytest.raises(errors.Invalid) as bad:
        submissions.submit(staff, _item(world, "monthly_status", "2026-06"), text="x", figures={"trainings_held": "-1"})
    assert bad.value.key == "duties.bad_figure_value"


def _reminders(staff_id: int) -> list[tuple[str, int]]:
    with db.read_session() as s:
        return s.execute(select(Notification.kind, Notification.entity_id).where(Notification.user_id == staff_id)
                         .order_by(Notification.id)).all()


def test_reminders_go_out_once_each_even_from_concurrent_sweeps(world):
    duties.ensure_year(2026)
    staff = world.p("staff_zj")
    november = _item(world, "monthly_status", "2026-11")          # due Monday 7 Dec 2026
    sent = []

    def sweep(day):
        sent.append(reminders.sweep(day))

    threads = [threading.Thread(target=sweep, args=(date(2026, 12, 3),)) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(s["soon"] for s in sent) == 2 * 1           # the November status, once for each sub-centre
    assert ("duty_due_soon", november) in _reminders(staff.id)
    assert reminders.sweep(date(2026, 12, 4))["soon"] == 0
    assert reminders.sweep(date(2026, 12, 7))["due"] == 2 and reminders.sweep(date(2026, 12, 7))["due"] == 0
    assert reminders.sweep(date(2026, 12, 8))["overdue"] >= 2
    assert [k for k, i in _reminders(staff.id) if i == november] == ["duty_due_soon", "duty_due", "duty_overdue"]
    submissions.submit(staff, _item(world, "annual_summary", "2026"), text="总结")
    before = len(_reminders(staff.id))
    assert reminders.sweep(date(2026, 12, 9))["overdue"] == 0 and len(_reminders(staff.id)) == before


def test_a_calendar_change_moves_the_affected_due_dates_and_only_those(world):
    duties.ensure_year(2026)
    q1, march = _item(world, "quarterly_disputes", "2026-Q1"), _item(world, "monthly_status", "2026-03")

    def due(item_id):
        with db.read_session() as s:
            return s.get(DutyItem, item_id).due_on

    assert (due(q1), due(march)) == (date(2026, 4, 15), date(2026, 4, 8))
    submissions.submit(world.p("staff_zj"), q1, text="一季度")          # handed in now: late
    with db.write_session() as s:    # pretend it came in on its due day: on time, until the due date moves
        s.execute(update(DutyItem).where(DutyItem.id == q1).values(on_time=True,
                                                                   first_submitted_at=datetime(2026, 4, 15, 2, 0)))
    done = wc.save_day(world.p("admin"), date(2026, 4, 14), "holiday", "test", "a correction")
    assert done["recomputed"] == 2        # the Q1 report of both sub-centres; no consultation is open
    assert (due(q1), due(march)) == (date(2026, 4, 16), date(2026, 4, 8))
    assert _status(q1) == ("submitted", True)
    wc.save_day(world.p("admin"), date(2026, 4, 14), None)
    assert due(q1) == date(2026, 4, 15)


def test_the_admin_keeps_the_duty_types_and_a_rule_change_moves_the_due_dates(world):
    admin = world.p("admin")
    duties.ensure_year(2026)
    monthly = next(t for t in duties.duty_types() if t["code"] == "monthly_status")
    form = duties.DutyTypeForm(**{k: monthly[k] for k in duties.TYPE_FIELDS if k not in ("position",)})
    form.due_rule = "nth_workday_next_month:3"
    duties.save_duty_type(admin, form, monthly["id"])
    with db.read_session() as s:
        assert s.get(DutyItem, _item(world, "monthly_status", "2026-04")).due_on == date(2026, 5, 8)
    history = audit_query.history(admin, "duty_type", monthly["id"])
    assert history and history[0]["what"] == "duty_type.save"
    with pytest.raises(errors.Denied):
        duties.save_duty_type(world.p("staff_zj"), form, monthly["id"])
    form.due_rule = "every so often"
    with pytest.raises(errors.Invalid) as bad:
        duties.save_duty_type(admin, form, monthly["id"])
    assert bad.value.field == "due_rule"
    new = duties.DutyTypeForm(code="training_plan", name_zh="培训计划", frequency="once", due_rule="on:2026-06-30",
                              owner_sub_centre_id=world.gd)
    type_id = duties.save_duty_type(admin, new)
    assert duties.ensure_year(2026) == 1              # owed by Guangdong only
    with pytest.raises(errors.Invalid) as taken:
        duties.save_duty_type(admin, new)
    assert taken.value.key == "duties.code_taken" and type_id


def test_a_compressed_pdf_without_active_content_is_accepted(world):
    duties.ensure_year(2026)
    content = _pdf_with_packed(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    submissions.submit(world.p("staff_zj"), _item(world, "monthly_status", "2026-10"), file_name="ok.pdf",
                       file_content=content)
    assert _status(_item(world, "monthly_status", "2026-10"))[0] == "submitted"


def test_content_without_a_name_is_refused_not_dropped(world):
    duties.ensure_year(2026)
    with pytest.raises(errors.Invalid) as refused:
        submissions.submit(world.p("staff_zj"), _item(world, "monthly_status", "2026-10"), text="x",
                           file_content=make.pdf(["x"]))
    assert refused.value.problems[0].field == "file"


def test_an_inactive_duty_type_is_no_longer_listed_or_reminded_and_shared_short_names_keep_their_columns(world):
    admin = world.p("admin")
    duties.ensure_year(2026)
    summary = next(t for t in duties.duty_types() if t["code"] == "annual_summary")
    plan = next(t for t in duties.duty_types() if t["code"] == "annual_plan")
    same = duties.DutyTypeForm(**{k: plan[k] for k in duties.TYPE_FIELDS if k != "position"})
    same.short_zh = summary["short_zh"]                       # two yearly types, one short name
    duties.save_duty_type(admin, same, plan["id"])
    columns = duties.grid(admin, 2026, today=date(2026, 12, 4))["columns"]
    assert len([c for c in columns if c.startswith(summary["short_zh"])]) == 2
    off = duties.DutyTypeForm(**{k: summary[k] for k in duties.TYPE_FIELDS if k != "position"})
    off.active = False
    duties.save_duty_type(admin, off, summary["id"])
    page = duties.items(admin, year=2026, limit=500, today=date(2026, 12, 4))
    assert "年度工作总结" not in {r["duty"] for r in page["rows"]} and page["total"] == 2 * (1 + 12 + 4)
    assert reminders.sweep(date(2026, 12, 1))["due"] == 0      # the summary was due that day; it is owed no more


def test_a_type_changed_to_another_frequency_or_owner_withdraws_only_the_future_reports_nobody_handed_in(world):
    admin, staff = world.p("admin"), world.p("staff_zj")
    duties.ensure_year(2027)
    monthly = next(t for t in duties.duty_types() if t["code"] == "monthly_status")
    handed_in = _item(world, "monthly_status", "2027-01")
    submissions.submit(staff, handed_in, text="一月")
    with db.read_session() as s:                       # the reviewers are told of a report handed in
        told = s.scalars(select(Notification.kind).where(Notification.user_id == admin.id,
                                                         Notification.entity_id == handed_in)).all()
    assert told == ["duty_submitted"]
    form = duties.DutyTypeForm(**{k: monthly[k] for k in duties.TYPE_FIELDS if k != "position"})
    form.frequency, form.due_rule = "quarterly", "workdays_after_period:10"
    duties.save_duty_type(admin, form, monthly["id"])

    def periods(sub_centre):
        with db.read_session() as s:
            return sorted(s.scalars(select(DutyItem.period).where(DutyItem.duty_type_id == monthly["id"],
                                                                 DutyItem.year == 2027,
                                                                 DutyItem.sub_centre_id == sub_centre)))
    assert periods(world.zj) == ["2027-01"] and periods(world.gd) == []   # the handed-in report stays
    assert duties.ensure_year(2027) == 2 * 4                               # the quarters are owed now
    history = audit_query.history(admin, "duty_type", monthly["id"])
    assert "不再需要报送的未到期事项（已移除）: 23" in history[0]["change"]
    form.owner_sub_centre_id = world.gd                                    # Guangdong's alone from now on
    duties.save_duty_type(admin, form, monthly["id"])
    assert periods(world.zj) == ["2027-01"] and len(periods(world.gd)) == 4
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(DutySubmission)
                        .where(DutySubmission.item_id == handed_in)) == 1
