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


def _table_columns(at) -> list[str]:
    return list(at.dataframe[0].value.columns)


def test_a_search_sorts_by_relevance_shows_the_passage_by_the_title_and_keeps_filters_closed(
        sqlite_demo_database, principal):
    at = run_page("cases", principal("enterprise"), lang="zh", query={"q": "专利"})
    assert not at.exception
    sort = next(s for s in at.selectbox if s.label == i18n.t("cases.sort", "zh"))
    assert sort.value == "relevance"
    assert "sort" not in at.query_params           # relevance is the default of a search: a short URL
    columns = _table_columns(at)
    title = i18n.t("cases.field.title", "zh")
    assert columns[columns.index(title) + 1] == i18n.t("cases.match", "zh")   # where the eye is
    assert at.expander[0].proto.expanded is False
    # a browse (no search) is newest first
    at = run_page("cases", principal("enterprise"), lang="zh")
    assert next(s for s in at.selectbox if s.label == i18n.t("cases.sort", "zh")).value == "filed_desc"


def test_another_order_chosen_for_a_search_stays_in_the_url(sqlite_demo_database, principal):
    at = run_page("cases", principal("enterprise"), query={"q": "专利", "sort": "title"})
    assert next(s for s in at.selectbox if s.label == i18n.t("cases.sort", "en")).value == "title"
    assert at.query_params["sort"] in ("title", ["title"])


def test_typing_a_query_switches_to_relevance(sqlite_demo_database, principal):
    at = run_page("cases", principal("enterprise"))
    at.text_input(key="cases_q").input("337").run()
    assert not at.exception
    assert at.selectbox(key="cases_sort").value == "relevance"
    at.text_input(key="cases_q").input("").run()
    assert at.selectbox(key="cases_sort").value == "filed_desc"


def test_demo_cases_carry_a_badge_not_a_changed_title(sqlite_demo_database, principal):
    with db.read_session() as s:
        case = s.execute(select(Case.id, Case.title).where(Case.review_status == "published",
                                                            Case.is_demo.is_(True)).limit(1)).one()
    for lang in ("zh", "en"):
        at = run_page("cases", principal("enterprise"), lang=lang)
        df = at.dataframe[0].value
        demo = i18n.t("common.demo", lang)
        assert not df[i18n.t("cases.field.title", lang)].str.contains(demo, regex=False).any()
        assert (df[i18n.t("cases.demo_column", lang)] == i18n.t("cases.demo_tag", lang)).all()
        at = run_page("cases", principal("enterprise"), lang=lang, query={"case": str(case.id)})
        assert at.title[0].value == case.title
        assert any(f":gray-badge[{demo}]" == m.value for m in at.markdown)


def test_rows_open_in_one_click_and_link_to_their_case_without_a_dropdown(sqlite_demo_database, principal):
    at = run_page("cases", principal("enterprise"), query={"q": "337", "n": "25"})
    assert not at.exception
    table = at.dataframe[0]
    assert "LinkColumn" in table.proto.columns or "link" in table.proto.columns.lower()
    first = table.value["#"].iloc[0]
    assert first.startswith("cases?case=") and "q=337" in first and "n=25" in first
    assert not [s for s in at.selectbox if s.label == i18n.t("cases.open", "en")]   # no picker + button


def test_the_case_page_links_back_to_the_same_list_and_to_its_neighbours(sqlite_demo_database, principal):
    with db.read_session() as s:
        cid = s.scalar(select(Case.id).where(Case.review_status == "published", Case.dispute_type == "itc_337")
                       .limit(1))
    at = run_page("cases", principal("enterprise"), query={"case": str(cid), "q": "337", "n": "25", "p": "1"})
    assert not at.exception
    links = at.get("page_link")
    back = links[0]
    assert back.proto.label == i18n.t("cases.back", "en") and back.proto.page == "cases"
    assert dict(p.split("=") for p in back.proto.query_string.split("&")) == {"q": "337", "n": "25", "p": "1"}
    similar = [link for link in links[1:] if link.proto.page == "cases"]
    related = [link for link in links[1:] if link.proto.page == "guides"]
    assert similar and all(link.proto.query_string.startswith("case=") for link in similar)
    assert all("q=337" in link.proto.query_string for link in similar)     # the way back stays the same
    assert related and all(link.proto.query_string.startswith("article=") for link in related)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_one_character_search_says_it_is_too_broad(sqlite_demo_database, principal, lang):
    at = run_page("cases", principal("enterprise"), lang=lang, query={"q": "专"})
    assert not at.exception
    found = at.metric[0].value
    assert any(found in i.value and "337" in i.value for i in at.info), [i.value for i in at.info]
    at = run_page("cases", principal("enterprise"), lang=lang, query={"q": "337"})
    assert not at.info


def test_the_chinese_case_library_has_no_english_placeholder(sqlite_demo_database, principal):
    for role in ("enterprise", "admin"):
        for query in ({}, {"q": "专利"}):
            at = run_page("cases", principal(role), lang="zh", query=query)
            placeholders = [w.proto.placeholder for w in list(at.selectbox) + list(at.multiselect)]
            assert not [p for p in placeholders if "Choose" in p], placeholders
