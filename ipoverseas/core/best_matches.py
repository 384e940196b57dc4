"""The best few rows by a weighted sum of conditions, without scoring every row.

A row's score is the sum of the weights of the conditions it meets; the best rows are ordered by
score, then by `order` (a total order, ending with the key). Scoring every row in SQL reads the whole
table: the ask form's suggestions cost PostgreSQL 0.5-0.7 s at 1M cases on every rerun.

Here each set T of the conditions, in decreasing order of its weight, gives the first `limit` rows
(in `order`) that meet all of T. A row that meets exactly the set C is found by the query for C,
unless `limit` rows that meet all of C come before it: each of those scores at least as much and
comes first, so the row is not among the best anyway. The walk stops once the `limit`-th best row
found scores more than any set still to query can give. So the result is exact, and at 1M cases one
to three indexed queries find it where the sets are common.

That walk is PostgreSQL's (at 1M: 0.01-0.02 s against 0.30-0.47 s for scoring every row; facets rare
together, 0.015 s). SQLite's planner answers each set by walking the date index and testing rows, so a
set that few rows meet reads most of the table: 4.1 s for facets rare together, against 0.5 s for
scoring every row. SQLite scores every row (`walk` chooses; tests/bench/test_library.py measures both).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

from sqlalchemy import case, literal, select
from sqlalchemy.orm import Session


def score_of(conditions: Sequence[tuple[Any, int]]) -> Any:
    """SQL: the sum of the weights of the conditions a row meets."""
    total: Any = literal(0)
    for condition, weight in conditions:
        total = total + case((condition, weight), else_=0)
    return total


def best_rows(session: Session, columns: Sequence[Any], key: Any, where: Sequence[Any],
              conditions: Sequence[tuple[Any, int]], order: Sequence[Any], limit: int,
              *, walk: bool | None = None) -> list[Any]:
    """The `limit` rows meeting `where` with the highest score (> 0), best first, then in `order`;
    each row has `columns` and `score`. `key` is the rows' unique column (in `columns`). `walk`: find
    them set by set (None: on PostgreSQL only, see above), or score every row."""
    conditions = [(c, w) for c, w in conditions if w > 0]
    if not conditions or limit <= 0:
        return []
    score = score_of(conditions).label("score")
    if walk is None:
        walk = session.get_bind().dialect.name == "postgresql"
    if not walk:
        return list(session.execute(select(*columns, score).where(*where, score > 0)
                                    .order_by(score.desc(), *order).limit(limit)))
    sets = sorted((s for n in range(len(conditions), 0, -1) for s in combinations(conditions, n)),
                  key=lambda s: -sum(w for _, w in s))
    found: dict[Any, int] = {}
    for chosen in sets:
        weight = sum(w for _, w in chosen)
        best = sorted(found.values(), reverse=True)
        if len(best) >= limit and best[limit - 1] > weight:
            break
        stmt = (select(key, score).where(*where, *(c for c, _ in chosen)).order_by(*order).limit(limit))
        found.update((row[0], row[1]) for row in session.execute(stmt))
    if not found:
        return []
    return list(session.execute(select(*columns, score).where(key.in_(list(found)))
                                .order_by(score.desc(), *order).limit(limit)))
