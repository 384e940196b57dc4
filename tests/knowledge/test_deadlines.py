"""The response clock: the rules file, date arithmetic, and the examples of the issue."""

from datetime import date

import pytest

from ipoverseas.knowledge import deadlines as rc
from ipoverseas.core import vocab


def test_every_rule_names_its_source_and_is_well_formed():
    rules = rc.rules()
    assert len(rules) >= 15
    for rule in rules:
        assert rule.dispute_type in vocab.DISPUTE_TYPES
        assert rule.unit in rc.UNITS
        assert rule.source.strip() and rule.source_url.startswith("https://")
        assert rule.action_zh.strip() and rule.action_en.strip()
        assert rule.trigger_zh.strip() and rule.trigger_en.strip()
    # steps are unique within a dispute type
    keys = [(r.dispute_type, r.step) for r in rules]
    assert len(keys) == len(set(keys))


def test_the_issue_examples_are_in_the_table():
    itc = {r.offset: r for r in rc.rules("itc_337")}
    assert itc[20].unit == "calendar" and "210.13" in itc[20].source
    tro = {r.offset: r for r in rc.rules("ecommerce")}
    assert tro[14].unit == "calendar" and "65(b)" in tro[14].source
    customs = {r.offset: r for r in rc.rules("customs")}
    assert customs[10].unit == "working" and "608/2013" in customs[10].source and "Art. 23" in customs[10].source
    assert customs[3].unit == "working"          # perishables
    euipo = [r for r in rc.rules("squatting") if r.jurisdiction == "EUIPO"]
    assert euipo and euipo[0].unit == "months" and euipo[0].offset == 3
    assert any(r.offset < 0 for r in rc.rules("trade_fair"))   # a protective letter goes in before the fair


def test_section_337_response_is_20_calendar_days_after_service():
    items = rc.deadlines("itc_337", date(2026, 3, 2), today=date(2026, 3, 2))
    response = next(d for d in items if d.rule.offset == 20)
    assert response.due == date(2026, 3, 22)
    assert response.days_left == 20 and not response.overdue


def test_eu_customs_counts_working_days_mon_to_fri():
    # notice on Friday 27 November 2026: 10 working days -> Friday 11 December; 3 -> Wednesday 2 December
    items = {d.rule.offset: d.due for d in rc.deadlines("customs", date(2026, 11, 27))}
    assert items[10] == date(2026, 12, 11)
    assert items[3] == date(2026, 12, 2)
    assert items[20] == date(2026, 12, 25)


@pytest.mark.parametrize("start,days,expected", [
    (date(2026, 11, 27), 1, date(2026, 11, 30)),    # Fri + 1 -> Mon
    (date(2026, 11, 28), 1, date(2026, 11, 30)),    # Sat + 1 -> Mon
    (date(2026, 11, 30), 5, date(2026, 12, 7)),     # Mon + 5 -> next Mon
    (date(2026, 11, 30), 0, date(2026, 11, 30)),
    (date(2026, 11, 30), -1, date(2026, 11, 27)),   # Mon - 1 -> Fri
])
def test_add_working_days(start, days, expected):
    assert rc.add_working_days(start, days) == expected


@pytest.mark.parametrize("start,months,expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 5, 15), 18, date(2027, 11, 15)),
    (date(2026, 5, 15), -2, date(2026, 3, 15)),
])
def test_add_months(start, months, expected):
    assert rc.add_months(start, months) == expected


def test_deadlines_are_sorted_and_past_ones_flagged():
    items = rc.deadlines("trade_fair", date(2026, 6, 1), today=date(2026, 6, 1))
    dues = [d.due for d in items]
    assert dues == sorted(dues)
    first = items[0]
    assert first.rule.offset == -14 and first.overdue and first.days_left == -14
    nxt = rc.next_deadline("trade_fair", date(2026, 6, 1), today=date(2026, 6, 1))
    assert nxt is not None and nxt.due == date(2026, 6, 1)


def test_jurisdiction_narrows_the_rules_when_it_has_some():
    all_rules = rc.deadlines("squatting", date(2026, 1, 1))
    us = rc.deadlines("squatting", date(2026, 1, 1), jurisdiction="US")
    assert len(us) == 1 and us[0].due == date(2026, 1, 31)
    assert rc.deadlines("squatting", date(2026, 1, 1), jurisdiction="BR") == all_rules


def test_dispute_types_without_rules_have_no_clock():
    assert "licensing" not in rc.dispute_types()
    assert not rc.has_clock("licensing") and not rc.has_clock(None)
    assert rc.deadlines("licensing", date(2026, 1, 1)) == []
    assert rc.has_clock("itc_337")


@pytest.mark.parametrize("bad,message", [
    ("itc_337,US,1,x,calendar,a,b,c,d,e,https://x.example", "whole numbers"),
    ("itc_337,US,1,2,fortnights,a,b,c,d,e,https://x.example", "unit must be"),
    ("no_such,US,1,2,calendar,a,b,c,d,e,https://x.example", "unknown dispute_type"),
    ("itc_337,US,1,2,calendar,a,b,c,d,,https://x.example", "source is empty"),
    ("itc_337,US,1,2,calendar,a,b,c,d,e,javascript:alert(1)", "https://"),
])
def test_a_malformed_rules_file_names_the_line(tmp_path, bad, message):
    path = tmp_path / "rules.csv"
    path.write_text(",".join(rc.COLUMNS) + "\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(rc.RuleFileError, match="line 2") as err:
        rc.load_rules(path)
    assert message in str(err.value)


def test_a_warning_letter_is_not_a_served_itc_complaint():
    """The clock of a dispute type counts from its event; stages before that event have no clock."""
    assert rc.starting_event("itc_337").trigger_en.startswith("service of the complaint")
    assert not rc.event_happened("itc_337", "letter")
    assert not rc.event_happened("ecommerce", "prevention")
    assert rc.event_happened("itc_337", "sued")
    assert rc.event_happened("itc_337", None)            # no stage given: ask for the date
    assert rc.event_happened("trade_fair", "prevention")  # a fair's opening may lie ahead
    assert rc.event_may_be_ahead("trade_fair") and not rc.event_may_be_ahead("itc_337")
    assert rc.starting_event("licensing") is None


def test_event_only_dates_just_the_steps_counted_from_that_event():
    served = date(2026, 11, 2)
    steps = rc.deadlines("itc_337", served, today=date(2026, 11, 10), event_only=True)
    event = rc.starting_event("itc_337")
    assert steps and all(d.rule.trigger_en == event.trigger_en for d in steps)
    assert len(steps) < len(rc.deadlines("itc_337", served, today=date(2026, 11, 10)))
    answer = next(d for d in steps if d.rule.offset == 20)
    assert answer.due == date(2026, 11, 22) and answer.days_left == 12
