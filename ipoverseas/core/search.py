"""Full-text search over cases and articles, in Chinese and English.

What a search means: the query is split on white space into terms; a record matches
when every term occurs, case-insensitively, as a substring of its text (for cases:
title, summary, guidance and lessons; for articles: both titles and the body). That
is exactly what a substring scan answers (`reference_ids`), and both databases
return the same set; only the order (rank) may differ.

How it is made fast:

- SQLite: an FTS5 table with the `trigram` tokenizer, fed by triggers. A term of 3+
  characters is a trigram phrase query (exact). FTS5 cannot match a term of 1 or 2
  characters (专利, 禁令), so for those we read the index's own vocabulary
  (fts5vocab) for every trigram that *starts* with the term and OR them. Every field
  ends with two separator characters, so every occurrence of a short term is the
  start of some trigram: the expansion is exact, not approximate.
- PostgreSQL: a GIN expression index over the set of 1- and 2-character grams of
  the same text. A short term is one gram lookup (exact); a longer term looks up all
  its bigrams and rechecks with `strpos`.

Relevance on SQLite is FTS5's bm25, which reads each scored hit's term statistics: for
a term in most of a million cases, scoring every hit cost more than a substring scan
(issue 16). So bm25 scores at most the newest RANK_POOL hits; when more records match,
the older ones follow them, newest first. A first page then costs the pool's scoring
and a walk of the index newest first, whatever the query.

Relevance on PostgreSQL is "the title holds the first term" (0 before 1), cheap per row but
computed for every hit: 1.6 s for a term in most of a million cases. A broad search there is
pooled the same way, over the newest PG_RANK_POOL hits, found by walking the table newest
first and testing each row (about 20 µs a row). A search whose pool would take more than
PG_POOL_WALK rows to find (a rarer term) ranks every hit, as there are few of them.

The schema objects are created by migration 0002_search.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import Engine, text

from ipoverseas.core import db
from ipoverseas.core.markdown import escape

SEP = "\x01"
MAX_TERMS = 8
MAX_TERM_CHARS = 100
MAX_SHORT_EXPANSION = 20_000  # trigrams OR-ed for one 1-2 character term (exactness first)
RANK_POOL = 20_000  # SQLite: the newest hits bm25 scores at most (about 50 ms of scoring)
UNSCORED = 1.0      # the rank of a hit older than the pool: after every bm25 score (those are <= 0)
PG_RANK_POOL = 2_000   # PostgreSQL: the newest hits ranked when more match ...
PG_POOL_WALK = 20_000  # ... if finding them walks at most this many rows (else every hit is ranked)
PG_UNRANKED = 2        # PostgreSQL: the rank of a hit older than the pool (the pool's ranks are 0 and 1)


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    fts: str
    columns: tuple[str, ...]
    title_column: str


KINDS = {
    "cases": Kind("cases", "cases", "cases_fts", ("title", "summary", "guidance", "lessons"), "title"),
    "articles": Kind("articles", "articles", "articles_fts", ("title_zh", "title_en", "body"), "title_zh"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def terms(query: str | None) -> list[str]:
    """The distinct, lower-cased terms of a query, in order (at most MAX_TERMS)."""
    out: list[str] = []
    for word in _CONTROL.sub(" ", query or "").split():
        word = word.lower()[:MAX_TERM_CHARS]
        if word and word not in out:
            out.append(word)
    return out[:MAX_TERMS]


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}") from None


# --- the matching ids, ranked ------------------------------------------------------------


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_match(conn, k: Kind, words: list[str]) -> str | None:
    """The FTS5 MATCH expression for the terms, or None when some term cannot match.

    Expanding a short term reads the index's vocabulary (~50 ms for 专利), and one page
    builds the same expression several times (count, plan, rows, facets); so it is kept
    on the connection until the database changes.
    """
    return _remembered(conn, ("match", k.fts, tuple(words)), lambda: _sqlite_expand(conn, k, words))


_GENERATION = [0]  # `forget()` bumps it: every remembered value is then stale


def forget() -> None:
    """Forget what connections remember of searches (a benchmark times a search cold)."""
    _GENERATION[0] += 1


def _remembered(conn, key: tuple, compute):
    """`compute()`, kept on the SQLite connection until the database changes."""
    memo = conn.info.setdefault("ipoverseas_search", {})
    key = (*key, _GENERATION[0], _sqlite_state(conn))
    if key not in memo:
        if len(memo) >= 64:
            memo.clear()
        memo[key] = compute()
    return memo[key]


def _sqlite_state(conn) -> tuple[int, int]:
    """Differs whenever the database may have changed: another connection committed
    (`data_version`) or this one wrote (`total_changes()`)."""
    return (int(conn.exec_driver_sql("PRAGMA data_version").scalar()),
            int(conn.exec_driver_sql("SELECT total_changes()").scalar()))


def _sqlite_expand(conn, k: Kind, words: list[str]) -> str | None:
    parts = []
    for word in words:
        if len(word) >= 3:
            parts.append(_fts_phrase(word))
            continue
        rows = conn.execute(
            text(f"SELECT term FROM {k.fts}_vocab WHERE term >= :lo AND term < :hi LIMIT :cap"),
            {"lo": word, "hi": word + "\U0010ffff", "cap": MAX_SHORT_EXPANSION + 1},
        ).scalars().all()
        grams = [t for t in rows if t.startswith(word)]
        if not grams:
            return None
        if len(grams) > MAX_SHORT_EXPANSION:  # pragma: no cover - would need a huge alphabet
            raise ValueError("query term too common to search")
        parts.append("(" + " OR ".join(_fts_phrase(g) for g in grams) + ")")
    return " AND ".join(parts)


def matching_sql(conn, kind: str, query: str, *, ranked: bool = True) -> tuple[str, dict] | None:
    """SQL text selecting `id, rank` (lower rank = better) of the matching records.

    None when the query has no terms; a statement returning nothing when no record
    can match. Callers wrap it as a subquery to filter, scope and paginate. With
    `ranked=False` only `id` is selected: a filter needs the set, and scoring every
    hit (bm25 reads each hit's term statistics) would cost more than finding it.
    """
    k = _kind(kind)
    words = terms(query)
    if not words:
        return None
    if conn.dialect.name == "sqlite":
        match = _sqlite_match(conn, k, words)
        if match is None:
            return f"SELECT 0 AS id{', 0.0 AS rank' if ranked else ''} WHERE 0", {}
        params = {"match": match}
        rank = ""
        if ranked:
            floor = _pool_floor(conn, k, match)
            rank = f", bm25({k.fts}) AS rank"
            if floor is not None:   # the older hits are not scored (CASE evaluates bm25 only for the pool)
                rank = f", CASE WHEN rowid > :floor THEN bm25({k.fts}) ELSE {UNSCORED} END AS rank"
                params["floor"] = floor
        return f"SELECT rowid AS id{rank} FROM {k.fts} WHERE {k.fts} MATCH :match", params
    where, params = _pg_where(k, words)
    # OFFSET 0 keeps the planner from pulling the search into the caller's query: pulled up, it
    # estimated a few hundred hits where there were 600,000 and rechecked the gram expression row
    # by row along a primary-key join (0.15 ms a row: 130 s for 专利 at 1M, against 1 s fenced).
    if not ranked:
        return f"SELECT id FROM {k.table} WHERE {where} OFFSET 0", params
    rank, rank_params = title_rank_sql(k.name, query)
    params.update(rank_params)
    floor = _pg_pool_floor(conn, k, query)
    if floor is not None:
        rank = f"CASE WHEN id > :floor THEN {rank} ELSE {PG_UNRANKED} END"
        params["floor"] = floor
    return f"SELECT id, {rank} AS rank FROM {k.table} WHERE {where} OFFSET 0", params


def _pg_where(k: Kind, words: list[str], *, qualified: bool = False) -> tuple[str, dict]:
    """PostgreSQL: the condition on a row that it matches: a lookup of the grams on the GIN expression
    index, then an exact recheck of the terms longer than one gram."""
    grams: list[str] = []
    rechecks = []
    params: dict = {}
    doc = _pg_doc(k, qualified=qualified)
    for i, word in enumerate(words):
        if len(word) <= 2:
            grams.append(word)
        else:
            grams.extend(word[j:j + 2] for j in range(len(word) - 1))
            rechecks.append(f"strpos({doc}, :t{i}) > 0")
            params[f"t{i}"] = word
    params["grams"] = sorted(set(grams))
    return " AND ".join([f"ipo_search_grams({doc}) @> CAST(:grams AS text[])"] + rechecks), params


def where_sql(conn, kind: str, query: str) -> tuple[str, dict] | None:
    """PostgreSQL: the search as a plain condition on the rows of the record's own table (for a
    count: one bitmap scan of the gram index and the table, where the fenced set of
    `matching_sql` is hashed first). None on SQLite and for an empty query."""
    words = terms(query)
    if conn.dialect.name != "postgresql" or not words:
        return None
    return _pg_where(_kind(kind), words, qualified=True)


def title_rank_sql(kind: str, query: str) -> tuple[str, dict]:
    """PostgreSQL's relevance of a row: 0 when its title holds the query's first term, else 1 (and 0
    for every row of a query without terms)."""
    k, words = _kind(kind), terms(query)
    if not words:
        return "0", {}
    return f"CASE WHEN strpos(lower({k.table}.{k.title_column}), :first) > 0 THEN 0 ELSE 1 END", \
        {"first": words[0]}


def _pg_doc(k: Kind, *, qualified: bool = False) -> str:
    """PostgreSQL: a record's searchable text, as the gram index's expression spells it (migration
    0002); `qualified` names the table, for a condition inside a query that joins others."""
    return f"ipo_search_doc({', '.join(f'{k.table}.{c}' if qualified else c for c in k.columns)})"


def pool_floor(conn, kind: str, query: str) -> int | None:
    """The id below the newest hits a ranked search ranks (RANK_POOL on SQLite, PG_RANK_POOL on
    PostgreSQL), when more records match; None when every hit is ranked, and for an empty query."""
    if conn.dialect.name != "sqlite":
        return _pg_pool_floor(conn, _kind(kind), query)
    built = matching_sql(conn, kind, query)
    return built[1].get("floor") if built else None


def _pg_pool_floor(conn, k: Kind, query: str) -> int | None:
    """PostgreSQL: the id below the newest PG_RANK_POOL hits, found by testing rows newest first,
    when the planner's estimate of the hits says that walk is short (a broad search); else None."""
    hits = match_estimate(conn, k.name, query)
    if not hits or hits <= PG_RANK_POOL:
        return None
    rows = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                        {"t": k.table}).scalar() or 0
    if PG_RANK_POOL * max(rows, hits) / hits > PG_POOL_WALK:
        return None
    probe, params = probe_sql(conn, k.name, query, "")
    return conn.execute(text(f"SELECT id FROM {k.table} WHERE {probe} ORDER BY id DESC LIMIT 1 OFFSET :pool"),
                        {**params, "pool": PG_RANK_POOL}).scalar()


def _pool_floor(conn, k: Kind, match: str) -> int | None:
    """The id below the newest RANK_POOL hits, or None when no more records match; the index
    lists its hits by id, so no hit is scored or read from the table to find it."""
    return _remembered(conn, ("floor", k.fts, match), lambda: conn.execute(
        text(f"SELECT rowid FROM {k.fts} WHERE {k.fts} MATCH :match ORDER BY rowid DESC LIMIT 1 OFFSET :pool"),
        {"match": match, "pool": RANK_POOL}).scalar())


def _sqlite_only(conn, kind: str, query: str) -> tuple[str, dict] | None:
    """`matching_sql` of an unranked search on SQLite; None elsewhere or for an empty query."""
    if conn.dialect.name != "sqlite":
        return None
    return matching_sql(conn, kind, query, ranked=False)


def match_count(conn, kind: str, query: str) -> int | None:
    """How many records match `query`, unscoped, counted inside the SQLite full-text index.

    Cheap (no record is read: 0.1 s for a term in most of a million cases), so callers
    use it to choose a plan by how broad a search is; kept on the connection until the
    database changes, as a page asks several times. None on PostgreSQL, whose planner
    estimates that by itself, and for an empty query.
    """
    built = _sqlite_only(conn, kind, query)
    if built is None:
        return None
    sql, params = built
    return _remembered(conn, ("count", sql, tuple(sorted(params.items()))),
                       lambda: int(conn.execute(text(f"SELECT count(*) FROM ({sql})"), params).scalar_one()))


def match_estimate(conn, kind: str, query: str) -> int | None:
    """How many records match `query`, unscoped, to choose a plan by how broad a search is:
    SQLite counts them in its index (`match_count`); PostgreSQL's planner estimates them from
    the gram index's statistics (close for a term of one gram, low for several, whose grams it
    takes as independent: a search it underestimates is counted exactly, never sampled).
    None for an empty query."""
    if conn.dialect.name == "sqlite":
        return match_count(conn, kind, query)
    built = matching_sql(conn, kind, query, ranked=False)
    if built is None:
        return None
    sql, params = built
    plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def probe_sql(conn, kind: str, query: str, outer_id: str) -> tuple[str, dict] | None:
    """A condition true when the record of the outer query matches, without reading every hit,
    so a caller reading rows in some index order can test each against a broad search.

    SQLite: `EXISTS (...)`, the full-text index answering for the rowid `outer_id`. PostgreSQL:
    the substring test itself on the row's text (what the gram index only narrows down; about
    20 µs a row). None for an empty query.
    """
    if conn.dialect.name == "postgresql":
        k, words = _kind(kind), terms(query)
        if not words:
            return None
        doc = _pg_doc(k, qualified=True)
        return (" AND ".join(f"strpos({doc}, :probe{i}) > 0" for i in range(len(words))),
                {f"probe{i}": word for i, word in enumerate(words)})
    built = _sqlite_only(conn, kind, query)
    if built is None:
        return None
    sql, params = built
    if "match" not in params:  # some term is in no record
        return "0", {}
    return f"EXISTS ({sql} AND rowid = {outer_id})", params


def search_ids(kind: str, query: str, limit: int | None = None, *, ranked: bool = True,
               engine: Engine | None = None) -> list[int]:
    """The ids of the records matching `query`, best first (highest id first when not `ranked`).

    Not scoped: callers apply the permission policy (policy.where)
    before showing anything. Empty for an empty query.
    """
    engine = engine or db.get_engine()
    with engine.connect() as conn:
        built = matching_sql(conn, kind, query, ranked=ranked)
        if built is None:
            return []
        sql, params = built
        if "floor" in params and limit is not None:
            return _pooled_ids(conn, _kind(kind), query, params, int(limit))
        stmt = f"SELECT id FROM ({sql}) m ORDER BY {'rank, ' if ranked else ''}id DESC"
        if limit is not None:
            stmt += " LIMIT :limit"
            params = {**params, "limit": int(limit)}
        return _ids(conn, stmt, params)


def _pooled_ids(conn, k: Kind, query: str, params: dict, limit: int) -> list[int]:
    """The first `limit` ids in the order of a pooled ranking (matching_sql), without reading every
    hit: the pool by rank, then, if the page is not full, the older hits newest first."""
    if conn.dialect.name == "sqlite":
        hits, rank, key, args = f"FROM {k.fts} WHERE {k.fts} MATCH :match AND rowid", f"bm25({k.fts})", "rowid", params
    else:   # rows tested one by one, newest first: the pool is a short walk (_pg_pool_floor)
        probe, args = probe_sql(conn, k.name, query, "")
        rank, rank_params = title_rank_sql(k.name, query)
        hits, key = f"FROM {k.table} WHERE {probe} AND id", "id"
        args = {**args, **rank_params, "floor": params["floor"]}
    ids = _ids(conn, f"SELECT {key} {hits} > :floor ORDER BY {rank}, {key} DESC LIMIT :limit",
               {**args, "limit": limit})
    if len(ids) < limit:
        ids += _ids(conn, f"SELECT {key} {hits} <= :floor ORDER BY {key} DESC LIMIT :limit",
                    {**args, "limit": limit - len(ids)})
    return ids


def _ids(conn, sql: str, params: dict) -> list[int]:
    """The ids a statement selects, read through the driver's own cursor: for tens of
    thousands of ids SQLAlchemy's result rows cost more than the search itself."""
    compiled = text(sql).compile(dialect=conn.dialect)
    values = compiled.construct_params(params)
    args = [values[name] for name in compiled.positiontup] if compiled.positional else values
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(compiled.string, args)
        return [int(row[0]) for row in cursor.fetchall()]
    finally:
        cursor.close()


def reference_ids(kind: str, query: str, *, engine: Engine | None = None) -> set[int]:
    """The same search as a plain substring scan of every row: the yardstick for tests and benchmarks."""
    k = _kind(kind)
    words = terms(query)
    if not words:
        return set()
    engine = engine or db.get_engine()
    fn = "instr" if engine.dialect.name == "sqlite" else "strpos"
    conditions, params = [], {}
    for i, word in enumerate(words):
        params[f"w{i}"] = word
        conditions.append("(" + " OR ".join(f"{fn}(lower(coalesce({c}, '')), :w{i}) > 0" for c in k.columns) + ")")
    sql = f"SELECT id FROM {k.table} WHERE " + " AND ".join(conditions)
    with engine.connect() as conn:
        return {int(i) for i in conn.execute(text(sql), params).scalars()}


# --- snippets ------------------------------------------------------------------------------


def snippet(text_value: str | None, query: str, width: int = 80, *, markdown: bool = True) -> str:
    """The passage of `text_value` around the first match of the query, the matches highlighted.

    With `markdown` (the default) the result is safe Markdown: the text is escaped and
    each match is wrapped in `**...**`. Otherwise plain text with matches in 【】.
    Without a match, the beginning of the text.
    """
    value = re.sub(r"\s+", " ", text_value or "").strip()
    words = terms(query)
    lowered = value.lower()
    hits = [(lowered.find(w), w) for w in words if lowered.find(w) >= 0]
    if hits:
        first = min(pos for pos, _ in hits)
        start = max(0, first - width // 3)
    else:
        start = 0
    end = min(len(value), start + width)
    window = value[start:end]
    spans = _spans(window.lower(), words)
    out, pos = [], 0
    for a, b in spans:
        out.append(_plain(window[pos:a], markdown))
        out.append(("**" + _plain(window[a:b], markdown) + "**") if markdown else "【" + window[a:b] + "】")
        pos = b
    out.append(_plain(window[pos:], markdown))
    result = "".join(out)
    if start > 0:
        result = "…" + result
    if end < len(value):
        result += "…"
    return result


def _plain(value: str, markdown: bool) -> str:
    return escape(value) if markdown else value


def _spans(lowered: str, words: list[str]) -> list[tuple[int, int]]:
    marks = [False] * len(lowered)
    for w in words:
        i = lowered.find(w)
        while i >= 0:
            for j in range(i, i + len(w)):
                marks[j] = True
            i = lowered.find(w, i + 1)
    spans, i = [], 0
    while i < len(marks):
        if marks[i]:
            j = i
            while j < len(marks) and marks[j]:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


# --- schema objects outside the ORM models -----------------------------------------------

SEARCH_TABLE_PREFIXES = ("cases_fts", "articles_fts")
SEARCH_INDEX_PREFIX = "ix_search_"


def is_search_object(name: str | None) -> bool:
    """True for the FTS5 tables (and their shadow tables) and the search indexes."""
    return bool(name) and (name.startswith(SEARCH_TABLE_PREFIXES) or name.startswith(SEARCH_INDEX_PREFIX))


def _register_autogenerate_filter() -> None:
    """Tell Alembic's autogenerate that the search objects are not drift.

    They are made by raw DDL in a migration (FTS5 virtual tables, a GIN expression
    index) and deliberately have no ORM model.
    """
    from alembic.autogenerate.compare import comparators
    from alembic.operations import ops
    from alembic.util.langhelpers import DispatchPriority

    def drop_search_ops(autogen_context, upgrade_ops, *args, **kwargs):
        kept = []
        for op in upgrade_ops.ops:
            if isinstance(op, (ops.DropTableOp, ops.CreateTableOp)) and is_search_object(op.table_name):
                continue
            if isinstance(op, ops.ModifyTableOps):
                op.ops = [o for o in op.ops
                          if not (isinstance(o, (ops.DropIndexOp, ops.CreateIndexOp)) and is_search_object(o.index_name))]
                if not op.ops:
                    continue
            kept.append(op)
        upgrade_ops.ops[:] = kept

    if not getattr(comparators, "_ipoverseas_search_filter", False):
        comparators.dispatch_for("schema", priority=DispatchPriority.LAST)(drop_search_ops)
        comparators._ipoverseas_search_filter = True


_register_autogenerate_filter()
