"""case_pair_facets stays equal to a rebuild from the cases after every kind of write, and
the facets under country / dispute-type filters read from it equal counting the rows.
SQLite (row-level triggers) and PostgreSQL (statement-level triggers)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import delete, insert, select, update

from ipoverseas.cases import facets as case_facets
from ipoverseas.core import db
from ipoverseas.cases.library import CaseFilter
from ipoverseas.core.models import Case, CasePairFacet


def _table() -> dict:
    with db.read_session() as s:
        return {(t.facet, t.country, t.dispute_type, t.value, t.review_status, t.sub_centre_id): t.n
                for t in s.scalars(select(CasePairFacet)) if t.n}


def _assert_equal_to_a_rebuild() -> None:
    kept = _table()
    with db.write_session() as s:
        case_facets.rebuild_pair_facets(s.connection())
    assert kept == _table()


def test_pair_facets_follow_inserts_updates_and_deletes(demo_database):
    _assert_equal_to_a_rebuild()
    with db.write_session() as s:
        one = dict(s.execute(select(Case.__table__).limit(1)).mappings().one())
        one.pop("id")
        s.execute(insert(Case).values([{**one, "case_ref": f"PF-{i}", "country": ("ZA", "US")[i % 2],
                                        "ip_type": ("patent", None)[i % 2], "filed_on": date(2012 + i, 3, 1)}
                                       for i in range(5)]))
        s.execute(update(Case).where(Case.id % 5 == 0).values(country="JP", forum=None, outcome="settled",
                                                              filed_on=date(2009, 1, 1)))
        s.execute(update(Case).where(Case.id % 7 == 0).values(review_status="returned"))
        s.execute(update(Case).where(Case.id % 3 == 0).values(title=Case.title + "!"))  # nothing followed
        s.execute(delete(Case).where(Case.id % 11 == 0))
    _assert_equal_to_a_rebuild()


def _visible(user, rows):
    if user.role == "admin":
        return rows
    if user.role == "staff":
        return [r for r in rows if r["review_status"] == "published" or r["sub_centre_id"] == user.sub_centre_id]
    return [r for r in rows if r["review_status"] == "published"]


@pytest.mark.parametrize("role", ["enterprise", "staff", "admin"])
@pytest.mark.parametrize("chosen", ["country", "dispute", "both", "two countries"])
def test_facets_under_country_and_dispute_filters_equal_a_count(demo_database, principal, role, chosen):
    user = principal(role)
    with db.read_session() as s:
        rows = _visible(user, s.execute(select(Case.__table__)).mappings().all())
    top = Counter((r["country"], r["dispute_type"]) for r in rows).most_common(2)
    (c1, d1), (c2, _) = top[0][0], top[1][0]
    selections = {"country": {"countries": (c1,)}, "dispute": {"dispute_types": (d1,)},
                  "both": {"countries": (c1,), "dispute_types": (d1,)},
                  "two countries": {"countries": (c1, c2)}}[chosen]
    facets = case_facets.facet_counts(user, CaseFilter(**selections))
    keep = {"countries": "country", "dispute_types": "dispute_type"}
    columns = {"country": "country", "dispute_type": "dispute_type", "ip_type": "ip_type", "industry": "industry",
               "forum": "forum", "outcome": "outcome", "review_status": "review_status",
               "sub_centre": "sub_centre_id"}
    own = {"country": "countries", "dispute_type": "dispute_types"}
    for facet in [*columns, "year"]:
        kept = [r for r in rows if all(r[keep[name]] in values for name, values in selections.items()
                                       if name != own.get(facet))]
        if facet == "year":
            expected = Counter(r["filed_on"].year for r in kept if r["filed_on"])
        else:
            expected = Counter(r[columns[facet]] for r in kept if r[columns[facet]] is not None)
        assert dict(facets[facet]) == dict(expected), facet
