"""The Cases page through AppTest, for every role: the list, filters from the URL, one case, permissions."""

from __future__ import annotations

import pytest
import streamlit as st
from sqlalchemy import select, update

from ipoverseas.access import policy
from ipoverseas.core import db, i18n
from ipoverseas.core.models import Case
from tests.pages.apptest import run_page, texts

USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}


@pytest.mark.parametrize("role", policy.ROLES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_library_renders_for_every_role(sqlite_demo_database, principal, role, lang):
    at = run_page("cases", principal(USERS[role]), lang=lang)
    assert not at.exception
    assert at.title[0].value == i18n.t("cases.title", lang)
    assert at.dataframe, "no table"
    assert at.metric and at.metric[0].label == i18n.t("cases.found", lang)
    facets = {m.label for m in at.multiselect}
    assert i18n.t("cases.facet.country", lang) in facets
    assert (i18n.t("cases.facet.review_status", lang) in facets) == (role in ("staff", "admin"))


def test_nobody_gets_the_guard(sqlite_demo_database):
    at = run_page("cases", None)
    assert not at.exception
    assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
    assert not at.title and not at.dataframe


def test_url_filter_drives_the_widgets_and_the_count(sqlite_demo_database, principal):
    user = principal("enterprise")
    with db.read_session() as s:
        n = len(s.scalars(select(Case.id).where(Case.review_status == "published", Case.country == "US")).all())
    at = run_page("cases", user, query={"country": "US"})
    assert not at.exception
    country = next(m for m in at.multiselect if m.label == i18n.t("cases.facet.country", "en"))
    assert country.value == ["US"]
    assert at.metric[0].value == f"{n:,}"
    assert at.query_params["country"] == ["US"] or at.query_params["country"] == "US"


def test_changing_a_facet_updates_the_url(sqlite_demo_database, principal):
    at = run_page("cases", principal("admin"))
    dispute = next(m for m in at.multiselect if m.label == i18n.t("cases.facet.dispute_type", "en"))
    dispute.select("itc_337").run()
    assert not at.exception
    value = at.query_params.get("dispute")
    assert value in ("itc_337", ["itc_337"])


def test_search_shows_matching_passages(sqlite_demo_database, principal):
    at = run_page("cases", principal("enterprise"), query={"q": "专利"})
    assert not at.exception
    df = at.dataframe[0].value
    assert i18n.t("cases.match", "en") in df.columns
    assert df[i18n.t("cases.match", "en")].str.contains("【专利】").all()


def test_case_page_shows_fields_badge_similar_and_related(sqlite_demo_database, principal):
    with db.read_session() as s:
        cid = s.scalar(select(Case.id).where(Case.review_status == "published", Case.distinction.is_not(None)).limit(1))
    at = run_page("cases", principal("enterprise"), query={"case": str(cid)})
    assert not at.exception
    body = texts(at)
    assert i18n.t("cases.similar", "en") in body and i18n.t("cases.related_articles", "en") in body
    assert i18n.t("cases.field.lessons", "en") in body
    assert at.success, "no typical/guiding badge"
    assert i18n.t("cases.distinction_reason", "en") in at.success[0].value


def test_enterprise_cannot_open_an_unpublished_case_by_url(sqlite_demo_database, principal):
    with db.read_session() as s:
        hidden = s.scalar(select(Case.id).where(Case.review_status == "submitted").limit(1))
        title = s.scalar(select(Case.title).where(Case.id == hidden))
    for role in ("enterprise", "expert"):
        at = run_page("cases", principal(role), query={"case": str(hidden)})
        assert not at.exception
        assert at.warning[0].value == i18n.t("errors.not_found", "en")
        assert title not in texts(at)
    at = run_page("cases", principal("admin"), query={"case": str(hidden)})
    assert at.title[0].value == title
    for junk in ("abc", "-1", "999999999"):
        at = run_page("cases", principal("enterprise"), query={"case": junk})
        assert not at.exception and at.warning


def test_confidential_party_is_not_shown_to_an_enterprise(sqlite_demo_database, principal):
    with db.write_session() as s:
        cid = s.scalar(select(Case.id).where(Case.review_status == "published").limit(1))
        s.execute(update(Case).where(Case.id == cid).values(party_confidential=True, chinese_party="机密电子有限公司"))
    at = run_page("cases", principal("enterprise"), query={"case": str(cid)})
    assert "机密电子有限公司" not in texts(at)
    assert "confidential, not shown" in texts(at)
    at = run_page("cases", principal("admin"), query={"case": str(cid)})
    assert "机密电子有限公司" in texts(at)


def test_export_button_offers_a_workbook(sqlite_demo_database, principal):
    at = run_page("cases", principal("staff"), query={"country": "US"})
    at.button(key="cases_export_prepare").click().run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert buttons[0].proto.label.startswith(i18n.t("cases.export.download", "en", rows="x").split("(")[0])


def test_a_broad_search_marks_its_facet_counts_as_estimates(sqlite_demo_database, principal, monkeypatch):
    monkeypatch.setenv("IPOVERSEAS_FACET_EXACT_HITS", "5")
    st.cache_data.clear()
    at = run_page("cases", principal("enterprise"), query={"q": "专利"})
    assert not at.exception
    assert any("estimated from a sample" in c.value for c in at.caption)
    assert all("≈" in option for option in at.multiselect[0].options)
    monkeypatch.setenv("IPOVERSEAS_FACET_EXACT_HITS", "100000")
    st.cache_data.clear()  # settings are read once per database revision
    at = run_page("cases", principal("enterprise"), query={"q": "专利"})
    assert not any("estimated from a sample" in c.value for c in at.caption)
    assert not any("≈" in option for option in at.multiselect[0].options)
