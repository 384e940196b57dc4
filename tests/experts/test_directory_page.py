"""The Experts page through AppTest (issue 12): a row opens its profile in one click or by its
bookmarkable link, a demo expert is marked in its own column and by a badge, never in the name,
and the Chinese page shows no raw code or English placeholder."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipoverseas.core import db, i18n
from ipoverseas.core.models import Expert
from tests.pages.apptest import run_page


@pytest.fixture(autouse=True)
def _fresh_cache():
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_directory_links_each_expert_and_marks_demo_ones_apart(sqlite_demo_database, principal, lang):
    at = run_page("experts", principal("enterprise"), lang=lang)
    assert not at.exception
    table = at.dataframe[0]
    assert "LinkColumn" in table.proto.columns or "link" in table.proto.columns.lower()
    df = table.value
    assert df["#"].str.fullmatch(r"experts\?expert=\d+").all()
    demo = i18n.t("common.demo", lang)
    assert not df[i18n.t("service.experts.name", lang)].str.contains(demo, regex=False).any()
    assert df[demo].all()                                 # the demo directory: every one ticked
    # no dropdown and button to open a profile
    assert not [s for s in at.selectbox if s.label == i18n.t("service.experts.open", lang)]
    assert not [b for b in at.button if b.label == i18n.t("service.open_button", lang)]
    if lang == "zh":
        countries = df[i18n.t("service.experts.countries", lang)]
        assert not countries.str.contains(r"\b[A-Z]{2}\b").any(), list(countries)[:3]   # names, not codes
        centres = df[i18n.t("service.experts.sub_centre", lang)]
        assert centres.str.contains("分中心|中心").all(), list(centres)[:3]               # names, not ZJ
        placeholders = [w.proto.placeholder for w in list(at.selectbox) + list(at.multiselect)]
        assert not [p for p in placeholders if "Choose" in p], placeholders


def test_a_bookmarked_profile_opens_with_a_demo_badge(sqlite_demo_database, principal):
    with db.read_session() as s:
        expert = s.execute(select(Expert.id, Expert.name).where(Expert.is_demo.is_(True)).limit(1)).one()
    at = run_page("experts", principal("enterprise"), lang="zh", query={"expert": str(expert.id)})
    assert not at.exception
    assert at.title[0].value == expert.name
    assert any("中心" in c.value for c in at.caption), [c.value for c in at.caption]      # not a code
    assert any(m.value == f":gray-badge[{i18n.t('common.demo', 'zh')}]" for m in at.markdown)



def test_back_from_a_profile_the_filters_are_as_they_were(sqlite_demo_database, principal):
    at = run_page("experts", principal("enterprise"), lang="zh")
    at.selectbox(key="experts_f_country").select("US").run()
    at.text_input(key="experts_f_text").input("专利").run()
    filtered = at.dataframe[0].value["#"].tolist()
    assert filtered and len(filtered) < 60
    at.query_params["expert"] = filtered[0].rsplit("=", 1)[1]
    at.run()
    assert at.title[0].value != i18n.t("service.experts.title", "zh")      # the profile
    del at.query_params["expert"]
    at.run()
    assert not at.exception
    assert at.selectbox(key="experts_f_country").value == "US"
    assert at.text_input(key="experts_f_text").value == "专利"
    assert at.dataframe[0].value["#"].tolist() == filtered
