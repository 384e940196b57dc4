"""The Risk guides page through AppTest: every role, the article view, safe rendering, the editor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ipoverseas.access import policy
from ipoverseas.core import db, i18n, localtime
from ipoverseas.knowledge import articles
from ipoverseas.core.models import Article, AuditEvent
from tests.pages.apptest import run_page, shown, texts

@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached reads key on the database revision, which is the same number in every test
    database: clear the cache so one test never sees another's rows."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _article_links(at) -> list:
    """The page links that open an article (the list's rows, related articles)."""
    return [link for link in at.get("page_link") if link.proto.query_string.startswith("article=")]


ROLE_USERS = {"enterprise": "enterprise", "staff": "staff", "expert": "expert", "admin": "admin"}

HOSTILE = """## Hostile

<script>window.pwned = 1</script>
<img src="x" onerror="alert('xss')">

[click me](javascript:alert('xss'))

![tracking pixel](https://evil.example/pixel.png)

[safe link](https://www.wipo.int/)
"""


def _article(user, **values) -> int:
    form = articles.ArticleInput(**{"kind": "country_guide", "title_zh": "测试指南", "title_en": "Test guide",
                                     "countries": ["US"], "body": "正文", "source": "test", **values})
    return articles.create_article(user, form, publish=True)


@pytest.mark.parametrize("role", policy.ROLES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_guides_page_renders_for_every_role(sqlite_demo_database, principal, role, lang):
    at = run_page("guides", principal(ROLE_USERS[role]), lang=lang)
    assert not at.exception
    assert at.title[0].value == i18n.t("guides.title", lang)
    assert i18n.t("guides.map.title", lang) in texts(at)
    # the map is drawn, from the TopoJSON shipped in data/ (inline, nothing fetched)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1, "no map"
    spec = charts[0].proto.spec
    assert '"topojson"' in spec and '"url"' not in spec
    new_button = [b for b in at.button if b.key == "guides_new"]
    assert bool(new_button) == (role in ("staff", "admin"))


def test_guides_page_refuses_nobody(sqlite_demo_database):
    at = run_page("guides", None)
    assert not at.exception
    assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
    assert not at.title


def test_choosing_a_country_lists_its_guides(sqlite_demo_database, principal):
    user = principal("enterprise")
    with db.read_session() as s:
        us_total = s.scalar(select(func.count()).select_from(Article).where(
            Article.status == "published", Article.countries.any(country="US"),
            ~((Article.kind == "risk_alert") & (Article.valid_until < date.today()))))
    assert us_total, "the demo has US articles"
    at = run_page("guides", user)
    at.session_state["guides_country"] = "US"
    at.run()
    assert not at.exception
    assert i18n.t("guides.results_in", "en", count=us_total, country="United States") in texts(at)


def test_filters_by_kind_show_counts_and_narrow_the_list(sqlite_demo_database, principal):
    user = principal("enterprise")
    at = run_page("guides", user)
    labels = at.selectbox(key="guides_kind").options
    assert labels[0] == "Any" and all(label.endswith(")") for label in labels[1:])
    at.session_state["guides_kind"] = "law_procedure"
    at.run()
    assert not at.exception
    rows, total = articles.browse(user, articles.ArticleFilter(kind="law_procedure"))
    assert i18n.t("guides.results", "en", count=total) in texts(at)
    shown = _article_links(at)
    assert len(shown) == min(total, 20)
    # each row is a link to its article that keeps the list's filter (its way back)
    assert all(link.proto.page == "guides" and "kind=law_procedure" in link.proto.query_string for link in shown)


def test_alerts_view_and_archive(sqlite_demo_database, principal):
    admin = principal("admin")
    _article(admin, kind="risk_alert", title_en="Expired alert for test", severity="low",
             valid_until=date.today() - timedelta(days=3))
    _article(admin, kind="risk_alert", title_en="Live alert for test", severity="high",
             valid_until=date.today() + timedelta(days=30))
    at = run_page("guides", principal("enterprise"), query={"view": "alerts"})
    assert not at.exception
    labels = [link.proto.label for link in _article_links(at)]
    assert all("view=alerts" in link.proto.query_string for link in _article_links(at))
    assert "Live alert for test" in labels and "Expired alert for test" not in labels
    at.session_state["guides_alerts_which"] = "archive"
    at.run()
    labels = [link.proto.label for link in _article_links(at)]
    assert "Expired alert for test" in labels and "Live alert for test" not in labels


def test_an_article_links_back_to_the_list_it_was_opened_from(sqlite_demo_database, principal):
    user = principal("enterprise")
    rows, _ = articles.browse(user, articles.ArticleFilter(country="US"))
    at = run_page("guides", user, query={"article": str(rows[0]["id"]), "country": "US", "view": "alerts"})
    assert not at.exception
    back = at.get("page_link")[0]
    assert back.proto.label == i18n.t("guides.back", "en") and back.proto.page == "guides"
    assert sorted(back.proto.query_string.split("&")) == ["country=US", "view=alerts"]
    related = _article_links(at)
    assert related and all("country=US" in link.proto.query_string for link in related)


def test_demo_articles_carry_a_badge_not_a_changed_line(sqlite_demo_database, principal):
    user = principal("enterprise")
    rows, _ = articles.browse(user, articles.ArticleFilter())
    demo = next(r for r in rows if r["is_demo"])
    for lang in ("zh", "en"):
        at = run_page("guides", user, lang=lang)
        badge = f":gray-badge[{i18n.t('common.demo', lang)}]"
        captions = [c.value for c in at.caption]
        assert any(c.endswith(badge) for c in captions)
        assert not any(c.endswith(" · " + i18n.t("common.demo", lang)) for c in captions)
        at = run_page("guides", user, lang=lang, query={"article": str(demo["id"])})
        assert any(badge in str(m.value) for m in at.markdown)


def test_article_page_shows_source_date_related_and_clock(sqlite_demo_database, principal):
    admin = principal("admin")
    article_id = _article(admin, title_en="337 primer for test", dispute_type="itc_337",
                          source="19 C.F.R. 210.13", source_url="https://www.ecfr.gov/")
    at = run_page("guides", principal("enterprise"), query={"article": str(article_id)})
    assert not at.exception
    assert at.title[0].value == "337 primer for test"
    shown = texts(at)
    assert "19 C.F.R. 210.13" in shown.replace("\\", "")
    assert i18n.t("guides.meta.published", "en", date=localtime.today().isoformat()) in shown
    assert i18n.t("guides.related_articles", "en") in shown and i18n.t("guides.related_cases", "en") in shown
    # the response clock of Section 337: respond within 20 days of service (start date: today)
    response_due = (localtime.today() + timedelta(days=20)).isoformat()
    assert any(response_due in str(m.value) for m in at.markdown)
    assert any("Section 337" in str(e.value) or "discovery" in str(e.value) for e in at.markdown)
    # related cases link to the Cases page, published ones only
    links = [link for link in at.get("page_link") if link.proto.page == "cases"]
    expected = articles.related_cases(principal("enterprise"), article_id)
    assert expected, "the demo has published US Section 337 cases"
    assert [link.proto.query_string for link in links] == [f"case={c['id']}" for c in expected]
    assert all(link.proto.page == "cases" for link in links)


def test_hostile_article_renders_inert_on_the_page(sqlite_demo_database, principal):
    admin = principal("admin")
    article_id = _article(admin, title_en="Hostile", body=HOSTILE)
    at = run_page("guides", principal("enterprise"), query={"article": str(article_id)})
    assert not at.exception
    html = "\n".join(h.proto.body for h in at.html)
    assert "safe link" in html and 'href="https://www.wipo.int/"' in html
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("(javascript:alert", "")   # only as escaped, unlinked text
    assert 'href="javascript' not in html
    assert "evil.example" not in html
    assert "&lt;script&gt;" in html
    for element in at.markdown:   # nothing on the page is raw HTML but the sanitised block
        assert not getattr(element.proto, "allow_html", False)


def test_enterprise_cannot_open_a_draft_by_id(sqlite_demo_database, principal):
    staff = principal("staff")
    draft = articles.create_article(staff, articles.ArticleInput(kind="country_guide", title_zh="内部草稿",
                                                                   title_en="Internal draft"))
    for who in ("enterprise", "expert"):
        at = run_page("guides", principal(who), query={"article": str(draft)})
        assert not at.exception
        assert at.warning[0].value == i18n.t("errors.not_found", "en")
        assert "Internal draft" not in texts(at)
    at = run_page("guides", staff, query={"article": str(draft)})
    assert at.title[0].value == "Internal draft"


def test_bad_article_id_is_a_clear_message(sqlite_demo_database, principal):
    at = run_page("guides", principal("enterprise"), query={"article": "abc"})
    assert not at.exception
    assert at.warning[0].value == i18n.t("errors.not_found", "en")


@pytest.mark.parametrize("role", ["enterprise", "expert"])
def test_editor_refuses_readers(sqlite_demo_database, principal, role):
    at = run_page("guides", principal(role), query={"edit": "new"})
    assert not at.exception
    assert at.warning[0].value == i18n.t("errors.not_allowed", "en")
    assert not at.text_area


def test_staff_writes_and_publishes_an_article_in_the_app(sqlite_demo_database, principal):
    staff = principal("staff")
    at = run_page("guides", staff, query={"edit": "new"})
    assert not at.exception
    prefix = "guides_f_new_0_"
    at.session_state[prefix + "kind"] = "practice_guide"
    at.text_input(key=prefix + "title_zh").input("应诉实务")
    at.text_input(key=prefix + "title_en").input("Defending in practice")
    at.session_state[prefix + "countries"] = ["DE"]
    at.text_input(key=prefix + "source").input("Practice note")
    at.text_area(key=prefix + "body").input("## Steps\n\n- one\n- two")
    publish = next(b for b in at.button if b.label == i18n.t("guides.editor.save_publish", "en"))
    publish.click().run()
    assert not at.exception, at.exception
    with db.read_session() as s:
        article = s.scalar(select(Article).where(Article.title_en == "Defending in practice"))
        assert article is not None and article.status == "published"
        assert article.sub_centre_id == staff.sub_centre_id and article.author_id == staff.id
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "article.create", AuditEvent.entity_id == article.id)) == 1


def test_editor_shows_every_problem_and_writes_nothing(sqlite_demo_database, principal):
    staff = principal("staff")
    with db.read_session() as s:
        before = s.scalar(select(func.count()).select_from(Article))
    at = run_page("guides", staff, query={"edit": "new"})
    at.session_state["guides_f_new_0_kind"] = "risk_alert"
    at.text_input(key="guides_f_new_0_source_url").input("javascript:alert(1)")
    next(b for b in at.button if b.label == i18n.t("guides.editor.save_draft", "en")).click().run()
    assert not at.exception
    errors = [shown(e.value) for e in at.error]
    assert errors[0] == i18n.t("guides.error.invalid", "en", count=len(errors) - 1)
    assert any(i18n.t("guides.field.title_zh", "en") in e for e in errors)
    assert any(i18n.t("guides.field.source_url", "en") in e for e in errors)
    assert any(i18n.t("guides.field.severity", "en") in e for e in errors)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == before


def test_stale_edit_in_the_page_is_refused_with_a_message(sqlite_demo_database, principal):
    staff = principal("staff")
    article_id = _article(staff, title_en="Shared article")
    at = run_page("guides", staff, query={"edit": str(article_id)})
    assert not at.exception
    # someone else saves first
    current = articles.get_article(staff, article_id)
    articles.update_article(principal("admin"), article_id,
                             articles.ArticleInput.of({**current, "title_en": "Admin's title"}),
                             expected_version=current["version"])
    prefix = f"guides_f_{article_id}_{current['version']}_"
    at.text_input(key=prefix + "title_en").input("Staff's title")
    next(b for b in at.button if b.label == i18n.t("guides.editor.save", "en")).click().run()
    assert not at.exception
    assert any("Not saved" in e.value for e in at.error)
    assert articles.get_article(staff, article_id)["title_en"] == "Admin's title"


def test_staff_cannot_edit_another_sub_centres_article(sqlite_demo_database, principal):
    article_id = _article(principal("admin"), title_en="National article")
    at = run_page("guides", principal("staff"), query={"edit": str(article_id)})
    assert not at.exception
    assert at.warning[0].value == i18n.t("errors.not_found", "en")
    at = run_page("guides", principal("staff"), query={"article": str(article_id)})
    assert not [b for b in at.button if b.key == "guides_edit_btn"]
    at = run_page("guides", principal("admin"), query={"article": str(article_id)})
    assert [b for b in at.button if b.key == "guides_edit_btn"]


def test_response_clock_view(sqlite_demo_database, principal):
    at = run_page("guides", principal("enterprise"), query={"view": "clock"})
    assert not at.exception
    at.session_state["guides_clock_dispute"] = "customs"
    at.session_state["guides_clock_start"] = date(2026, 11, 27)
    at.run()   # a Friday
    assert not at.exception
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert "2026-12-11" in shown    # 10 working days after Fri 27 Nov 2026
    assert "2026-12-02" in shown    # 3 working days (perishables)


def test_search_box_ranks_and_highlights_the_passage(sqlite_demo_database, principal):
    user = principal("enterprise")
    at = run_page("guides", user)
    at.text_input(key="guides_q").input("专利").run()
    assert not at.exception
    rows, total = articles.browse(user, articles.ArticleFilter(text="专利"))
    assert total > 0
    assert i18n.t("guides.results", "en", count=total) in texts(at)
    labels = [shown(link.proto.label) for link in _article_links(at)]
    assert labels[0] == (rows[0]["title_en"] or rows[0]["title_zh"])
    assert any("**专利**" in str(m.value) for m in at.markdown)     # the matching passage, highlighted
    # every listed article really contains the term (a substring scan agrees)
    from ipoverseas.core import search
    assert {r["id"] for r in articles.browse(user, articles.ArticleFilter(text="专利"), page_size=200)[0]} <= \
        search.reference_ids("articles", "专利")


def test_filters_travel_in_the_url(sqlite_demo_database, principal):
    user = principal("enterprise")
    at = run_page("guides", user, query={"country": "德国", "kind": "country_guide"})   # aliases accepted
    assert not at.exception
    assert at.selectbox(key="guides_country").value == "DE"
    _, total = articles.browse(user, articles.ArticleFilter(country="DE", kind="country_guide"))
    assert i18n.t("guides.results_in", "en", count=total, country="Germany") in texts(at)
    assert at.query_params["country"] == "DE" and at.query_params["kind"] == "country_guide"
    at.session_state["guides_kind"] = None
    at.run()
    assert "kind" not in at.query_params and at.query_params["country"] == "DE"
    bogus = run_page("guides", user, query={"country": "Narnia"})
    assert not bogus.exception and bogus.selectbox(key="guides_country").value is None
