"""The expert directory on SQLite and PostgreSQL: search, profiles and contact rules, editing,
availability, and the ranked shortlist with its conflict check."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ipoverseas.core import errors
from ipoverseas.consultations import workflow as svc
from ipoverseas.core import db
from ipoverseas.experts import directory
from ipoverseas.core.models import AuditEvent, Consultation, Expert, ExpertAway
from tests.consultations.helpers import build_world

TODAY = date.today()


@pytest.fixture
def world(database):
    return build_world()


def _names(rows) -> set[str]:
    return {r["name"] for r in rows}


def test_search_filters_in_sql_by_facets_sub_centre_and_text(world):
    ent = world.p("ent_a")
    rows, total = directory.search(ent, country="US", ip_type="patent", industry="electronics")
    assert _names(rows) == {"Best Match", "Conflicted Match"} and total == 2
    assert _names(directory.search(ent, language="de")[0]) == {"German Expert"}
    assert _names(directory.search(ent, sub_centre_id=world.zj)[0]) == {"Best Match", "Partial Match"}
    assert _names(directory.search(ent, text="partial")[0]) == {"Partial Match"}
    assert directory.search(ent, country="JP")[1] == 0
    rows, total = directory.search(ent, limit=2, offset=2)
    assert total == 4 and len(rows) == 2
    assert rows[0]["countries"] and rows[0]["languages"]
    assert "email" not in rows[0]


def test_available_excludes_away_and_full_experts(world):
    staff = world.p("staff_zj")
    directory.add_away(staff, world.experts["best"], TODAY - timedelta(days=1), TODAY + timedelta(days=3), "leave")
    with db.write_session() as s:
        s.get(Expert, world.experts["partial"]).capacity_per_month = 0
    names = _names(directory.search(staff, available=True)[0])
    assert "Best Match" not in names and "Partial Match" not in names
    assert {"Conflicted Match", "German Expert"} <= names


def test_inactive_experts_are_hidden_except_for_staff_who_ask(world):
    staff = world.p("staff_zj")
    directory.update_profile(staff, world.experts["partial"], {"active": False})
    assert "Partial Match" not in _names(directory.search(world.p("ent_a"))[0])
    assert "Partial Match" in _names(directory.search(staff, include_inactive=True)[0])
    assert directory.profile(world.p("ent_a"), world.experts["partial"]) is None


def test_contact_details_follow_the_policy(world):
    best = world.experts["best"]
    assert "email" not in directory.profile(world.p("ent_a"), best)
    assert "email" not in directory.profile(world.p("exp_partial"), best)
    assert directory.profile(world.p("exp_best"), best)["email"] == "e-1@example.com"
    assert directory.profile(world.p("staff_gd"), best)["phone"]
    assert directory.profile(world.p("admin"), best)["email"]


def test_profile_figures_answered_median_and_rating(world):
    ent, staff, exp = world.p("ent_a"), world.p("staff_zj"), world.p("exp_best")
    for stars in (5, 3):
        cid = svc.ask(ent, svc.Question(company="Ningbo A Ltd", question="Q", country="US",
                                        disclaimer_accepted=True, sub_centre_id=world.zj))
        svc.assign(staff, cid, world.experts["best"])
        svc.answer(exp, cid, "A")
        svc.rate(ent, cid, stars)
    p = directory.profile(ent, world.experts["best"])
    assert p["answered"] == 2 and p["rating"] == pytest.approx(4.0) and p["ratings"] == 2
    assert p["median_response_days"] is not None and p["median_response_days"] < 0.1
    assert directory.profile(ent, world.experts["german"])["answered"] == 0


def test_an_expert_edits_only_their_own_profile_and_not_their_name(world):
    exp = world.p("exp_best")
    changed = directory.update_profile(exp, world.experts["best"], {
        "capacity_per_month": "7", "languages": ["zh", "英语", "ja"], "name": "Renamed", "active": False})
    assert changed["capacity_per_month"] == 7 and changed["languages"] == ["en", "ja", "zh"]
    with db.read_session() as s:
        e = s.get(Expert, world.experts["best"])
        assert e.name == "Best Match" and e.active and e.capacity_per_month == 7
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "expert.update"))
        assert event.detail["before"]["capacity_per_month"] == 5 and event.detail["after"]["capacity_per_month"] == 7
    with pytest.raises(errors.Denied):
        directory.update_profile(exp, world.experts["partial"], {"capacity_per_month": 1})
    with pytest.raises(errors.Denied):
        directory.update_profile(world.p("ent_a"), world.experts["best"], {"bio": "x"})


def test_staff_maintain_only_their_sub_centres_experts(world):
    with pytest.raises(errors.Denied):
        directory.update_profile(world.p("staff_gd"), world.experts["best"], {"bio": "x"})
    directory.update_profile(world.p("staff_zj"), world.experts["best"], {"bio": "New bio", "countries": "US, 德国"})
    p = directory.profile(world.p("admin"), world.experts["best"])
    assert p["bio"] == "New bio" and p["countries"] == ["DE", "US"]
    new_id = directory.create_expert(world.p("staff_gd"), {"name": "New One", "countries": ["JP"],
                                                         "languages": ["ja"], "capacity_per_month": 3})
    with db.read_session() as s:
        e = s.get(Expert, new_id)
        assert e.sub_centre_id == world.gd and e.expert_ref.startswith("EXP-GD-")
    with pytest.raises(errors.Denied):
        directory.create_expert(world.p("exp_best"), {"name": "Nope"})


def test_bad_profile_input_names_each_field_and_writes_nothing(world):
    with pytest.raises(errors.Invalid) as err:
        directory.update_profile(world.p("staff_zj"), world.experts["best"], {
            "capacity_per_month": "lots", "email": "not-an-email", "countries": ["US", "Atlantis"], "name": " "})
    assert {f for f, _, _ in err.value.problems} == {"capacity_per_month", "email", "countries", "name"}
    p = directory.profile(world.p("admin"), world.experts["best"])
    assert p["capacity_per_month"] == 5 and p["countries"] == ["CA", "US"]
    with pytest.raises(errors.Invalid):
        directory.add_away(world.p("exp_best"), world.experts["best"], TODAY, TODAY - timedelta(days=1))
    with db.read_session() as s:
        assert s.scalar(select(ExpertAway.id)) is None


def test_away_periods_by_the_expert(world):
    exp = world.p("exp_best")
    away_id = directory.add_away(exp, world.experts["best"], TODAY, TODAY + timedelta(days=5), "trial")
    assert directory.profile(exp, world.experts["best"])["away_now"]
    with pytest.raises(errors.Denied):
        directory.remove_away(world.p("exp_partial"), away_id)
    directory.remove_away(exp, away_id)
    assert not directory.profile(exp, world.experts["best"])["away"]


# --- ranking -----------------------------------------------------------------------------


def _consultation(world, **values) -> Consultation:
    base = dict(company="Ningbo A Ltd", country="US", ip_type="patent", industry="electronics",
                sub_centre_id=world.zj, question="Q", opposing_party=None)
    base.update(values)
    return Consultation(**base)


def _rank(world, c, **kw) -> list[int]:
    with db.read_session() as s:
        return [cand.expert_id for cand in directory.shortlist(s, c, **kw)]


def test_a_better_matched_expert_ranks_higher(world):
    ids = _rank(world, _consultation(world))
    assert ids.index(world.experts["best"]) < ids.index(world.experts["partial"])
    assert ids.index(world.experts["conflicted"]) < ids.index(world.experts["partial"])  # no conflict here
    # In Germany, the German-speaking expert comes first, and the reasons say why.
    c = _consultation(world, country="DE", ip_type="design", industry="machinery")
    with db.read_session() as s:
        top = directory.shortlist(s, c)[0]
    assert top.expert_id == world.experts["german"]
    keys = [k for k, _ in top.reasons]
    assert {"service.why.country_yes", "service.why.ip_yes", "service.why.industry_yes",
            "service.why.language_yes"} <= set(keys)
    assert top.score == pytest.approx(sum(top.parts.values()))


def test_open_load_against_capacity_lowers_the_rank(world):
    staff = world.p("staff_zj")
    with db.write_session() as s:
        s.get(Expert, world.experts["best"]).capacity_per_month = 1
    cid = svc.ask(world.p("ent_b"), svc.Question(company="Shenzhen B Ltd", question="Q", country="US",
                                                 disclaimer_accepted=True, sub_centre_id=world.zj))
    svc.assign(staff, cid, world.experts["best"])        # now full: 1 open of 1
    ids = _rank(world, _consultation(world))
    assert ids.index(world.experts["conflicted"]) < ids.index(world.experts["best"])


def test_a_conflicted_expert_never_appears(world):
    for name in ("Acme Lighting Corp.", "ACME LIGHTING CORP", "acme lighting corporation", "Acme Lighting, Inc."):
        ids = _rank(world, _consultation(world, opposing_party=name), limit=100)
        assert world.experts["conflicted"] not in ids, name
        assert world.experts["best"] in ids
    # A different party is no conflict.
    assert world.experts["conflicted"] in _rank(world, _consultation(world, opposing_party="Acme Tools GmbH"))


def test_away_and_inactive_experts_are_not_shortlisted(world):
    staff = world.p("staff_zj")
    directory.add_away(staff, world.experts["best"], TODAY, TODAY + timedelta(days=2))
    directory.update_profile(staff, world.experts["partial"], {"active": False})
    ids = _rank(world, _consultation(world), today=TODAY)
    assert world.experts["best"] not in ids and world.experts["partial"] not in ids


def test_party_key_folds_names():
    assert directory.party_key("Acme Lighting Corp.") == directory.party_key("ACME  lighting, corporation")
    assert directory.party_key("宁波某某电器有限公司") == directory.party_key("宁波某某电器")
    assert directory.party_key("Acme Lighting") != directory.party_key("Acme Tools")
