"""The case library service: filters, facets, paging, scope, masking, similar cases. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select, update

from ipoverseas.access import policy
from ipoverseas.cases import facets as case_facets, library, similar
from ipoverseas.core import db, search
from ipoverseas.cases.library import CaseFilter
from ipoverseas.core.models import Case


def _all(where=()):
    with db.read_session() as s:
        return s.execute(select(Case.__table__).where(*where)).mappings().all()


def _visible(user, rows):
    if user.role == "admin":
        return list(rows)
    if user.role == "staff":
        return [r for r in rows if r["review_status"] == "published" or r["sub_centre_id"] == user.sub_centre_id]
    return [r for r in rows if r["review_status"] == "published"]


FILTERS = [
    ("countries", "country", lambda rows: rows[0]["country"]),
    ("dispute_types", "dispute_type", lambda rows: rows[0]["dispute_type"]),
    ("ip_types", "ip_type", lambda rows: next(r["ip_type"] for r in rows if r["ip_type"])),
    ("industries", "industry", lambda rows: next(r["industry"] for r in rows if r["industry"])),
    ("forums", "forum", lambda rows: next(r["forum"] for r in rows if r["forum"])),
    ("outcomes", "outcome", lambda rows: next(r["outcome"] for r in rows if r["outcome"])),
    ("sub_centres", "sub_centre_id", lambda rows: rows[-1]["sub_centre_id"]),
    ("review_statuses", "review_status", lambda rows: "published"),
]


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
@pytest.mark.parametrize("name,column,pick", FILTERS, ids=[f[0] for f in FILTERS])
def test_each_filter_matches_a_python_reference(demo_database, principal, role, name, column, pick):
    user = principal(role)
    rows = _visible(user, _all())
    value = pick(rows)
    expected = [r for r in rows if r[column] == value]
    page = library.list_cases(user, CaseFilter(**{name: (value,)}), page_size=500)
    assert page.total == len(expected) > 0
    assert {r["id"] for r in page.rows} == {r["id"] for r in expected}


def test_year_filter_and_facet(demo_database, principal):
    user = principal("admin")
    rows = _all()
    years = Counter(r["filed_on"].year for r in rows if r["filed_on"])
    year, n = years.most_common(1)[0]
    assert library.count(user, CaseFilter(years=(year,))) == n
    assert dict(case_facets.facet_counts(user, CaseFilter(), ["year"])["year"]) == dict(years)


def test_filters_combine_with_and_across_facets_and_or_within(demo_database, principal):
    user = principal("admin")
    rows = _all()
    c1, c2 = [c for c, _ in Counter(r["country"] for r in rows).most_common(2)]
    d = Counter(r["dispute_type"] for r in rows if r["country"] in (c1, c2)).most_common(1)[0][0]
    f = CaseFilter(countries=(c1, c2), dispute_types=(d,))
    expected = {r["id"] for r in rows if r["country"] in (c1, c2) and r["dispute_type"] == d}
    page = library.list_cases(user, f, page_size=500)
    assert {r["id"] for r in page.rows} == expected and page.total == len(expected)


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
def test_facet_counts_exclude_their_own_selection(demo_database, principal, role):
    user = principal(role)
    rows = _visible(user, _all())
    country = Counter(r["country"] for r in rows).most_common(1)[0][0]
    f = CaseFilter(countries=(country,))
    facets = case_facets.facet_counts(user, f)
    assert set(facets) == set(library.FACETS)
    # the country facet ignores the country selection: counts over all visible rows
    assert dict(facets["country"]) == dict(Counter(r["country"] for r in rows))
    # other facets count under the country selection
    chosen = [r for r in rows if r["country"] == country]
    assert dict(facets["dispute_type"]) == dict(Counter(r["dispute_type"] for r in chosen))
    assert dict(facets["review_status"]) == dict(Counter(r["review_status"] for r in chosen))
    assert sum(n for _, n in facets["dispute_type"]) == len(chosen)
    assert dict(facets["year"]) == dict(Counter(r["filed_on"].year for r in chosen if r["filed_on"]))
    assert dict(facets["sub_centre"]) == dict(Counter(r["sub_centre_id"] for r in chosen))


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
def test_country_and_dispute_facets_under_each_others_selection(demo_database, principal, role):
    """These two read the country x dispute-type rollup; they must equal counting the rows."""
    user = principal(role)
    rows = _visible(user, _all())
    top = [d for d, _ in Counter(r["dispute_type"] for r in rows).most_common(2)]
    facets = case_facets.facet_counts(user, CaseFilter(dispute_types=tuple(top)), ["country"])
    assert dict(facets["country"]) == dict(Counter(r["country"] for r in rows if r["dispute_type"] in top))
    country = Counter(r["country"] for r in rows).most_common(1)[0][0]
    facets = case_facets.facet_counts(user, CaseFilter(countries=(country,)), ["dispute_type"])
    assert dict(facets["dispute_type"]) == dict(Counter(r["dispute_type"] for r in rows if r["country"] == country))


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
@pytest.mark.parametrize("query", ["专利", "禁令 美国", "Schedule"])
def test_text_search_facets_equal_a_count_of_the_matching_rows(demo_database, principal, role, query):
    """With a text query all facets come from one statement; they must equal counting by hand."""
    user = principal(role)
    hits = set(search.reference_ids("cases", query))
    rows = [r for r in _visible(user, _all()) if r["id"] in hits]
    assert rows, "the demo content should match the query"
    country = Counter(r["country"] for r in rows).most_common(1)[0][0]
    f = CaseFilter(text=query, countries=(country,), distinctions=())
    facets = case_facets.facet_counts(user, f)
    assert dict(facets["country"]) == dict(Counter(r["country"] for r in rows))
    chosen = [r for r in rows if r["country"] == country]
    for facet, key in (("dispute_type", "dispute_type"), ("ip_type", "ip_type"), ("industry", "industry"),
                       ("forum", "forum"), ("outcome", "outcome"), ("review_status", "review_status"),
                       ("sub_centre", "sub_centre_id")):
        assert dict(facets[facet]) == dict(Counter(r[key] for r in chosen if r[key] is not None)), facet
    assert dict(facets["year"]) == dict(Counter(r["filed_on"].year for r in chosen if r["filed_on"]))
    counts = [n for _, n in facets["dispute_type"]]
    assert counts == sorted(counts, reverse=True)


def test_enterprise_sees_only_published_and_cannot_open_others(demo_database, principal):
    ent = principal("enterprise")
    with db.read_session() as s:
        hidden = s.scalar(select(Case.id).where(Case.review_status != "published").limit(1))
        shown = s.scalar(select(Case.id).where(Case.review_status == "published").limit(1))
    assert library.get_case(ent, hidden) is None
    assert library.get_case(ent, shown)["id"] == shown
    assert library.get_case(ent, 10**9) is None
    page = library.list_cases(ent, CaseFilter(review_statuses=("submitted",)))
    assert page.total == 0 and page.rows == []


def test_staff_sees_own_unpublished_only(demo_database, principal):
    staff = principal("staff")
    with db.read_session() as s:
        own = s.scalar(select(Case.id).where(Case.review_status != "published",
                                             Case.sub_centre_id == staff.sub_centre_id).limit(1))
        other = s.scalar(select(Case.id).where(Case.review_status != "published",
                                               Case.sub_centre_id != staff.sub_centre_id).limit(1))
    assert library.get_case(staff, own) is not None
    assert library.get_case(staff, other) is None


def test_confidential_party_is_masked_for_enterprises_and_experts(demo_database, principal):
    with db.write_session() as s:
        cid = s.scalar(select(Case.id).where(Case.review_status == "published").limit(1))
        s.execute(update(Case).where(Case.id == cid).values(party_confidential=True, chinese_party="秘密公司"))
    for role in ("enterprise", "expert"):
        user = principal(role)
        assert library.get_case(user, cid)["chinese_party"] == library.MASKED
        rows = library.list_cases(user, CaseFilter(), page_size=500).rows
        row = next(r for r in rows if r["id"] == cid)
        assert row["chinese_party"] == library.MASKED
        assert "秘密公司" not in str(rows)
    for role in ("admin",):
        assert library.get_case(principal(role), cid)["chinese_party"] == "秘密公司"


def test_text_search_in_the_filter_and_relevance_sort(demo_database, principal):
    user = principal("admin")
    for query in ("专利", "337", "商标 美国"):
        expected = search.reference_ids("cases", query)
        page = library.list_cases(user, CaseFilter(text=query), page_size=500, sort="relevance")
        assert {r["id"] for r in page.rows} == expected
        assert page.total == len(expected)


def test_sorting_and_paging(demo_database, principal):
    user = principal("admin")
    first = library.list_cases(user, CaseFilter(), page=1, page_size=10)
    second = library.list_cases(user, CaseFilter(), page=2, page_size=10)
    assert len(first.rows) == 10 and not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}
    dates = [r["filed_on"] for r in first.rows + second.rows if r["filed_on"]]
    assert dates == sorted(dates, reverse=True)
    assert first.pages == -(-first.total // 10)
    asc = library.list_cases(user, CaseFilter(), sort="filed_asc", page_size=20).rows
    got = [r["filed_on"] for r in asc if r["filed_on"]]
    assert got == sorted(got)
    amounts = [r["amount_usd"] for r in library.list_cases(user, CaseFilter(), sort="amount_desc", page_size=30).rows
               if r["amount_usd"] is not None]
    assert amounts == sorted(amounts, reverse=True)
    # an unknown sort falls back, and a page past the end is empty
    assert library.list_cases(user, CaseFilter(), sort="nonsense").total == first.total
    assert library.list_cases(user, CaseFilter(), page=10**6).rows == []


def test_query_params_round_trip_and_junk_is_dropped():
    f = CaseFilter(countries=("US", "DE"), dispute_types=("itc_337",), years=(2023,), sub_centres=(3,),
                   text="专利 禁令")
    assert CaseFilter.from_query_params(f.to_query_params()) == f
    parsed = CaseFilter.from_query_params({"country": "美国,XX,usa", "year": "20x3,1800,2024",
                                           "dispute": "337", "sc": "a,5", "review": "<script>"})
    assert parsed.countries == ("US",)
    assert parsed.years == (2024,)
    assert parsed.dispute_types == ("itc_337",)
    assert parsed.sub_centres == (5,)
    assert parsed.review_statuses == ()
    assert CaseFilter().to_query_params() == {}


def test_similar_cases_same_country_and_type_first(demo_database, principal):
    user = principal("enterprise")
    with db.read_session() as s:
        cid, country, dtype = s.execute(
            select(Case.id, Case.country, Case.dispute_type).where(Case.review_status == "published")
            .group_by(Case.id, Case.country, Case.dispute_type).order_by(Case.id).limit(1)).one()
        same = s.scalar(select(func.count()).select_from(Case).where(
            Case.review_status == "published", Case.country == country, Case.dispute_type == dtype, Case.id != cid))
    alike = similar.similar_cases(user, cid, limit=5)
    assert alike and all(r["id"] != cid for r in alike)
    head = alike[:min(same, 5)]
    assert all(r["country"] == country and r["dispute_type"] == dtype for r in head)
    assert all(r["dispute_type"] == dtype for r in alike)
    with db.read_session() as s:
        statuses = set(s.scalars(select(Case.review_status).where(Case.id.in_([r["id"] for r in alike]))))
    assert statuses == {"published"}
    assert similar.similarity("美国专利诉讼", "美国专利诉讼") == 1.0
    assert similar.similarity("美国专利", "德国商标") == 0.0


def test_related_articles_share_country_or_dispute_type(demo_database, principal):
    user = principal("enterprise")
    from ipoverseas.core.models import Article, ArticleCountry
    with db.read_session() as s:
        cid, country, dtype = s.execute(select(Case.id, Case.country, Case.dispute_type)
                                        .where(Case.review_status == "published", Case.country == "US")
                                        .limit(1)).one()
        related = similar.related_articles(user, cid)
        assert related
        for a in related:
            art = s.get(Article, a["id"])
            countries = set(s.scalars(select(ArticleCountry.country).where(ArticleCountry.article_id == a["id"])))
            assert art.status == "published"
            assert country in countries or art.dispute_type == dtype


def test_sub_centre_names(demo_database):
    names = library.sub_centre_names("zh")
    assert len(names) >= 12 and all(names.values())


@pytest.mark.parametrize("role", ["enterprise", "expert", "staff", "admin"])
def test_facet_totals_agree_with_a_live_count(demo_database, principal, role):
    """The trigger-kept totals give the same facet counts as counting the rows, after writes too."""
    from sqlalchemy import delete, insert

    from ipoverseas.core.models import CaseFacetTotal
    user = principal(role)
    with db.write_session() as s:  # an insert, an update of facet columns, a delete
        one = dict(s.execute(select(Case.__table__).where(Case.review_status == "published").limit(1)).mappings().one())
        one.pop("id")
        one.update(case_ref="NEW-1", country="ZA", filed_on=date(2011, 5, 1))
        s.execute(insert(Case).values(**one))
        s.execute(update(Case).where(Case.country == "US", Case.review_status == "submitted")
                  .values(country="BR", review_status="published"))
        s.execute(delete(Case).where(Case.id == s.scalar(select(func.max(Case.id)).where(Case.country == "DE"))))
    rows = _visible(user, _all())
    totals = case_facets.facet_counts(user, CaseFilter())
    assert dict(totals["country"]) == dict(Counter(r["country"] for r in rows))
    assert dict(totals["year"]) == dict(Counter(r["filed_on"].year for r in rows if r["filed_on"]))
    assert dict(totals["sub_centre"]) == dict(Counter(r["sub_centre_id"] for r in rows))
    assert dict(totals["review_status"]) == dict(Counter(r["review_status"] for r in rows))
    assert dict(totals["outcome"]) == dict(Counter(r["outcome"] for r in rows if r["outcome"]))
    assert library.count(user, CaseFilter()) == len(rows) == library.list_cases(user, CaseFilter()).total
    with db.write_session() as s:
        before = {(t.facet, t.value, t.review_status, t.sub_centre_id): t.n for t in s.scalars(select(CaseFacetTotal))}
        case_facets.rebuild_facet_totals(s.connection())
        after = {(t.facet, t.value, t.review_status, t.sub_centre_id): t.n for t in s.scalars(select(CaseFacetTotal))}
    assert {k: v for k, v in before.items() if v} == after


# --- broad text searches: counted by the full-text index, paged along the date index, facets sampled


@pytest.mark.parametrize("role", ["enterprise", "expert", "staff", "admin"])
@pytest.mark.parametrize("query", ["专利", "禁令", "Schedule", "337", "商标 美国", "zzqx"])
def test_text_search_counts_equal_the_visible_hits(demo_database, principal, role, query):
    """Whichever way a text search is counted (the index's count less the hits outside the
    scope, for a broad one; the hits themselves, for a narrow one), it is the visible hits."""
    user = principal(role)
    hits = search.reference_ids("cases", query)
    expected = [r for r in _visible(user, _all()) if r["id"] in hits]
    f = CaseFilter(text=query)
    assert library.count(user, f) == library.list_cases(user, f).total == len(expected)


@pytest.mark.parametrize("plan", ["in", "lookup", "probe"])
@pytest.mark.parametrize("sort", ["filed_desc", "filed_asc"])
@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
def test_every_text_plan_pages_the_same_rows(demo_database, principal, monkeypatch, plan, sort, role):
    user = principal(role)
    f = CaseFilter(text="专利")
    reference = [r["id"] for r in library.list_cases(user, f, sort=sort, page_size=500).rows]
    assert len(reference) > 20
    monkeypatch.setattr(library, "_text_plan", lambda *args: plan)
    paged = []
    for page in range(1, len(reference) // 9 + 2):
        paged += [r["id"] for r in library.list_cases(user, f, sort=sort, page=page, page_size=9).rows]
    assert paged == reference


def test_a_broad_search_walks_the_date_index_a_narrow_one_fetches_its_hits(demo_database, principal):
    user = principal("admin")
    with db.read_session() as s:
        visible = library.total(user)
        assert library._text_plan(s, user, CaseFilter(text="专利"), visible // 2, 25) == "probe"
        assert library._text_plan(s, user, CaseFilter(text="专利"), 1, visible) == "in"


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
def test_a_search_over_the_exact_limit_estimates_its_facets_from_a_sample(demo_database, principal, monkeypatch,
                                                                          role):
    """Above `facet_exact_hits` each count is k times the hits with id divisible by k (SQLite keeps one
    hit in k of its index's; PostgreSQL tests the rows whose id is divisible by k)."""
    user = principal(role)
    query = "专利"
    hits = search.reference_ids("cases", query)
    rows = [r for r in _visible(user, _all()) if r["id"] in hits]
    # the hits as SQLite counts them; PostgreSQL's planner estimates them, which on the small demo
    # database (no statistics yet) says little
    monkeypatch.setattr(search, "match_estimate", lambda conn, kind, q: len(search.reference_ids(kind, q)))
    monkeypatch.setenv("IPOVERSEAS_FACET_EXACT_HITS", "5")
    monkeypatch.setattr(case_facets, "SAMPLE_HITS", 20)
    facets = case_facets.facet_counts(user, CaseFilter(text=query))
    k = facets.sample_every
    assert facets.estimated and k == max(2, -(-len(hits) // 20))
    sampled = [r for r in rows if r["id"] % k == 0]
    assert dict(facets["country"]) == {c: n * k for c, n in Counter(r["country"] for r in sampled).items()}
    assert dict(facets["year"]) == {y: n * k for y, n in Counter(r["filed_on"].year for r in sampled
                                                                 if r["filed_on"]).items()}
    monkeypatch.setenv("IPOVERSEAS_FACET_EXACT_HITS", str(len(hits)))
    exact = case_facets.facet_counts(user, CaseFilter(text=query))
    assert not exact.estimated and dict(exact["country"]) == dict(Counter(r["country"] for r in rows))


@pytest.mark.parametrize("sort,key", [("amount_desc", "amount_usd"), ("defendants_desc", "defendants_count")])
@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
@pytest.mark.parametrize("text", ["", "专利"])
def test_pages_sorted_by_a_figure_equal_a_python_sort(demo_database, principal, sort, key, role, text):
    """The page's ids come from the covering index, then its rows: the same as sorting every row."""
    user = principal(role)
    hits = search.reference_ids("cases", text) if text else None
    rows = [r for r in _visible(user, _all()) if hits is None or r["id"] in hits]
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r[key] is not None, r[key] or 0, r["id"]), reverse=True)]
    got = []
    for page in range(1, len(expected) // 11 + 2):
        got += [r["id"] for r in library.list_cases(user, CaseFilter(text=text), sort=sort, page=page, page_size=11).rows]
    assert got == expected


SELECTIONS = {
    "year": lambda rows: {"years": (rows[0]["filed_on"].year,)},
    "review": lambda rows: {"review_statuses": ("published",)},
    "sub_centre": lambda rows: {"sub_centres": (rows[-1]["sub_centre_id"],)},
    "year+country": lambda rows: {"years": (rows[0]["filed_on"].year,), "countries": (rows[0]["country"],)},
}
COLUMNS = {"country": "country", "dispute_type": "dispute_type", "ip_type": "ip_type", "industry": "industry",
           "forum": "forum", "outcome": "outcome", "review_status": "review_status", "sub_centre": "sub_centre_id"}


def _keeps(row, selection: dict) -> bool:
    checks = {"years": lambda r: r["filed_on"] and r["filed_on"].year, "countries": lambda r: r["country"],
              "review_statuses": lambda r: r["review_status"], "sub_centres": lambda r: r["sub_centre_id"]}
    return all(checks[name](row) in values for name, values in selection.items())


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
@pytest.mark.parametrize("text", ["", "专利"])
@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_every_facet_under_selections_equals_a_count_by_hand(demo_database, principal, role, text, selection):
    """Facets with no selection of their own are read in one pass; each must equal counting the rows
    that pass every selection, and a selected facet the rows that pass the others."""
    user = principal(role)
    hits = search.reference_ids("cases", text) if text else None
    rows = [r for r in _visible(user, _all()) if (hits is None or r["id"] in hits) and r["filed_on"]]
    chosen = SELECTIONS[selection](rows)
    facets = case_facets.facet_counts(user, CaseFilter(text=text, **chosen))
    own = {"year": "years", "country": "countries", "review_status": "review_statuses", "sub_centre": "sub_centres"}
    rows = [r for r in _visible(user, _all()) if hits is None or r["id"] in hits]
    for facet in [*COLUMNS, "year"]:
        others = {k: v for k, v in chosen.items() if k != own.get(facet)}
        kept = [r for r in rows if _keeps(r, others)]
        if facet == "year":
            expected = Counter(r["filed_on"].year for r in kept if r["filed_on"])
        else:
            expected = Counter(r[COLUMNS[facet]] for r in kept if r[COLUMNS[facet]] is not None)
        assert dict(facets[facet]) == dict(expected), facet


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
def test_pages_sorted_by_title_equal_a_python_sort(demo_database, principal, role):
    user = principal(role)
    rows = _visible(user, _all())
    f = CaseFilter(countries=(rows[0]["country"],))
    with db.read_session() as s:  # in the database's own collation
        expected = list(s.scalars(select(Case.id).where(Case.id.in_([r["id"] for r in rows if r["country"] in f.countries]))
                                  .order_by(Case.title, Case.id)))
    got = []
    for page in range(1, len(expected) // 7 + 2):
        got += [r["id"] for r in library.list_cases(user, f, sort="title", page=page, page_size=7).rows]
    assert got == expected


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
def test_related_articles_are_both_kinds_first_then_newest(demo_database, principal, role):
    """The three small queries merged give what one query over every article would."""
    from ipoverseas.core.models import Article, ArticleCountry
    user = principal(role)
    with db.read_session() as s:
        picked = s.execute(select(Case.id, Case.country, Case.dispute_type)
                           .where(Case.review_status == "published").order_by(Case.id).limit(40)).all()
        articles = s.execute(select(Article.id, Article.dispute_type, Article.published_on)
                             .where(policy.where(user, "read_article"), Article.status == "published")).all()
        countries: dict[int, set] = {}
        for aid, country in s.execute(select(ArticleCountry.article_id, ArticleCountry.country)):
            countries.setdefault(aid, set()).add(country)
    for cid, country, dtype in picked:
        def key(a):
            both = country in countries.get(a.id, ()) and a.dispute_type == dtype
            return (both, a.published_on is not None, a.published_on or date.min, a.id)
        hits = [a for a in articles if country in countries.get(a.id, ()) or a.dispute_type == dtype]
        expected = [a.id for a in sorted(hits, key=key, reverse=True)[:5]]
        assert [a["id"] for a in similar.related_articles(user, cid)] == expected, cid


def test_a_search_defaults_to_relevance_and_a_browse_to_the_newest():
    assert library.default_sort(CaseFilter(text="337")) == "relevance"
    assert library.default_sort(CaseFilter(text="  ")) == "filed_desc"
    assert library.default_sort(CaseFilter(countries=("US",))) == "filed_desc"


def test_only_a_one_character_search_matching_most_cases_is_too_broad(demo_database, principal):
    user = principal("enterprise")
    visible = library.total(user)
    for query, broad in (("专", True), ("337", False), ("专利", False), ("a b", False)):
        f = CaseFilter(text=query)
        assert library.too_broad(user, f, library.count(user, f)) is broad, query
    assert not library.too_broad(user, CaseFilter(text="专"), visible // 3)
