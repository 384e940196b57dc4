"""The case library: filter, count, page and read cases (DESIGN.md §3-5). Review is in `review.py`,
similar cases in `similar.py`, facets in `facets.py`.

Everything is computed in SQL under the permission policy (`policy.where(user, "read_case")`), so a
page costs the same at a thousand cases as at a million. The same `CaseFilter` drives
the list, the facets, the export and the analytics.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any, Iterable, Mapping

from sqlalchemy import Float, Integer, and_, column, func, or_, select, text, true
from sqlalchemy.orm import Session

from ipoverseas.access import policy
from ipoverseas.core import db, search, vocab
from ipoverseas.access.policy import Principal
from ipoverseas.core.models import Case, CaseFacetTotal, SubCentre

MASKED = "***"
REGION_MINE = "mine"

# facet name -> (CaseFilter field, column)
FACETS: dict[str, tuple[str, Any]] = {
    "country": ("countries", Case.country),
    "dispute_type": ("dispute_types", Case.dispute_type),
    "ip_type": ("ip_types", Case.ip_type),
    "industry": ("industries", Case.industry),
    "forum": ("forums", Case.forum),
    "year": ("years", None),
    "outcome": ("outcomes", Case.outcome),
    "sub_centre": ("sub_centres", Case.sub_centre_id),
    "review_status": ("review_statuses", Case.review_status),
}

SORTS = ("filed_desc", "filed_asc", "relevance", "title", "amount_desc", "defendants_desc")
NARROW_SORTS = ("amount_desc", "defendants_desc")  # their columns are in ix_cases_library_facets
BROAD_SHARE = 0.5  # a one-character search matching more than this share of the library is too broad

LIST_COLUMNS = (Case.id, Case.case_ref, Case.title, Case.country, Case.forum, Case.dispute_type, Case.ip_type,
                Case.industry, Case.filed_on, Case.closed_on, Case.outcome, Case.amount_usd,
                Case.defendants_count, Case.review_status, Case.distinction, Case.sub_centre_id,
                Case.province, Case.is_demo, Case.chinese_party, Case.party_confidential)


@dataclass(frozen=True)
class CaseFilter:
    countries: tuple[str, ...] = ()
    dispute_types: tuple[str, ...] = ()
    ip_types: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    forums: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    outcomes: tuple[str, ...] = ()
    sub_centres: tuple[int, ...] = ()
    review_statuses: tuple[str, ...] = ()
    distinctions: tuple[str, ...] = ()
    text: str = ""
    region: str = ""          # "mine": the cases concerning the user's region (staff; policy "read_region_cases")

    # --- URL query parameters -------------------------------------------------------
    QUERY_KEYS = {"countries": "country", "dispute_types": "dispute", "ip_types": "ip", "industries": "industry",
                  "forums": "forum", "years": "year", "outcomes": "outcome", "sub_centres": "sc",
                  "review_statuses": "review", "distinctions": "distinction", "text": "q",
                  "region": "region"}

    def to_query_params(self) -> dict[str, str]:
        """Short, shareable query parameters (lists comma-separated); empty values left out."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if not value:
                continue
            key = self.QUERY_KEYS[f.name]
            out[key] = value if isinstance(value, str) else ",".join(str(v) for v in value)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> "CaseFilter":
        """Parse query parameters leniently: unknown codes and junk are dropped, never an error."""
        values: dict[str, Any] = {}
        checks = {
            "countries": lambda v: vocab.countries().lookup(v),
            "dispute_types": vocab.DISPUTE_TYPES.lookup, "ip_types": vocab.IP_TYPES.lookup,
            "industries": vocab.INDUSTRIES.lookup, "forums": vocab.FORUMS.lookup,
            "outcomes": vocab.OUTCOMES.lookup, "review_statuses": vocab.REVIEW_STATUSES.lookup,
            "distinctions": vocab.DISTINCTIONS.lookup,
            "years": lambda v: int(v) if str(v).isdigit() and 1900 <= int(v) <= 2100 else None,
            "sub_centres": lambda v: int(v) if str(v).isdigit() else None,
        }
        for name, key in cls.QUERY_KEYS.items():
            raw = params.get(key)
            if raw is None:
                continue
            if isinstance(raw, (list, tuple)):
                raw = ",".join(str(r) for r in raw)
            if name == "text":
                values["text"] = str(raw)[:200]
                continue
            if name == "region":
                values["region"] = REGION_MINE if str(raw).strip() == REGION_MINE else ""
                continue
            parsed = []
            for part in str(raw).split(","):
                code = checks[name](part.strip()) if part.strip() else None
                if code is not None and code not in parsed:
                    parsed.append(code)
            values[name] = tuple(parsed[:50])
        return cls(**values)

    def without(self, facet: str) -> "CaseFilter":
        return replace(self, **{FACETS[facet][0]: ()})

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Page:
    rows: list[dict]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# --- the filter as SQL -------------------------------------------------------------------


def _year_clause(years: Iterable[int]):
    return or_(*[and_(Case.filed_on >= date(y, 1, 1), Case.filed_on < date(y + 1, 1, 1)) for y in years])


def _match_subquery(session: Session, query: str, *, ranked: bool = False):
    """(id[, rank]) of the cases matching the full-text query, or None for no query."""
    built = search.matching_sql(session.connection(), "cases", query, ranked=ranked)
    if built is None:
        return None
    sql, params = built
    columns = [column("id", Integer)] + ([column("rank", Float)] if ranked else [])
    return text(sql).bindparams(**params).columns(*columns).subquery("m")


def conditions(session: Session, user: Principal | None, f: CaseFilter, *, skip: str | None = None,
               seek: bool = True, text_plan: str = "in", scope=None) -> list:
    """The WHERE clauses of a filter under the user's scope (one facet left out with `skip`).

    `seek` adds the every-status condition of `_statuses_present`, for counts and groups;
    leave it off for a page of rows in date order, which should walk the date index.
    `text_plan`: see `text_condition`. `scope` replaces the user's scope with a narrower
    condition (the analytics region).
    """
    status_seek = seek and (not f.review_statuses or skip == "review_status")
    if scope is None:
        # The staff scope's OR (published: most rows) stays off the indexes (see policy._column):
        # read through it, the database would gather most of the table.
        scope = policy.where(user, "read_case", indexed=not policy.is_union(user, "read_case"))
    where = [scope]
    if status_seek:
        where.append(Case.review_status.in_(_statuses_present(session)))
    for facet, (name, col) in FACETS.items():
        values = getattr(f, name)
        if facet == skip or not values:
            continue
        where.append(_year_clause(values) if facet == "year" else col.in_(values))
    if f.distinctions:
        where.append(Case.distinction.in_(f.distinctions))
    if f.region == REGION_MINE:   # "concerning my region": the policy decides which cases those are
        where.append(policy.where(user, "read_region_cases"))
    if f.text.strip():
        where.append(text_condition(session, f.text, plan=text_plan))
    return where


def text_condition(session: Session, query: str, *, sample_every: int = 1, plan: str = "in"):
    """The cases matching a full-text query (every `sample_every`-th of them by id).

    How a page in date order reads a search (`plan`, chosen by `_text_plan`):
    "in" fetches every hit and sorts them, best for a narrow search; "lookup" keeps
    the hits as a set (`id + 0`), so SQLite walks the date index in order and stops
    at the page's end; "probe" builds no set at all and asks the full-text index about
    each row walked, best when the page's rows are among the first few hundred;
    "direct" (PostgreSQL, for a count) puts the gram lookup on the rows themselves.
    """
    if plan in ("probe", "direct"):
        built = (search.probe_sql(session.connection(), "cases", query, "cases.id") if plan == "probe"
                 else search.where_sql(session.connection(), "cases", query))
        if built is not None:
            sql, params = built
            return text(sql).bindparams(**params)
    if sample_every > 1 and session.bind.dialect.name == "postgresql":
        # PostgreSQL would read every hit off its gram index (a bitmap over most of the table)
        # to keep one in k: it tests the sample's rows instead, the id test first (cheapest)
        sql, params = search.probe_sql(session.connection(), "cases", query, "cases.id")
        return and_(Case.id % sample_every == 0, text(sql).bindparams(**params))
    m = _match_subquery(session, query)
    if m is None:
        return true()
    ids = select(m.c.id)
    if sample_every > 1:
        ids = ids.where(m.c.id % sample_every == 0)
    return (Case.id + 0 if plan == "lookup" else Case.id).in_(ids)


def _statuses_present(session: Session) -> list[str]:
    """Every review status some case has, from the trigger-kept totals.

    As a condition it selects every row, yet it lets the database seek the covering
    index `ix_cases_library_facets` (which starts with the review status) for the
    country and dispute type after it, instead of reading the whole index when the
    user's scope does not name a status (admin, a staff member's region).
    """
    t = CaseFacetTotal
    return list(session.scalars(select(t.value).where(t.facet == "review_status").group_by(t.value)
                                .having(func.sum(t.n) > 0)))


def mask(row: dict, user: Principal | None) -> dict:
    """Hide a confidential Chinese party from everyone but staff and admin."""
    if row.get("party_confidential") and not policy.can(user, "see_confidential_party", row):
        row = dict(row)
        row["chinese_party"] = MASKED
    return row


def list_cases(user: Principal | None, f: CaseFilter, *, sort: str = "filed_desc", page: int = 1,
               page_size: int = 50) -> Page:
    """One page of the filtered cases and the total count."""
    if sort not in SORTS:
        sort = "filed_desc"
    page_size = max(1, min(int(page_size), 500))
    page = max(1, int(page))
    with db.read_session() as s:
        found = _count(s, user, f)
        offset = (page - 1) * page_size
        if sort in NARROW_SORTS:
            # Find the page's ids in the narrow covering index (it holds the amount and the
            # defendants), then read just those rows: sorting whole rows reads the table.
            ids = (select(Case.id).where(*conditions(s, user, f)).order_by(*_order(sort))
                   .limit(page_size).offset(offset))
            stmt = select(*LIST_COLUMNS).where(Case.id.in_(ids)).order_by(*_order(sort))
        else:
            floor = (search.pool_floor(s.connection(), "cases", f.text)
                     if sort == "relevance" and f.text.strip() else None)
            if floor is not None:
                rows = _pooled_relevance(s, user, f, found, floor, offset, page_size)
                return Page([mask(dict(r._mapping), user) for r in rows], found, page, page_size)
            plan = _text_plan(s, user, f, found, page * page_size) if sort in ("filed_desc", "filed_asc") else "in"
            # sorted by title, the scope is checked row by row along the title index
            scope = policy.where(user, "read_case", indexed=False) if sort == "title" else None
            ranked = sort == "relevance" and bool(search.terms(f.text))
            # PostgreSQL ranks every hit of a narrow search (a broad one is pooled above) with the gram
            # lookup on the rows themselves, one bitmap scan: no order of an index can serve the rank
            ranked_pg = ranked and s.bind.dialect.name == "postgresql"
            stmt = select(*LIST_COLUMNS).where(*conditions(s, user, f, seek=False, text_plan="direct") if ranked_pg
                                               else conditions(s, user, f, seek=False, text_plan=plan, scope=scope))
            if ranked_pg:
                sql, params = search.title_rank_sql("cases", f.text)
                stmt = stmt.order_by(text(sql).bindparams(**params), Case.id.desc())
            elif ranked:
                m = _match_subquery(s, f.text, ranked=True)
                stmt = stmt.join(m, m.c.id == Case.id).order_by(m.c.rank, Case.id.desc())
            else:
                stmt = stmt.order_by(*_order(sort))
            stmt = stmt.limit(page_size).offset(offset)
        rows = [mask(dict(r._mapping), user) for r in s.execute(stmt)]
    return Page(rows, found, page, page_size)


def _pooled_relevance(s: Session, user: Principal | None, f: CaseFilter, found: int, floor: int, offset: int,
                      size: int) -> list:
    """A page in relevance order when only the newest hits are ranked (search.pool_floor: ids above
    `floor`): the visible pool by rank, then the older visible hits newest first, as the full
    ranking orders them; neither part reads every hit of a broad search."""
    rest = conditions(s, user, replace(f, text=""), seek=False)
    if s.bind.dialect.name == "postgresql":   # the pool's rows tested one by one (a short walk by id)
        sql, params = search.title_rank_sql("cases", f.text)
        rank = text(sql).bindparams(**params)
        pool = [*rest, text_condition(s, f.text, plan="probe"), Case.id > floor]
        joined = select(*LIST_COLUMNS).where(*pool)
        counted = select(func.count()).select_from(Case).where(*pool)
    else:
        m = _match_subquery(s, f.text, ranked=True)
        rank = m.c.rank
        pool = [*rest, m.c.id > floor, Case.id > floor]
        joined = select(*LIST_COLUMNS).join(m, m.c.id == Case.id).where(*pool)
        counted = select(func.count()).select_from(Case).join(m, m.c.id == Case.id).where(*pool)
    rows = list(s.execute(joined.order_by(rank, Case.id.desc()).limit(size).offset(offset)))
    if len(rows) == size:
        return rows
    visible = int(s.scalar(counted) or 0)
    skip, need = max(0, offset - visible), size - len(rows)
    plan = _text_plan(s, user, f, found, skip + need)
    older = (select(*LIST_COLUMNS).where(*conditions(s, user, f, seek=False, text_plan=plan), Case.id <= floor)
             .order_by(Case.id.desc()).limit(need).offset(skip))
    return rows + list(s.execute(older))


PROBE_ROWS = 500  # rows a page may walk asking the full-text index about each (~0.3 ms a row)


def _text_plan(s: Session, user: Principal | None, f: CaseFilter, found: int, last_row: int) -> str:
    """How a page in date order of a text search reads its hits (see `text_condition`).

    Walking the date index to the page's last row reads about `last_row * visible / found`
    entries; fetching and sorting every hit costs about as much per hit as one entry
    walked. So a broad search walks, a narrow one fetches.
    """
    if not f.text.strip() or not found:
        return "in"
    hits = search.match_estimate(s.connection(), "cases", f.text)
    if hits is None:
        return "in"
    walked = last_row * total(user) / found
    if walked <= PROBE_ROWS:
        return "probe"
    if s.bind.dialect.name == "postgresql":   # it hashes the hits itself
        return "in"
    return "lookup" if walked < hits else "in"


def _order(sort: str) -> list:
    return {
        "filed_asc": [Case.filed_on.asc().nulls_last(), Case.id.asc()],
        "title": [Case.title.asc(), Case.id.asc()],
        "amount_desc": [Case.amount_usd.desc().nulls_last(), Case.id.desc()],
        "defendants_desc": [Case.defendants_count.desc().nulls_last(), Case.id.desc()],
    }.get(sort, [Case.filed_on.desc().nulls_last(), Case.id.desc()])


def _library_size(s: Session) -> int:
    t = CaseFacetTotal
    return int(s.scalar(select(func.coalesce(func.sum(t.n), 0)).where(t.facet == "review_status")) or 0)


def total(user: Principal | None) -> int:
    """All the cases a user may see, from the totals table."""
    t = CaseFacetTotal
    with db.read_session() as s:
        return int(s.scalar(select(func.coalesce(func.sum(t.n), 0))
                            .where(t.facet == "review_status", policy.where(user, "read_case", t))) or 0)


def snippets(ids: tuple[int, ...], query: str, width: int = 60) -> dict[int, str]:
    """The matching passage of each listed case (plain text, matches in 【】)."""
    with db.read_session() as s:
        rows = s.execute(select(Case.id, Case.title, Case.summary, Case.guidance, Case.lessons)
                         .where(Case.id.in_(ids))).all()
    return {r.id: search.snippet(" ".join(filter(None, (r.title, r.summary, r.guidance, r.lessons))), query,
                                 width, markdown=False) for r in rows}


def count(user: Principal | None, f: CaseFilter) -> int:
    with db.read_session() as s:
        return _count(s, user, f)


def _count(s: Session, user: Principal | None, f: CaseFilter) -> int:
    """The cases the filter gives the user.

    A broad text search alone is counted by the full-text index (`search.match_count`,
    which reads no case) less its hits outside the user's scope: for a term in most of
    the library that reads the few rows outside the scope instead of every hit.
    """
    if f.is_empty():
        return total(user)
    if replace(f, text="").is_empty() and user is not None:
        if s.bind.dialect.name == "postgresql":   # 0.35 s for 专利 at 1M, against 0.87 s through the fenced set
            where = conditions(s, user, f, text_plan="direct")
            return int(s.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
        hits = search.match_count(s.connection(), "cases", f.text)
        if hits is not None and (policy.sees_all(user, "read_case") or 2 * hits > _library_size(s) - total(user)):
            return hits - _hits_outside_scope(s, user, f.text)
    return int(s.scalar(select(func.count()).select_from(Case).where(*conditions(s, user, f))) or 0)


def _hits_outside_scope(s: Session, user: Principal, query: str) -> int:
    """SQLite: the hits of a search that `policy.where(user, "read_case")` leaves out (tests check that
    scope and outside add up, for every role).

    Outside the scope are the unpublished cases (of other sub-centres, for staff). They
    are read along an index that holds the columns asked (named: SQLite would rather
    take a larger one), and each is looked up in the set of hits.
    """
    statuses = [v for v in _statuses_present(s) if v != "published"]
    if policy.sees_all(user, "read_case") or not statuses:
        return 0
    sql, params = search.matching_sql(s.connection(), "cases", query, ranked=False)
    params = {**params, **{f"status{i}": v for i, v in enumerate(statuses)}}
    where = f"review_status IN ({', '.join(f':status{i}' for i in range(len(statuses)))})"
    index = "ix_cases_review_status"
    if policy.can(user, "read_case", {"review_status": statuses[0], "sub_centre_id": user.sub_centre_id}):
        # the user reads their own sub-centre's unpublished cases: outside are the others'
        where += " AND sub_centre_id != :centre"
        params["centre"] = user.sub_centre_id
        index = "ix_cases_library_facets"   # the first index by status that holds the sub-centre
    return int(s.execute(text(f"SELECT count(*) FROM cases INDEXED BY {index} WHERE {where} "
                              f"AND id + 0 IN (SELECT id FROM ({sql}))"), params).scalar() or 0)


def sub_centre_names(lang: str = "zh") -> dict[int, str]:
    with db.read_session() as s:
        rows = s.execute(select(SubCentre.id, SubCentre.code, SubCentre.name_zh, SubCentre.name_en)).all()
    return {r.id: (r.name_en or r.code) if lang == "en" else (r.name_zh or r.code) for r in rows}


# --- one case ------------------------------------------------------------------------------


def case_dict(case: Case) -> dict:
    return {c.key: getattr(case, c.key) for c in Case.__table__.columns}


def get_case(user: Principal | None, case_id: int) -> dict | None:
    """The case with every field, or None when it does not exist or the user may not see it."""
    with db.read_session() as s:
        row = s.execute(select(Case.__table__).where(Case.id == case_id, policy.where(user, "read_case"))).first()
        if row is None:
            return None
        out = dict(row._mapping)
        sc = s.get(SubCentre, out["sub_centre_id"])
        out["sub_centre_code"] = sc.code if sc else None
        out["sub_centre_name_zh"] = sc.name_zh if sc else None
        out["sub_centre_name_en"] = sc.name_en if sc else None
    return mask(out, user)


def default_sort(f: CaseFilter) -> str:
    """A search lists the best matches first; a browse, the newest cases."""
    return "relevance" if f.text.strip() else "filed_desc"


def too_broad(user: Principal | None, f: CaseFilter, found: int) -> bool:
    """A one-character search that matches most of what the user may see (美, a): it says
    little, and the reader should be told so and offered a longer term."""
    words = search.terms(f.text)
    return len(words) == 1 and len(words[0]) == 1 and found > BROAD_SHARE * total(user)


def default_filter_for(user: Principal | None) -> CaseFilter:
    return CaseFilter()

