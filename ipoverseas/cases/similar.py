"""Cases and articles like a given case: the case page's "similar cases" and "related articles".

Candidates are bounded and read along indexes, so the case page costs the same at any size.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.core import db
from ipoverseas.core.models import Article, ArticleCountry, Case


_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")


def _shingles(value: str) -> set[str]:
    tokens = _CJK_OR_WORD.findall((value or "").lower())
    grams = {a + b for a, b in zip(tokens, tokens[1:])}
    return grams | {t for t in tokens if len(t) > 2}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (and longer words): 0..1."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def similar_cases(user: Principal | None, case_id: int, limit: int = 5, pool: int = 60) -> list[dict]:
    """Cases like this one: same country and dispute type first, then by text similarity.

    Candidates are bounded (`pool` newest of each group) so the cost does not grow with
    the library; within a group they are ranked by text similarity of title and summary
    (about 0.1 ms a candidate, in Python: a pool of 200 made the case page 25 ms slower).
    """
    with db.read_session() as s:
        base = s.execute(select(Case.id, Case.country, Case.dispute_type, Case.title, Case.summary)
                         .where(Case.id == case_id, policy.where(user, "read_case"))).first()
        if base is None:
            return []
        cols = (Case.id, Case.case_ref, Case.title, Case.summary, Case.country, Case.dispute_type,
                Case.filed_on, Case.outcome, Case.distinction, Case.is_demo)
        visible = [policy.where(user, "read_case"), Case.id != case_id]
        if not policy.can(user, "edit_case"):  # who curates no cases compares published ones only
            visible.append(Case.review_status == "published")
        same = s.execute(select(*cols).where(*visible, Case.country == base.country,
                                             Case.dispute_type == base.dispute_type)
                         .order_by(Case.id.desc()).limit(pool)).all()
        others = []
        if len(same) < limit:
            others = s.execute(select(*cols).where(*visible, Case.dispute_type == base.dispute_type,
                                                   Case.country != base.country)
                               .order_by(Case.id.desc()).limit(pool)).all()
    reference = f"{base.title} {base.summary}"

    def ranked(rows):
        scored = [(similarity(reference, f"{r.title} {r.summary}"), r) for r in rows]
        scored.sort(key=lambda item: (-item[0], -item[1].id))
        return [dict(r._mapping, score=round(score, 3), same_group=True) for score, r in scored]

    first = ranked(same)
    second = [dict(r, same_group=False) for r in ranked(others)]
    return (first + second)[:limit]


def related_articles(user: Principal | None, case_id: int, limit: int = 5) -> list[dict]:
    """Published articles on the case's country or dispute type; both first, newest next.

    Each kind is its own small query (the newest `limit` on the country, on the dispute
    type, on both), merged here; each walks the publication-date index from the newest
    and stops at `limit`, its conditions kept off their own indexes. One query with the
    OR would read and sort every published article.
    """
    with db.read_session() as s:
        base = s.execute(select(Case.country, Case.dispute_type).where(Case.id == case_id, policy.where(user, "read_case"))).first()
        if base is None:
            return []
        country_hit = (Article.id + 0).in_(select(ArticleCountry.article_id)
                                           .where(ArticleCountry.country == base.country))
        type_hit = Article.dispute_type.concat("") == base.dispute_type
        cols = (Article.id, Article.kind, Article.title_zh, Article.title_en, Article.published_on, Article.source)
        found: dict[int, tuple[bool, dict]] = {}
        for where in ((country_hit, type_hit), (country_hit,), (type_hit,)):
            stmt = (select(*cols).where(policy.where(user, "read_article", indexed=False), Article.status.concat("") == "published",
                                        *where)
                    .order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).limit(limit))
            for r in s.execute(stmt):
                found.setdefault(r.id, (len(where) == 2, dict(r._mapping)))
    newest_first = sorted(found.values(), key=lambda item: (item[1]["published_on"] is not None,
                                                            item[1]["published_on"] or date.min, item[1]["id"]),
                          reverse=True)
    return [row for both, row in sorted(newest_first, key=lambda item: not item[0])][:limit]
