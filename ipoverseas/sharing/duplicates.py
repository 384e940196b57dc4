"""One dispute, reported once: the duplicate check, its queue and the links (issue 17).

Two case records of two sub-centres are possibly one dispute when

- their forum and normalised docket / investigation number are the same (`docket_key`: the
  database keeps `cases.docket_key` by a trigger, migration 0021; `docket_key()` here is its twin), or
- without that, their country and dispute type are the same, their filing dates at most
  `duplicate_window_days` apart, the opposing party's names begin alike (the same `party_block`: the
  first two characters once spaces and punctuation are dropped and ASCII is lower-cased), and their
  parties' names are alike (rapidfuzz's token set ratio of the normalised names at least
  `duplicate_party_score`, for the opposing party and, when both records name it, the Chinese party);
  two records whose docket numbers are both given and differ are not.

The candidates are found in SQL, by blocks on indexes (ix_cases_forum_docket_key;
ix_cases_country_dispute_party_filed, an index on the party block expression, migration 0022, with
the date window), for a whole file at once (a VALUES list per chunk of rows); rapidfuzz then scores
only those few candidates. The party block is what keeps the candidates few (about 27 a row on the
1M benchmark database without it, under 2 with it); its cost is recall: a name misspelt in its first two
letters, or written with another first word ("The Apple Company", "美国苹果公司" against "Apple"),
is not a near match (the docket number still is). The upload preview shows each row's
matches ("possibly the same dispute as GD-2026-031"); once the import is applied, the pairs go into
`dispute_links` as candidates, the national centre's queue (pages/library/duplicates.py), where the
admin links them (one dispute: the analytics count the primary record only, both records keep their
sub-centre and provenance), marks them distinct, or unlinks a link; every decision is audited.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from operator import itemgetter
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz
from sqlalchemy import exists, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, aliased

from ipoverseas.access import policy
from ipoverseas.access.policy import Principal
from ipoverseas.audit import trail
from ipoverseas.core import config, db, errors
from ipoverseas.core.models import Case, DisputeLink, SubCentre, utcnow

log = logging.getLogger(__name__)

CHUNK = 1_000                     # probes per candidate query (5 parameters each)
_REMOVED = re.compile("[ \\-./:\u2013\u2014]")
_PARTY_NOISE = re.compile(r"[\s,.;:'\"()（）·、，。&-]+")
_PARTY_SUFFIXES = re.compile(r"\b(inc|incorporated|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|bv|plc)\b")


def docket_key(value: str | None) -> str | None:
    """The normalised docket number, as migration 0021's trigger computes `cases.docket_key`."""
    if value is None:
        return None
    text_ = unicodedata.normalize("NFKC", str(value)) if not str(value).isascii() else str(value)
    key = _REMOVED.sub("", text_.strip())
    key = "".join(ch.upper() if "a" <= ch <= "z" else ch for ch in key)
    return key or None


@lru_cache(maxsize=65_536)   # the same parties come back row after row (the big plaintiffs, the platforms)
def party_name(value: str | None) -> str:
    """A party's name for comparison: folded, lower case, without punctuation and company suffixes."""
    if not value:
        return ""
    folded = unicodedata.normalize("NFKC", value).casefold()
    folded = _PARTY_SUFFIXES.sub(" ", _PARTY_NOISE.sub(" ", folded))
    return " ".join(folded.split())


# ix_cases_country_dispute_party_filed's expression (migration 0022), character for character: the
# planner uses an index on an expression only for a query that repeats its text
_BLOCK_DROPPED = (" ", ",", ".", ";", ":", "'", '"', "(", ")", "&", "-", "/", "\u3000", "\uff08", "\uff09",
                  "\u00b7", "\u3001", "\uff0c", "\u3002")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def party_block_sql(column: str, dialect: str) -> str:
    value = column
    for ch in _BLOCK_DROPPED:
        value = "replace({}, '{}', '')".format(value, ch.replace("'", "''"))
    if dialect == "postgresql":   # ASCII letters only, as SQLite's lower()
        return f"substr(translate({value}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 1, 2)"
    return f"substr(lower({value}), 1, 2)"


# one translate() drops those characters and lower-cases ASCII, as the SQL's replace()s then lower()
_BLOCK_TABLE = {**_ASCII_LOWER, **{ord(ch): None for ch in _BLOCK_DROPPED}}


def party_block(value: str | None) -> str:
    """The Python twin of `party_block_sql`: the near-match block of an opposing party's name."""
    if not value:
        return ""
    return value.translate(_BLOCK_TABLE)[:2]


def party_score(a: str | None, b: str | None) -> float:
    return fuzz.token_set_ratio(party_name(a), party_name(b))


@dataclass(frozen=True)
class Probe:
    """A record to check: an uploaded row (`row`) or a stored case."""

    row: int
    forum: str | None
    docket: str | None
    country: str | None
    dispute_type: str | None
    filed_on: date | None
    chinese_party: str | None
    opposing_party: str | None


@dataclass(frozen=True)
class Match:
    row: int
    case_id: int
    case_ref: str
    sub_centre_id: int
    sub_centre: str
    reason: str          # "docket" or "near"
    score: float

    @property
    def label(self) -> str:
        return self.case_ref if self.case_ref.upper().startswith(self.sub_centre.upper()) \
            else f"{self.sub_centre}-{self.case_ref}"


def _settings() -> tuple[int, float]:
    return int(config.get("duplicate_window_days")), float(config.get("duplicate_party_score"))


def _date(value: date, postgresql: bool) -> Any:
    return value if postgresql else value.isoformat()


def _values_cte(names: Sequence[str], rows: list[tuple], casts: dict[str, str], postgresql: bool) -> tuple[str, tuple]:
    """`WITH v(names) AS (VALUES ...)` with positional parameters in the driver's own style (binding
    thousands of named parameters through SQLAlchemy cost more than the query); `casts` types the
    first row on PostgreSQL."""
    mark = "%s" if postgresql else "?"
    first = "(" + ", ".join(f"CAST({mark} AS {casts[n]})" if postgresql and n in casts else mark for n in names) + ")"
    other = "(" + ", ".join(mark for _ in names) + ")"
    values = ", ".join([first] + [other] * (len(rows) - 1))
    return f"WITH v({', '.join(names)}) AS (VALUES {values}) ", tuple(value for row in rows for value in row)


def near_sql(postgresql: bool, own: int = -1) -> str:
    """The near-match candidates (probe row, case id) of the probes in `v` (after `_values_cte`), the
    cases of sub-centre `own` left out.

    No Bloom filter may be built on it: SQLite builds one over the whole table for each chunk when the
    join has a term of the table that its index seek does not use (any column but the block's), 0.2 s
    at 1M; and SQLite 3.40's Bloom filter on this expression index drops matches (60 of 100 repeats
    found in a chunk of 1,000 probes, all 100 in chunks of 100). So `_per_probe` leaves the own
    sub-centre out after the join. tests/sharing/test_duplicates.py checks the plan, with a million
    rows' statistics."""
    block = party_block_sql("c.opposing_party", "postgresql" if postgresql else "sqlite")
    return _per_probe(postgresql, "c.country = v.country AND c.dispute_type = v.dispute "
                                  f"AND {block} = v.block AND c.filed_on >= v.lo AND c.filed_on <= v.hi", own)


def docket_sql(postgresql: bool, own: int = -1) -> str:
    """The cases with a probe's forum and docket number (probes in `v`), sub-centre `own`'s left out."""
    return _per_probe(postgresql, "c.forum = v.forum AND c.docket_key = v.k", own)


def _per_probe(postgresql: bool, condition: str, own: int) -> str:
    """(probe row, case id) pairs. PostgreSQL gets one index lookup per probe (a LATERAL subquery
    fenced by OFFSET 0): joined, on a table just filled by an import and not yet analysed, it hashed
    the whole table for each chunk (2.3 s a chunk: 140 s of a 100,000-row import's check).
    The importing sub-centre's own cases are dropped in SQL, read off the index (its last column,
    migration 0026): a re-import of 100,000 of them returned 783,000 such pairs (4.7 s on PostgreSQL).
    On SQLite they are dropped by the outer query, which the subquery's LIMIT keeps from being pushed
    into the join: there the term made SQLite build a Bloom filter (see `near_sql`)."""
    if postgresql:
        return ("SELECT v.r, c.id FROM v CROSS JOIN LATERAL "
                f"(SELECT c.id FROM cases AS c WHERE {condition} AND c.sub_centre_id <> {int(own)} OFFSET 0) AS c")
    return ("SELECT r, id FROM (SELECT v.r AS r, c.id AS id, c.sub_centre_id AS centre "
            f"FROM v JOIN cases AS c ON {condition} LIMIT -1) WHERE centre <> {int(own)}")


def _candidates(session: Session, sql: str, names: Sequence[str], rows: list[tuple], casts: dict[str, str],
                postgresql: bool) -> list[tuple[int, int]]:
    """(probe row, case id) pairs of a block query, a chunk of probes at a time; the query reads its
    index only (see `near_sql`), the few candidates' columns are read by id afterwards (`_details`)."""
    pairs: list[tuple[int, int]] = []
    for i in range(0, len(rows), CHUNK):
        head, params = _values_cte(names, rows[i:i + CHUNK], casts, postgresql)
        pairs.extend(session.connection().exec_driver_sql(head + sql, params).all())
    return pairs


def _others_have_cases(session: Session, own: int) -> bool:
    """Whether a sub-centre other than `own` has a case (two seeks on an index led by the sub-centre):
    when none has, no probe can match (the block queries leave out `own`'s cases)."""
    column = Case.sub_centre_id
    return any(session.scalar(select(Case.id).where(side).limit(1)) is not None
               for side in (column < own, column > own))


def _details(session: Session, ids: Iterable[int]) -> dict[int, Any]:
    """Case id -> the columns the check compares (the block queries have left out the own sub-centre's)."""
    ids = sorted(set(ids))
    out: dict[int, Any] = {}
    for i in range(0, len(ids), CHUNK):
        out.update((r.id, r) for r in session.execute(
            select(Case.id, Case.case_ref, Case.sub_centre_id, Case.docket_key, Case.chinese_party,
                   Case.opposing_party).where(Case.id.in_(ids[i:i + CHUNK]))))
    return out


def find(session: Session, probes: Iterable[Probe], exclude_sub_centre_id: int | None,
         *, exclude_ids: Iterable[int] = ()) -> dict[int, list[Match]]:
    """The stored cases of other sub-centres that are possibly the same dispute as each probe: row -> matches."""
    window, threshold = _settings()
    postgresql = session.get_bind().dialect.name == "postgresql"
    probes = list(probes)
    by_row = {p.row: p for p in probes}
    skip = set(exclude_ids)
    own = int(exclude_sub_centre_id) if exclude_sub_centre_id is not None else -1
    if not _others_have_cases(session, own):   # e.g. one sub-centre's first import: its own rows never match
        return {}
    found: dict[int, dict[int, Match]] = {}
    codes = dict(session.execute(select(SubCentre.id, SubCentre.code)).all())

    def add(row: int, case: Any, reason: str, score: float) -> None:
        found.setdefault(row, {}).setdefault(case.id, Match(row, case.id, case.case_ref, case.sub_centre_id,
                                                            codes.get(case.sub_centre_id, ""), reason, round(score, 1)))

    # 1. the same forum and docket number (ix_cases_forum_docket_key)
    keyed = [(p.row, p.forum, key) for p in probes if p.forum and (key := docket_key(p.docket))]
    pairs = _candidates(session, docket_sql(postgresql, own), ("r", "forum", "k"), keyed,
                        {"r": "INTEGER", "forum": "VARCHAR", "k": "VARCHAR"}, postgresql)
    cases = _details(session, (case_id for _, case_id in pairs if case_id not in skip))
    for row, case_id in pairs:
        if case_id in cases:
            add(row, cases[case_id], "docket", 100.0)

    # 2. near matches: country + dispute type + party block + filing date window
    # (ix_cases_country_dispute_party_filed), then the parties scored (a row whose docket number
    # found its dispute needs no near match)
    near = [(p.row, p.country, p.dispute_type, block, _date(p.filed_on - timedelta(days=window), postgresql),
             _date(p.filed_on + timedelta(days=window), postgresql))
            for p in probes if p.country and p.dispute_type and p.filed_on and p.row not in found
            and (block := party_block(p.opposing_party))]
    pairs = _candidates(session, near_sql(postgresql, own), ("r", "country", "dispute", "block", "lo", "hi"), near,
                        {"r": "INTEGER", "country": "VARCHAR", "dispute": "VARCHAR", "block": "VARCHAR",
                         "lo": "DATE", "hi": "DATE"}, postgresql)
    cases = _details(session, (case_id for _, case_id in pairs if case_id not in skip))
    for row, case_id in pairs:
        case = cases.get(case_id)
        if case is None:
            continue
        probe = by_row[row]
        mine = docket_key(probe.docket)
        if mine and case.docket_key and mine != case.docket_key:      # two different numbers: two disputes
            continue
        score = party_score(probe.opposing_party, case.opposing_party)
        if score < threshold:
            continue
        if probe.chinese_party and case.chinese_party:
            score = min(score, party_score(probe.chinese_party, case.chinese_party))
            if score < threshold:
                continue
        add(row, case, "near", score)
    return {row: sorted(matches.values(), key=lambda m: (m.reason != "docket", -m.score, m.case_id))
            for row, matches in found.items()}


# --- the upload preview ----------------------------------------------------------------------------

_PROBE_FIELDS = ("forum", "docket_no", "country", "dispute_type", "filed_on", "chinese_party", "opposing_party")
_COMPARED = frozenset(_PROBE_FIELDS)


def check_plan(session: Session, parsed: Any, plan: Any) -> dict[int, list[Match]]:
    """The matches of the rows an import of cases would create or change: excel row -> matches."""
    if plan is None or plan.dataset != "cases" or not _others_have_cases(session, plan.sub_centre_id):
        return {}   # (no other sub-centre's case: no probe to build)
    positions = [parsed.index(f) if f in parsed.present else None for f in _PROBE_FIELDS]
    if None in positions:   # a workbook without some of the fields: those are None
        def fields(values: tuple) -> tuple:
            return tuple(None if at is None else values[at] for at in positions)
    else:                   # (one itemgetter: about 0.1 s less for 100,000 probes)
        fields = itemgetter(*positions)

    rows = [(row, values) for row, _, values in plan.creates]
    # an update that leaves every compared field as it was needs no new check: its record was checked
    # against the others then, and each later record of another sub-centre against it
    changed = [ch for ch in plan.updates if not _COMPARED.isdisjoint(ch.diff)]
    if changed:
        parsed_rows = dict(parsed.rows)
        rows += [(ch.row, parsed_rows[ch.row]) for ch in changed if ch.row in parsed_rows]
    probes = [Probe(row, *fields(values)) for row, values in rows]
    if not probes:
        return {}
    return find(session, probes, plan.sub_centre_id)


def queue(session: Session, sub_centre_id: int, matches_by_key: dict[str, list[Match]]) -> int:
    """After an import: each flagged row's pairs as candidates in the national centre's queue (a pair
    already known keeps its state). Returns how many pairs were new."""
    if not matches_by_key:
        return 0
    ids = dict(session.execute(select(Case.case_ref, Case.id).where(
        Case.sub_centre_id == sub_centre_id, Case.case_ref.in_(list(matches_by_key)))).all())
    pairs = {}
    for key, matches in matches_by_key.items():
        mine = ids.get(key)
        if mine is None:
            continue
        for m in matches:
            if m.case_id != mine:
                pairs[(min(mine, m.case_id), max(mine, m.case_id))] = m
    if not pairs:
        return 0
    known = set(session.execute(select(DisputeLink.case_a_id, DisputeLink.case_b_id).where(
        DisputeLink.case_a_id.in_([a for a, _ in pairs]))).all())
    new = 0
    for (a, b), m in pairs.items():
        if (a, b) not in known:
            session.add(DisputeLink(case_a_id=a, case_b_id=b, status="candidate", reason=m.reason, score=m.score,
                                    found_at=utcnow()))
            new += 1
    return new


# --- the national centre's queue and decisions ------------------------------------------------------


STATUSES = ("candidate", "linked", "distinct")


def queue_rows(user: Principal, status: str = "candidate", *, limit: int = 200) -> list[dict[str, Any]]:
    """The pairs in `status`, newest first, each with both records' reference, sub-centre and title."""
    policy.require(user, "resolve_duplicates")
    a, b = aliased(Case, name="a"), aliased(Case, name="b")
    sa_, sb = aliased(SubCentre, name="sa"), aliased(SubCentre, name="sb")
    stmt = (select(DisputeLink.id, DisputeLink.status, DisputeLink.reason, DisputeLink.score, DisputeLink.found_at,
                   DisputeLink.decided_at, DisputeLink.duplicate_id,
                   a.id.label("a_id"), a.case_ref.label("a_ref"), a.title.label("a_title"), sa_.code.label("a_centre"),
                   a.filed_on.label("a_filed"), a.docket_no.label("a_docket"),
                   b.id.label("b_id"), b.case_ref.label("b_ref"), b.title.label("b_title"), sb.code.label("b_centre"),
                   b.filed_on.label("b_filed"), b.docket_no.label("b_docket"))
            .join(a, a.id == DisputeLink.case_a_id).join(b, b.id == DisputeLink.case_b_id)
            .join(sa_, sa_.id == a.sub_centre_id).join(sb, sb.id == b.sub_centre_id)
            .where(DisputeLink.status == status).order_by(DisputeLink.found_at.desc(), DisputeLink.id.desc())
            .limit(limit))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


def counts() -> dict[str, int]:
    with db.read_session() as s:
        rows = dict(s.execute(select(DisputeLink.status, func.count()).group_by(DisputeLink.status)).all())
    return {status: int(rows.get(status, 0)) for status in STATUSES}


def _pair(session: Session, link_id: int) -> DisputeLink:
    link = session.scalar(select(DisputeLink).where(DisputeLink.id == link_id).with_for_update())
    if link is None:
        raise errors.NotFound()
    return link


def link(user: Principal, link_id: int, primary_id: int | None = None, note: str = "") -> None:
    """One dispute: the analytics count `primary_id` (default: the record reported first) only."""
    policy.require(user, "resolve_duplicates")
    with db.write_session() as s:
        pair = _pair(s, link_id)
        ids = (pair.case_a_id, pair.case_b_id)
        if primary_id is None:
            primary_id = s.scalars(select(Case.id).where(Case.id.in_(ids)).order_by(Case.created_at, Case.id)).first()
        if primary_id not in ids:
            raise errors.Invalid("sharing.duplicates.bad_primary")
        before = {"status": pair.status, "duplicate_id": pair.duplicate_id}
        pair.status, pair.duplicate_id = "linked", ids[1] if primary_id == ids[0] else ids[0]
        pair.decided_at, pair.decided_by_id, pair.note = utcnow(), user.id, note or pair.note
        trail.record(s, user, "dispute.link", "dispute_link", pair.id, before=before,
                     after={"status": "linked", "duplicate_id": pair.duplicate_id})


def mark_distinct(user: Principal, link_id: int, note: str = "") -> None:
    """Two disputes after all: the pair leaves the queue and counts twice."""
    _decide(user, link_id, "distinct", "dispute.distinct", note)


def unlink(user: Principal, link_id: int, note: str = "") -> None:
    """Undo a link (or a "distinct"): the pair goes back to the queue, and both records count again."""
    _decide(user, link_id, "candidate", "dispute.unlink", note)


def _decide(user: Principal, link_id: int, status: str, action: str, note: str) -> None:
    policy.require(user, "resolve_duplicates")
    with db.write_session() as s:
        pair = _pair(s, link_id)
        before = {"status": pair.status, "duplicate_id": pair.duplicate_id}
        pair.status, pair.duplicate_id = status, None
        pair.decided_at, pair.decided_by_id, pair.note = utcnow(), user.id, note or pair.note
        trail.record(s, user, action, "dispute_link", pair.id, before=before, after={"status": status})


def links_of(user: Principal, case_id: int) -> list[dict[str, Any]]:
    """The linked records of one case (for its page), those the user may read."""
    other = aliased(Case, name="other")
    centre = aliased(SubCentre, name="centre")
    other_id = DisputeLink.case_a_id + DisputeLink.case_b_id - case_id
    stmt = (select(other.id, other.case_ref, centre.code.label("sub_centre"), DisputeLink.status)
            .select_from(DisputeLink).join(other, other.id == other_id).join(centre, centre.id == other.sub_centre_id)
            .where(or_(DisputeLink.case_a_id == case_id, DisputeLink.case_b_id == case_id),
                   DisputeLink.status == "linked", policy.where(user, "read_case", other)))
    with db.read_session() as s:
        return [dict(r._mapping) for r in s.execute(stmt)]


# --- counting a linked dispute once ---------------------------------------------------------------


def counted_once(user: Principal, action: str = "read_analytics", table: Any = Case):
    """A condition on `table` (cases): not the non-primary record of a link whose primary the user also
    counts. Staff counting their own sub-centre's cases keep a record whose primary is another's."""
    primary = aliased(Case, name="primary_case")
    other = DisputeLink.case_a_id + DisputeLink.case_b_id - DisputeLink.duplicate_id
    return ~exists(select(literal_column("1")).select_from(DisputeLink).join(primary, primary.id == other)
                   .where(DisputeLink.duplicate_id == table.id, policy.where(user, action, primary)))


def rollup_excess(session: Session, user: Principal, chart: Any, measures: Sequence[str]) -> dict[tuple, list]:
    """What the non-primary records of links add to a chart's rollup groups in the user's region:
    (a, b) -> [n, *measures], to subtract (the rollups are kept by triggers over every case)."""
    from ipoverseas.cases import rollups

    if not session.scalar(select(func.count()).select_from(DisputeLink).where(DisputeLink.duplicate_id.is_not(None))):
        return {}
    dialect = session.get_bind().dialect.name
    code, a_sql, b_sql, condition, measure_sql = next(c for c in rollups._charts("c", dialect) if c[0] == chart.code)
    c = Case.__table__.alias("c")
    p = aliased(Case, name="primary_case")
    chosen = [measure_sql[chart.measure_names.index(m)] for m in measures]
    stmt = (select(literal_column(a_sql), literal_column(b_sql), func.count(),
                   *[func.sum(literal_column(m)) for m in chosen])
            .select_from(DisputeLink).join(c, c.c.id == DisputeLink.duplicate_id)
            .join(p, p.id == DisputeLink.case_a_id + DisputeLink.case_b_id - DisputeLink.duplicate_id)
            .where(text(condition), policy.where(user, "read_analytics", c.c), policy.where(user, "read_analytics", p))
            .group_by(literal_column(a_sql), literal_column(b_sql)))
    return {(row[0], row[1]): [float(v or 0) for v in row[2:]] for row in session.execute(stmt)}


def found_by_sub_centre(session: Session) -> dict[int, int]:
    """Pairs found (any state) per sub-centre of either record: the data-quality view's figure."""
    out: dict[int, int] = {}
    for side in (DisputeLink.case_a_id, DisputeLink.case_b_id):
        for centre, n in session.execute(select(Case.sub_centre_id, func.count()).select_from(DisputeLink)
                                         .join(Case, Case.id == side).group_by(Case.sub_centre_id)):
            out[centre] = out.get(centre, 0) + int(n)
    return out
