"""Full-text search: same results as a substring scan, on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, select, text, update

from ipoverseas.core import db, search
from ipoverseas.core.models import Article, Case, SubCentre

CASE_TEXTS = [
    ("美国专利诉讼：某电子企业应诉", "原告在德州起诉我方侵犯发明专利。", "建议评估专利有效性", "尽早布局专利"),
    ("Schedule A TRO against 300 sellers", "The plaintiff froze Amazon accounts.", "File a motion to dissolve", "Watch design patents"),
    ("德国展会禁令", "展会期间被申请临时禁令，涉及商标与外观设计。", "准备不侵权证据", "参展前做FTO检索"),
    ("欧盟海关扣押", "货物在鹿特丹被扣，权利人主张商标侵权。", "10个工作日内回应", "核查商标授权链"),
    ("ITC 337 investigation: LED lamps", "Section 337 complaint, general exclusion order sought.", "Respond within 20 days", "Prepare invalidity contentions"),
    ("商业秘密刑事指控", "前员工带走技术资料，美方提起刑事指控。", "配合律师内部调查", "完善保密制度"),
    ("专", "利", "", ""),
    ("短", "禁令", None, "x"),
]


def _sub_centre() -> int:
    with db.write_session() as s:
        return s.execute(insert(SubCentre).values(code="T1", name_zh="测试分中心", name_en="Test")
                         .returning(SubCentre.id)).scalar_one()


def _fill(texts=CASE_TEXTS) -> list[int]:
    sc = _sub_centre()
    rows = [dict(case_ref=f"R{i}", sub_centre_id=sc, title=t, country="US", dispute_type="litigation",
                 summary=s, guidance=g or "", lessons=l or "") for i, (t, s, g, l) in enumerate(texts)]
    with db.write_session() as s:
        s.execute(insert(Case), rows)
        return list(s.scalars(select(Case.id).order_by(Case.id)))


@pytest.mark.parametrize("query", ["专利", "专", "利", "禁令", "商标", "patent", "PATENT", "tro", "337",
                                   "Section 337", "德国 禁令", "美国专利诉讼", "eu", "x", "z", "不存在的词",
                                   "10个", "exclusion order", '"quoted"', "a%b_c"])
def test_search_equals_substring_scan(database, query):
    _fill()
    found = search.search_ids("cases", query)
    assert len(found) == len(set(found))
    assert set(found) == search.reference_ids("cases", query)


def test_short_chinese_terms_find_every_record_that_contains_them(database):
    ids = _fill()
    assert set(search.search_ids("cases", "专利")) == {ids[0]}
    assert set(search.search_ids("cases", "专")) == {ids[0], ids[6]}
    assert set(search.search_ids("cases", "禁令")) == {ids[2], ids[7]}
    assert set(search.search_ids("cases", "利")) == {ids[0], ids[3], ids[6]}  # 专利, 权利人, 利
    assert search.search_ids("cases", "") == []
    assert search.search_ids("cases", "   ") == []


def test_terms_do_not_match_across_fields(database):
    ids = _fill()
    # title "专" and summary "利" of record 6 are separate fields: "专利" is not in it
    assert ids[6] not in search.search_ids("cases", "专利")


def test_index_follows_updates_and_deletes(database):
    ids = _fill()
    with db.write_session() as s:
        s.execute(update(Case).where(Case.id == ids[1]).values(summary="新的摘要：专利无效宣告"))
        s.execute(text("DELETE FROM cases WHERE id = :id"), {"id": ids[0]})
    assert set(search.search_ids("cases", "专利")) == {ids[1]}
    assert ids[1] not in search.search_ids("cases", "amazon")
    assert set(search.search_ids("cases", "专利")) == search.reference_ids("cases", "专利")


def test_ranked_and_limited(database):
    ids = _fill()
    ranked = search.search_ids("cases", "专利")
    assert ranked[0] == ids[0]
    assert search.search_ids("cases", "商标", limit=1) in ([ids[2]], [ids[3]])


def test_articles_are_searched_too(database):
    with db.write_session() as s:
        s.execute(insert(Article), [
            dict(ref="A1", kind="country_guide", title_zh="美国知识产权指南", title_en="US IP guide",
                 body="# 337调查\n\n收到起诉状后20日内答辩。", status="published"),
            dict(ref="A2", kind="risk_alert", title_zh="德国展会风险预警", title_en="",
                 body="展会禁令频发。", status="draft"),
        ])
        a1, a2 = s.scalars(select(Article.id).order_by(Article.id)).all()
    assert search.search_ids("articles", "337") == [a1]
    assert set(search.search_ids("articles", "禁令")) == {a2}
    assert set(search.search_ids("articles", "guide")) == {a1}
    assert set(search.search_ids("articles", "展会")) == search.reference_ids("articles", "展会") == {a2}
    with pytest.raises(ValueError):
        search.search_ids("experts", "x")


def test_random_queries_match_a_substring_scan_on_the_demo(demo_database):
    """Random 1-4 character Chinese substrings and English words drawn from the demo text."""
    rng = random.Random(20261125)
    with db.read_session() as s:
        rows = s.execute(select(Case.title, Case.summary, Case.lessons)).all()
        articles = s.execute(select(Article.title_zh, Article.body)).all()
    assert rows, "the demo has no cases"
    corpus = " ".join(" ".join(filter(None, r)) for r in rows + articles)
    chinese = [c for c in corpus if "\u4e00" <= c <= "\u9fff"]
    english = sorted({w.lower().strip(".,;:()") for w in corpus.split() if w.isascii() and w.isalpha()})
    queries = []
    for _ in range(40):
        n = rng.randint(1, 4)
        start = rng.randrange(len(corpus) - n)
        piece = corpus[start:start + n]
        queries.append(piece if all("\u4e00" <= c <= "\u9fff" for c in piece) else rng.choice(chinese))
        queries.append("".join(rng.choice(chinese) for _ in range(n)))
    queries += rng.sample(english, min(20, len(english))) if english else []
    for kind in ("cases", "articles"):
        for q in queries:
            found = search.search_ids(kind, q)
            assert set(found) == search.reference_ids(kind, q), (kind, q)
            assert len(found) == len(set(found))


def test_snippet_highlights_and_escapes():
    text_value = "前言。" * 30 + "原告主张<b>专利</b>侵权，要求禁令。" + "后记" * 30
    out = search.snippet(text_value, "专利 禁令", width=40)
    assert "**专利**" in out and "**禁令**" in out
    assert "<b>" not in out and out.startswith("…") and out.endswith("…")
    assert search.snippet("Patent law", "PATENT", markdown=False) == "【Patent】 law"
    assert search.snippet("abc", "zzz", markdown=False) == "abc"
    assert search.snippet(None, "x") == ""


def test_a_remembered_expansion_is_dropped_when_the_database_changes(demo_database):
    """A short term's expansion is kept on the connection; a new trigram written since must count."""
    assert search.search_ids("cases", "驼鹿", ranked=False) == []
    with db.write_session() as s:
        case_id = s.scalar(select(Case.id).limit(1))
        s.execute(update(Case).where(Case.id == case_id).values(title="关于驼鹿商标的争议"))
    assert search.search_ids("cases", "驼鹿", ranked=False) == [case_id]
    search.forget()
    assert search.search_ids("cases", "驼鹿", ranked=False) == [case_id]
