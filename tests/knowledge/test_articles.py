"""The knowledge-base service on SQLite and PostgreSQL: browse, facets, map, alerts, related."""

from __future__ import annotations

from datetime import date

import pytest

from ipoverseas.knowledge import articles as kb
from tests.knowledge.helpers import ARTICLES, TODAY, make_world

F = kb.ArticleFilter


@pytest.fixture
def world(database):
    return make_world()


def refs(rows) -> list[str]:
    return [r["ref"] for r in rows]


def test_readers_see_published_guides_and_active_alerts_newest_first(world):
    rows, total = kb.browse(world.enterprise, today=TODAY)
    assert refs(rows) == ["A-DE-ACTIVE", "A-US-ACTIVE", "P-DE", "G-US", "L-337"]
    assert total == 5
    assert kb.browse(world.expert, today=TODAY)[1] == 5


def test_staff_also_see_their_own_drafts_admin_all(world):
    assert set(refs(kb.browse(world.staff, today=TODAY)[0])) == {"A-DE-ACTIVE", "A-US-ACTIVE", "P-DE", "G-US", "L-337", "D-ZJ"}
    assert set(refs(kb.browse(world.staff_gd, today=TODAY)[0])) >= {"D-GD"}
    assert "D-ZJ" not in refs(kb.browse(world.staff_gd, today=TODAY)[0])
    assert kb.browse(world.admin, today=TODAY)[1] == 7


@pytest.mark.parametrize("flt,expected", [
    (F(country="US"), {"A-US-ACTIVE", "G-US", "L-337"}),
    (F(country="EU"), {"A-DE-ACTIVE"}),
    (F(kind="risk_alert"), {"A-US-ACTIVE", "A-DE-ACTIVE"}),
    (F(kind="risk_alert", alerts="archived"), {"A-US-OLD"}),
    (F(kind="risk_alert", alerts="all"), {"A-US-ACTIVE", "A-DE-ACTIVE", "A-US-OLD"}),
    (F(ip_type="patent"), {"G-US", "L-337", "P-DE"}),
    (F(industry="machinery"), {"P-DE"}),
    (F(country="US", ip_type="trademark"), {"A-US-ACTIVE", "G-US"}),
    (F(dispute_type="itc_337"), {"L-337"}),
    (F(text="337"), {"L-337"}),
    (F(text="section"), {"L-337"}),
    (F(text="预警"), {"A-US-ACTIVE", "A-DE-ACTIVE"}),
    (F(text="100%_"), set()),
])
def test_each_filter(world, flt, expected):
    rows, total = kb.browse(world.enterprise, flt, today=TODAY)
    assert set(refs(rows)) == expected and total == len(expected)


def test_status_filter_and_mine_for_editors(world):
    assert refs(kb.browse(world.staff, F(status="draft"), today=TODAY)[0]) == ["D-ZJ"]
    mine = set(refs(kb.browse(world.staff, F(mine=True), today=TODAY)[0]))
    assert mine == {"G-US", "A-US-ACTIVE", "D-ZJ"}
    assert kb.browse(world.enterprise, F(mine=True), today=TODAY)[1] == 0
    assert kb.browse(world.enterprise, F(status="draft"), today=TODAY)[1] == 0


def test_pagination(world):
    first, total = kb.browse(world.admin, page=1, page_size=3, today=TODAY)
    second, _ = kb.browse(world.admin, page=2, page_size=3, today=TODAY)
    third, _ = kb.browse(world.admin, page=3, page_size=3, today=TODAY)
    assert total == 7 and len(first) == 3 and len(second) == 3 and len(third) == 1
    assert len(set(refs(first + second + third))) == 7


def test_rows_carry_their_countries(world):
    rows, _ = kb.browse(world.enterprise, F(kind="risk_alert"), today=TODAY)
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref["A-DE-ACTIVE"]["countries"] == ["DE", "EU"]


def test_facet_counts_follow_the_other_filters(world):
    counts = kb.facets(world.enterprise, F(), today=TODAY)
    assert counts["kind"] == {"country_guide": 1, "law_procedure": 1, "practice_guide": 1, "risk_alert": 2}
    assert counts["country"] == {"US": 3, "DE": 2, "EU": 1}
    assert counts["ip_type"] == {"patent": 3, "trademark": 3, "design": 1}
    counts = kb.facets(world.enterprise, F(country="US"), today=TODAY)
    # the country facet ignores its own choice, so other countries stay selectable
    assert counts["country"] == {"US": 3, "DE": 2, "EU": 1}
    assert counts["kind"] == {"country_guide": 1, "law_procedure": 1, "risk_alert": 1}
    assert counts["industry"] == {"electronics": 1, "light_industry": 1}
    counts = kb.facets(world.staff, F(), today=TODAY)
    assert counts["status"] == {"published": 5, "draft": 1}


def test_facet_counts_equal_the_filtered_totals(world):
    counts = kb.facets(world.admin, F(), today=TODAY)
    for name, values in counts.items():
        for code, n in values.items():
            assert kb.browse(world.admin, F(**{name: code}), today=TODAY)[1] == n, (name, code)


def test_map_counts_guides_and_active_alerts_per_country(world):
    rows = {r["country"]: r for r in kb.map_counts(world.enterprise, today=TODAY)}
    assert rows["US"] == {"country": "US", "guides": 2, "active_alerts": 1, "total": 3}
    assert rows["DE"] == {"country": "DE", "guides": 1, "active_alerts": 1, "total": 2}
    assert rows["EU"]["active_alerts"] == 1
    assert "VN" not in rows and "JP" not in rows            # drafts do not count
    # the day after an alert expires, it leaves the map
    later = {r["country"]: r for r in kb.map_counts(world.enterprise, today=date(2027, 1, 1))}
    assert later["US"]["active_alerts"] == 0


def test_alerts_active_and_archive(world):
    assert refs(kb.alerts(world.enterprise, "active", today=TODAY)) == ["A-US-ACTIVE", "A-DE-ACTIVE"]   # high first
    assert refs(kb.alerts(world.enterprise, "archive", today=TODAY)) == ["A-US-OLD"]
    first = kb.alerts(world.enterprise, "active", today=TODAY)[0]   # each alert: severity, countries, industries, valid-until
    assert (first["severity"], first["countries"], first["industries"], first["valid_until"]) == \
        ("high", ["US"], ["light_industry"], date(2026, 12, 31))
    assert refs(kb.alerts(world.enterprise, "active", today=TODAY, country="EU")) == ["A-DE-ACTIVE"]
    assert refs(kb.alerts(world.enterprise, "active", today=TODAY, industry="light_industry")) == ["A-US-ACTIVE"]
    # an alert valid until today is still active today, archived tomorrow
    assert "A-US-ACTIVE" in refs(kb.alerts(world.enterprise, "active", today=date(2026, 12, 31)))
    assert "A-US-ACTIVE" in refs(kb.alerts(world.enterprise, "archive", today=date(2027, 1, 1)))


def test_article_detail_and_visibility(world):
    article = kb.get_article(world.enterprise, world.ids["P-DE"])
    assert article["title_en"] == "German trade fair practice"
    assert article["countries"] == ["DE"] and article["ip_types"] == ["design", "patent"]
    assert article["sub_centre"]["code"] == "GD" and article["source"] == "test source"
    assert article["editable"] is False
    assert kb.get_article(world.staff_gd, world.ids["P-DE"])["editable"] is True
    assert kb.get_article(world.staff, world.ids["P-DE"])["editable"] is False
    assert kb.get_article(world.admin, world.ids["P-DE"])["editable"] is True
    # drafts: only their sub-centre and admin
    assert kb.get_article(world.enterprise, world.ids["D-ZJ"]) is None
    assert kb.get_article(world.expert, world.ids["D-ZJ"]) is None
    assert kb.get_article(world.staff_gd, world.ids["D-ZJ"]) is None
    assert kb.get_article(world.staff, world.ids["D-ZJ"]) is not None
    assert kb.get_article(world.enterprise, 999999) is None
    assert kb.get_article(world.enterprise, "not a number") is None


def test_related_articles_share_countries_or_dispute_type(world):
    related = refs(kb.related_articles(world.enterprise, world.ids["L-337"], today=TODAY))
    assert related == ["A-US-ACTIVE", "G-US"]            # archived alert and drafts left out
    related = refs(kb.related_articles(world.enterprise, world.ids["A-DE-ACTIVE"], today=TODAY))
    assert related == ["P-DE"]
    assert kb.related_articles(world.enterprise, world.ids["D-ZJ"], today=TODAY) == []   # not visible


def test_related_cases_are_published_same_country_and_dispute_type(world):
    cases = kb.related_cases(world.enterprise, world.ids["L-337"])
    assert [c["case_ref"] for c in cases] == ["C1", "C2"]          # typical first; C3 is not published
    assert [c["case_ref"] for c in kb.related_cases(world.admin, world.ids["L-337"])] == ["C1", "C2"]
    assert [c["case_ref"] for c in kb.related_cases(world.enterprise, world.ids["G-US"])] == ["C1", "C4", "C2"]   # no dispute type: the country only
    assert [c["case_ref"] for c in kb.related_cases(world.enterprise, world.ids["P-DE"])] == ["C5"]


def test_the_fixture_matches_its_table():
    assert len(ARTICLES) == 8
