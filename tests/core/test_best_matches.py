"""core.best_matches finds the same best rows as scoring every row, on SQLite and PostgreSQL (its walk
set by set on both, though SQLite's own way is to score every row)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from ipoverseas.core import best_matches, db
from ipoverseas.core.models import Case
from tests.imports.helpers import add_sub_centre

COUNTRIES, DISPUTES, IP_TYPES, INDUSTRIES = ("US", "DE", "JP"), ("litigation", "customs"), ("patent", "trademark"), \
    ("machinery", "textiles")


def _fill(rng: random.Random, n: int) -> None:
    centre = add_sub_centre("BM")
    with db.write_session() as s:
        for i in range(n):
            s.add(Case(case_ref=f"BM-{i}", sub_centre_id=centre, title=f"case {i}", country=rng.choice(COUNTRIES),
                       dispute_type=rng.choice(DISPUTES), ip_type=rng.choice(IP_TYPES + (None,)),
                       industry=rng.choice(INDUSTRIES + (None,)), distinction=rng.choice((None, None, "typical")),
                       # few dates, so that many rows tie on the score and the date, and some have none
                       filed_on=rng.choice((None, date(2024, 1, 1) + timedelta(days=rng.randrange(6)))),
                       review_status=rng.choice(("published", "published", "submitted"))))


def _scored_every_row(s, where, conditions, order, limit):
    score = best_matches.score_of(conditions).label("score")
    return [tuple(r) for r in s.execute(select(Case.id, score).where(*where, score > 0)
                                        .order_by(score.desc(), *order).limit(limit))]


def test_the_best_rows_are_those_of_scoring_every_row(database):
    rng = random.Random(16)
    _fill(rng, 400)
    order = (Case.filed_on.desc().nulls_last(), Case.id.desc())
    where = (Case.review_status == "published",)
    with db.read_session() as s:
        ids = list(s.scalars(select(Case.id)))
        tried = queried = 0
        for _ in range(60):
            weights = {"country": rng.choice((0, 4)), "dispute": rng.choice((0, 3)), "ip": rng.choice((0, 2)),
                       "industry": rng.choice((0, 2)), "hits": rng.choice((0, 3))}
            hits = rng.sample(ids, 30)
            conditions = [(Case.country == rng.choice(COUNTRIES), weights["country"]),
                          (Case.dispute_type == rng.choice(DISPUTES), weights["dispute"]),
                          (Case.ip_type == rng.choice(IP_TYPES), weights["ip"]),
                          (Case.industry == rng.choice(INDUSTRIES), weights["industry"]),
                          (Case.distinction.is_not(None), 1), (Case.id.in_(hits), weights["hits"])]
            limit = rng.choice((1, 5, 12))
            expected = _scored_every_row(s, where, conditions, order, limit)
            for walk in (True, None):   # the walk set by set on both databases, and each one's own way
                found = best_matches.best_rows(s, (Case.id,), Case.id, where, conditions, order, limit, walk=walk)
                assert [(r.id, r.score) for r in found] == expected
            tried += 1
            queried += len(expected)
        assert tried == 60 and queried > 200   # the queries found rows, not only empty lists


def test_nothing_to_weigh_finds_nothing(database):
    with db.read_session() as s:
        assert best_matches.best_rows(s, (Case.id,), Case.id, (), [(Case.country == "US", 0)],
                                      (Case.id.desc(),), 5) == []
