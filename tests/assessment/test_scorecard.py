"""The assessment against hand counts (tests/assessment/world.py), on SQLite and PostgreSQL: every
automatic item, an empty year, a new sub-centre, a sub-centre without consultations (no division by
zero, no made-up score); the rubric changes the scores; overrides and freezing are audited and a
frozen year stays put; staff see their own sub-centre only, through any id."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from ipoverseas.access.policy import Principal
from ipoverseas.assessment import adjustments, evidence, rubric, scorecard
from ipoverseas.core import db, errors
from ipoverseas.core.models import Activity, AssessmentRubric, AuditEvent
from tests.assessment.world import TODAY, YEAR, build


@pytest.fixture
def world(database):
    return build()


def _card(world, user="admin", year=YEAR):
    return scorecard.compute(world.p(user), year, today=TODAY)


def _item(card, sc, code):
    return card.row(sc).items[code]


def test_every_automatic_item_equals_the_hand_count(world):
    card = _card(world)
    a = card.row(world.a)
    got = {code: (i.parts[0].numerator, i.parts[0].denominator, i.points) for code, i in a.items.items()}
    assert got["reports_on_time"] == (7, 13, round(10 * (7 / 13 - 0.5) / 0.5, 2))   # linear 0.5 -> 1.0
    assert got["cases_every_quarter"] == (3, 4, 7.5)
    assert got["taken_up_promptly"] == (1, 3, 0.0)                       # 1/3 is below the floor of 0.5
    assert got["answered_on_time"] == (1, 3, 0.0)
    effect = a.items["effect_followup"]
    assert [(p.numerator, p.denominator) for p in effect.parts] == [(1, 2), (8, 2)]   # outcomes 1/2; ratings 5 + 3
    assert effect.parts[1].value == 4.0 and effect.parts[1].points == 4.0           # steps: 4.0 -> 0.8 x 5
    assert effect.parts[0].points == round(5 * (0.5 - 0.3) / 0.6, 2)
    assert got["transfers_handled"] == (1, 3, 0.0)
    assert a.items["training_sessions"].parts[0].value == 5 and a.items["training_sessions"].points == 10
    assert a.items["publicity"].parts[0].value == 2 and a.items["publicity"].points == 2.5
    assert a.items["publications"].parts[0].value == 2 and a.items["publications"].points == 3.33
    assert a.items["funding_help"].parts[0].value == 0 and a.items["funding_help"].points == 0
    assert a.items["agency_match"].points == 5
    assert a.items["expert_pool"].parts[0].value == 3 and a.items["expert_pool"].points == 3
    assert a.items["centre_judgement"].points is None                     # no data until the admin sets it
    assert a.total == round(sum(i.points or 0 for i in a.items.values()), 2)


def test_a_sub_centre_without_data_has_no_made_up_scores(world):
    b = _card(world).row(world.b)
    for code in ("taken_up_promptly", "answered_on_time", "effect_followup", "transfers_handled"):
        assert b.items[code].points is None and b.items[code].computed is None, code
    assert b.items["cases_every_quarter"].parts[0].numerator == 0 and b.items["cases_every_quarter"].points == 0
    assert b.items["reports_on_time"].points == 0                         # every report missing
    assert b.items["training_sessions"].points == 0                       # a count of 0 is a measured fact
    assert b.assessable == 100 - 5 - 10 - 10 - 5 - 10                     # no consultations, no transfers, no judgement


def test_a_new_sub_centre_owes_only_what_fell_due_after_it_was_set_up(world):
    c = _card(world).row(world.c)
    q = c.items["cases_every_quarter"].parts[0]
    assert (q.numerator, q.denominator) == (1, 2)                         # Q3 and Q4 only
    reports = c.items["reports_on_time"].parts[0]
    assert reports.denominator == 5                                      # Aug-Nov monthly status + the summary
    assert world.d not in {r.sub_centre_id for r in _card(world).rows}   # inactive: not assessed


def test_an_empty_year_and_a_future_year(world):
    card = _card(world, year=2019)
    assert card.rows == [] and card.total_median is None
    with pytest.raises(errors.Invalid):
        scorecard.compute(world.p("admin"), 2027, today=TODAY)


def test_ranks_medians_and_the_change_from_the_year_before(world):
    card = _card(world)
    assert [r.rank for r in card.rows] == [1, 2, 3]
    assert card.rows[0].sub_centre_id == world.a
    assert card.medians["training_sessions"] == 0.0                      # A 10, B 0, C 0
    a = card.row(world.a)
    assert a.previous_total is not None and a.change == round(a.total - a.previous_total, 2)
    assert card.row(world.c).previous_total is None                      # not assessed in 2024


def test_the_evidence_lists_the_records_counted(world):
    admin = world.p("admin")
    found = evidence.evidence(admin, YEAR, world.a, "reports_on_time", today=TODAY)
    assert (found["total"], found["counted"]) == (13, 7) and {r["page"] for r in found["rows"]} == {"reports"}
    found = evidence.evidence(admin, YEAR, world.a, "cases_every_quarter", today=TODAY)
    assert found["total"] == 4 and {r["label"].split()[0] for r in found["rows"]} == {"A1", "A2", "A3", "A4"}
    assert [r["day"] for r in found["rows"] if r["label"].startswith("A3")] == [date(2025, 4, 1)]   # Beijing day
    found = evidence.evidence(admin, YEAR, world.a, "effect_followup", 1, today=TODAY)
    assert sorted(r["counted"] for r in found["rows"]) == [3, 5]
    found = evidence.evidence(admin, YEAR, world.a, "publications", today=TODAY)
    assert sorted(r["page"] for r in found["rows"]) == ["activities", "guides"]
    found = evidence.evidence(admin, YEAR, world.a, "taken_up_promptly", today=TODAY, page_size=2)
    assert found["total"] == 3 and len(found["rows"]) == 2
    assert evidence.evidence(admin, YEAR, world.a, "centre_judgement", today=TODAY)["manual"]


def test_changing_the_rubric_changes_the_scores_and_a_bad_rubric_writes_nothing(world):
    admin = world.p("admin")
    content = rubric.current().content
    changed = rubric.with_changes(content, [dict(r, target=10) if r["item"] == "training_sessions" else r
                                            for r in rubric.parts_table(rubric.current())])
    version = rubric.save(admin, changed, "training target 10")
    assert version == 2
    assert _item(_card(world), world.a, "training_sessions").points == 5.0   # 5 of 10
    broken = json.loads(json.dumps(changed))
    broken["sections"][0]["points"] = 30
    with pytest.raises(errors.Invalid) as refused:
        rubric.save(admin, broken, "oops")
    assert {p.key for p in refused.value.problems} >= {"assessment.rubric.items_sum", "assessment.rubric.total"}
    with pytest.raises(errors.Invalid):
        rubric.save(admin, "{not json", "oops")
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AssessmentRubric)) == 2
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.rubric_save")).one()
        assert event.detail["changes"] == ["training_sessions: changed"]
    with pytest.raises(errors.Denied):
        rubric.save(world.p("staff_a"), changed, "mine")


def test_an_override_counts_with_its_reason_and_is_audited(world):
    admin = world.p("admin")
    with pytest.raises(errors.Invalid):
        adjustments.set_override(admin, YEAR, world.a, "centre_judgement", 8, "  ")
    with pytest.raises(errors.Invalid):
        adjustments.set_override(admin, YEAR, world.a, "centre_judgement", 11, "too much")
    adjustments.set_override(admin, YEAR, world.a, "centre_judgement", 8, "led the regional network")
    adjustments.set_override(admin, YEAR, world.a, "taken_up_promptly", 4, "the queue was down for a month")
    item = _item(_card(world), world.a, "taken_up_promptly")
    assert (item.computed, item.override, item.points, item.reason) == (0.0, 4.0, 4.0, "the queue was down for a month")
    assert _item(_card(world), world.a, "centre_judgement").points == 8
    adjustments.remove_override(admin, YEAR, world.a, "taken_up_promptly", "queue data restored")
    assert _item(_card(world), world.a, "taken_up_promptly").points == 0.0
    with db.read_session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "assessment_year",
                                                                  AuditEvent.entity_id == YEAR)
                                 .order_by(AuditEvent.id)))
    assert actions == ["assessment.override", "assessment.override", "assessment.override_remove"]
    with pytest.raises(errors.Denied):
        adjustments.set_override(world.p("staff_a"), YEAR, world.a, "centre_judgement", 10, "us")


def test_a_frozen_year_stays_put_when_data_arrive_and_shows_what_would_differ(world):
    admin = world.p("admin")
    adjustments.freeze(admin, YEAR, today=TODAY)
    before = _card(world)
    assert before.frozen and before.differences == []
    with db.write_session() as s:     # a publicity event of 2025 reported late
        s.add(Activity(activity_ref="LATE", sub_centre_id=world.a, held_on=date(2025, 11, 1), kind="publicity",
                       title="late"))
    after = _card(world)
    assert _item(after, world.a, "publicity").points == 2.5               # frozen: 2 events
    assert [(d.sub_centre_id, d.item, d.frozen, d.live) for d in after.differences] == [
        (world.a, "publicity", 2.5, 3.75)]
    with pytest.raises(errors.NotNow):
        adjustments.set_override(admin, YEAR, world.a, "centre_judgement", 8, "late")
    with pytest.raises(errors.NotNow):
        adjustments.freeze(admin, YEAR, today=TODAY)
    with pytest.raises(errors.Invalid):
        adjustments.unfreeze(admin, YEAR, "")
    adjustments.unfreeze(admin, YEAR, "a late report accepted")
    assert _item(_card(world), world.a, "publicity").points == 3.75
    with db.read_session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "assessment_year")
                                 .order_by(AuditEvent.id)))
    assert actions == ["assessment.freeze", "assessment.unfreeze"]


def test_staff_see_their_own_sub_centre_and_the_medians_only(world):
    card = _card(world, "staff_b")
    assert [r.sub_centre_id for r in card.rows] == [world.b] and card.network_size == 3
    assert card.medians == _card(world).medians
    staff = world.p("staff_b")
    with pytest.raises(errors.Denied):
        evidence.evidence(staff, YEAR, world.a, "training_sessions", today=TODAY)
    with pytest.raises(errors.Denied):
        adjustments.freeze(staff, YEAR, today=TODAY)
    with pytest.raises(errors.Denied):
        scorecard.compute(Principal(id=0, username="x", display_name="x", role="enterprise"), YEAR)


def test_the_shipped_rubric_file_is_what_an_empty_database_scores_with(world, tmp_path, monkeypatch):
    content = rubric.seed_content()
    for section in content["sections"]:
        for item in section["items"]:
            if item["code"] == "expert_pool":
                item["parts"][0]["scale"]["target"] = 3        # A's 3 experts now make full points
    edited = tmp_path / "assessment_rubric.json"
    edited.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(rubric, "SEED", edited)
    assert _item(_card(world), world.a, "expert_pool").points == 10
    assert rubric.current().version == 1 and rubric.history()[0]["note"] == "data/assessment_rubric.json"


def test_the_clock_stores_the_working_days_to_the_first_assignment():
    from datetime import datetime

    from ipoverseas.consultations import calendar, clock

    asked = calendar.from_local(datetime(2026, 11, 27, 15, 0))       # a Friday, 15:00
    assigned = calendar.from_local(datetime(2026, 11, 30, 9, 0))     # Monday, 09:00
    again = calendar.from_local(datetime(2026, 12, 2, 9, 0))
    events = [(asked, None, "new"), (assigned, "new", "assigned"), (again, "assigned", "assigned")]
    facts = clock.facts(asked, None, assigned, events, 3)
    assert facts.assign_days == pytest.approx(clock.elapsed(asked, assigned)) and facts.assign_days == pytest.approx(
        (9 + 9) / 24)                                                  # Friday 15-24 h, Monday 0-9 h
    assert clock.facts(asked, None, None, events[:1], 3).assign_days is None


def test_the_command_prints_the_scorecard_as_json(world, capsys):
    from ipoverseas.cli import main

    assert main(["assessment", str(YEAR), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_code = {c["code"]: c for c in out["sub_centres"]}
    assert set(by_code) == {"A", "B", "C"} and by_code["A"]["rank"] == 1
    assert by_code["A"]["items"]["cases_every_quarter"]["parts"][0]["numerator"] == 3
    assert by_code["B"]["items"]["answered_on_time"]["points"] is None
    assert main(["assessment", str(YEAR)]) == 0
    assert "A " in capsys.readouterr().out
    assert main(["assessment", "1999"]) == 1


def test_a_report_due_today_counts_once_handed_in_not_before(world):
    from ipoverseas.assessment import measures
    from ipoverseas.core.models import DutyItem, DutyType
    from ipoverseas.network import duties
    from tests.assessment.world import bj

    duties.ensure_year(2026)
    ten_am = bj(2026, 3, 16, 10)                # the annual plan is due today (15 March is a Sunday)
    w = measures.window(2026, now=ten_am)
    params = {"duty_types": ["annual_plan", "monthly_status", "annual_summary"]}
    with db.read_session() as s:
        before = measures.duties_on_time(s, w, params, {world.a: date(2020, 1, 1)})[world.a]
    assert (before.numerator, before.denominator) == (0, 2)          # January's and February's status
    with db.write_session() as s:
        plan = s.scalar(select(DutyItem).join(DutyType, DutyType.id == DutyItem.duty_type_id).where(
            DutyItem.sub_centre_id == world.a, DutyItem.year == 2026, DutyType.code == "annual_plan"))
        assert plan.due_on == date(2026, 3, 16)
        plan.status, plan.on_time = "submitted", True
    with db.read_session() as s:
        after = measures.duties_on_time(s, w, params, {world.a: date(2020, 1, 1)})[world.a]
    assert (after.numerator, after.denominator) == (1, 3)
