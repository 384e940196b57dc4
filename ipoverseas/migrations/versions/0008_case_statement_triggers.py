"""case totals and rollups on PostgreSQL: statement-level triggers over transition tables

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

The row-level triggers of migrations 0005 (`case_facet_totals`) and 0007 (`case_rollups`)
ran one upsert per facet and per chart for every row written: about 3.4 ms a row, over
20 minutes for a 100,000-row import. On PostgreSQL they are replaced by one trigger per
event and table, FOR EACH STATEMENT with the statement's transition tables: the rows a
statement inserted (+1), deleted (-1) or changed (old image -1, new image +1) are
aggregated with GROUP BY and applied with one INSERT .. ON CONFLICT DO UPDATE per table,
in key order (concurrent writers lock the totals rows in the same order).

A trigger with transition tables cannot name columns (UPDATE OF ...), so the UPDATE
triggers fire on every UPDATE of `cases`; they cancel the old and new images that agree
on every watched column (EXCEPT ALL both ways), so an update that touches no watched
column writes nothing, and groups whose delta nets to zero are not written either.

SQLite keeps its row-level triggers. Frozen: the definitions below are this migration's
own copy (PostgreSQL only), including the row-level triggers the downgrade restores.
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# --- definitions (PostgreSQL), as of 0005 and 0007 ------------------------------------------

_FACET_COLUMNS = ("country", "dispute_type", "ip_type", "industry", "forum", "outcome", "review_status")
_FACET_WATCHED = _FACET_COLUMNS + ("filed_on", "sub_centre_id")
_AMOUNT_EDGES = (10_000, 100_000, 1_000_000, 10_000_000)
_DAY_BUCKET = 30
_MEASURES = ("m1", "m2", "m3", "m4", "m5", "m6")
_ROLLUP_WATCHED = ("review_status", "country", "dispute_type", "filed_on", "closed_on", "amount_usd", "distinction",
                   "defendants_count", "forum", "outcome", "province", "sub_centre_id")


def _facet_values(r: str) -> list[tuple[str, str]]:
    """(facet, SQL expression of its value) over a row alias `r`."""
    return [(c, f"coalesce({r}.{c}, '')") for c in _FACET_COLUMNS] + [
        ("year", f"coalesce(to_char({r}.filed_on, 'YYYY'), '')"),
        ("sub_centre", f"CAST({r}.sub_centre_id AS TEXT)")]


def _charts(r: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(chart, a, b, condition, measures) as SQL over a row alias `r`."""
    days = f"({r}.closed_on - {r}.filed_on)"
    has_days = f"({r}.closed_on IS NOT NULL AND {r}.filed_on IS NOT NULL AND {r}.closed_on >= {r}.filed_on)"
    band = "CASE " + " ".join(f"WHEN {r}.amount_usd < {edge} THEN '{i}'" for i, edge in enumerate(_AMOUNT_EDGES)) \
        + f" ELSE '{len(_AMOUNT_EDGES)}' END"
    dispute = f"coalesce({r}.dispute_type, '')"
    return [
        ("cd", f"coalesce({r}.country, '')", dispute, "1 = 1",
         [f"CASE WHEN {r}.closed_on IS NOT NULL THEN 1 ELSE 0 END",
          f"CASE WHEN {has_days} THEN {days} ELSE 0 END",
          f"CASE WHEN {has_days} THEN 1 ELSE 0 END",
          f"coalesce({r}.amount_usd, 0)",
          f"CASE WHEN {r}.distinction IS NOT NULL THEN 1 ELSE 0 END",
          f"CASE WHEN {r}.dispute_type = 'ecommerce' THEN coalesce({r}.defendants_count, 0) ELSE 0 END"]),
        ("yd", f"to_char({r}.filed_on, 'YYYY')", dispute, f"{r}.filed_on IS NOT NULL", []),
        ("do", dispute, f"{r}.outcome", f"{r}.outcome IS NOT NULL", []),
        ("fb", f"{r}.forum", f"CAST(({days}) / {_DAY_BUCKET} AS TEXT)", f"{has_days} AND {r}.forum IS NOT NULL", []),
        ("ab", band, dispute, f"{r}.amount_usd IS NOT NULL", [f"{r}.amount_usd"]),
        ("pd", f"{r}.province", "''",
         f"{r}.dispute_type = 'ecommerce' AND {r}.province IS NOT NULL AND {r}.defendants_count IS NOT NULL",
         [f"{r}.defendants_count"]),
    ]


_FACET_CONFLICT = ("ON CONFLICT (facet, value, review_status, sub_centre_id) "
                   "DO UPDATE SET n = case_facet_totals.n + excluded.n")
_ROLLUP_COLUMNS = f"chart, review_status, sub_centre_id, a, b, n, {', '.join(_MEASURES)}"
_ROLLUP_CONFLICT = ("ON CONFLICT (chart, review_status, sub_centre_id, a, b) DO UPDATE SET n = case_rollups.n + excluded.n, "
                    + ", ".join(f"{m} = case_rollups.{m} + excluded.{m}" for m in _MEASURES))

# --- statement-level triggers (upgrade) ----------------------------------------------------


def _signed(columns: tuple[str, ...], event: str) -> str:
    """The rows a statement added (sign 1) and removed (-1), watched columns only."""
    cols = ", ".join(columns)
    if event == "INSERT":
        return f"SELECT 1 AS sign, {cols} FROM new_rows"
    if event == "DELETE":
        return f"SELECT -1 AS sign, {cols} FROM old_rows"
    return (f"SELECT -1 AS sign, g.* FROM (SELECT {cols} FROM old_rows EXCEPT ALL SELECT {cols} FROM new_rows) AS g "
            f"UNION ALL SELECT 1, c.* FROM (SELECT {cols} FROM new_rows EXCEPT ALL SELECT {cols} FROM old_rows) AS c")


def _facet_apply(event: str) -> str:
    values = ", ".join(f"('{facet}', {expr})" for facet, expr in _facet_values("d"))
    return (f"WITH d AS ({_signed(_FACET_WATCHED, event)}) "
            "INSERT INTO case_facet_totals (facet, value, review_status, sub_centre_id, n) "
            "SELECT f.facet, f.value, d.review_status, d.sub_centre_id, sum(d.sign) "
            f"FROM d CROSS JOIN LATERAL (VALUES {values}) AS f (facet, value) "
            "GROUP BY 1, 2, 3, 4 HAVING sum(d.sign) <> 0 ORDER BY 1, 2, 3, 4 " + _FACET_CONFLICT)


def _rollup_apply(event: str) -> str:
    parts = []
    for chart, a, b, condition, measures in _charts("d"):
        values = [f"d.sign * ({m})" for m in measures] + ["0"] * (len(_MEASURES) - len(measures))
        parts.append(f"SELECT '{chart}' AS chart, d.review_status, d.sub_centre_id, {a} AS a, {b} AS b, d.sign AS n, "
                     + ", ".join(f"{v} AS {m}" for v, m in zip(values, _MEASURES)) + f" FROM d WHERE {condition}")
    keys = "chart, review_status, sub_centre_id, a, b"
    return (f"WITH d AS ({_signed(_ROLLUP_WATCHED, event)}) "
            f"INSERT INTO case_rollups ({_ROLLUP_COLUMNS}) "
            f"SELECT {keys}, sum(n), {', '.join(f'sum({m})' for m in _MEASURES)} "
            f"FROM ({' UNION ALL '.join(parts)}) AS x GROUP BY {keys} "
            f"HAVING sum(n) <> 0 OR {' OR '.join(f'sum({m}) <> 0' for m in _MEASURES)} "
            f"ORDER BY {keys} " + _ROLLUP_CONFLICT)


_STATEMENT_TRIGGERS = (  # name suffix, event, transition tables
    ("ins", "INSERT", "NEW TABLE AS new_rows"),
    ("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("del", "DELETE", "OLD TABLE AS old_rows"),
)


def _create_statement_triggers(table: str, apply) -> None:
    op.execute(f"""
        CREATE FUNCTION {table}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {apply('INSERT')};
            ELSIF TG_OP = 'DELETE' THEN
                {apply('DELETE')};
            ELSE
                {apply('UPDATE')};
            END IF;
            RETURN NULL;
        END $$""")
    for suffix, event, tables in _STATEMENT_TRIGGERS:
        op.execute(f"CREATE TRIGGER {table}_{suffix} AFTER {event} ON cases REFERENCING {tables} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_apply()")


def _drop_statement_triggers(table: str) -> None:
    for suffix, _, _ in _STATEMENT_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON cases")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_apply()")

# --- row-level triggers of 0005 and 0007 (downgrade) ---------------------------------------


def _facet_row_upsert(row: str, delta: int) -> str:
    values = ", ".join(f"('{facet}', {expr}, {row}.review_status, {row}.sub_centre_id, {delta})"
                       for facet, expr in _facet_values(row))
    return (f"INSERT INTO case_facet_totals (facet, value, review_status, sub_centre_id, n) VALUES {values} "
            + _FACET_CONFLICT)


def _rollup_row_upserts(r: str, sign: int) -> str:
    out = []
    for chart, a, b, condition, measures in _charts(r):
        values = [f"{sign} * ({m})" for m in measures] + ["0"] * (len(_MEASURES) - len(measures))
        out.append(f"INSERT INTO case_rollups ({_ROLLUP_COLUMNS}) "
                   f"SELECT '{chart}', {r}.review_status, {r}.sub_centre_id, {a}, {b}, {sign}, {', '.join(values)} "
                   f"WHERE {condition} " + _ROLLUP_CONFLICT)
    return "; ".join(out)


def _create_row_triggers(function: str, remove: str, add: str, insert_delete: str, update: str,
                         watched: tuple[str, ...]) -> None:
    op.execute(f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    {remove};
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    {add};
                END IF;
                RETURN NULL;
            END $$""")
    op.execute(f"CREATE TRIGGER {insert_delete} AFTER INSERT OR DELETE ON cases "
               f"FOR EACH ROW EXECUTE FUNCTION {function}()")
    op.execute(f"CREATE TRIGGER {update} AFTER UPDATE OF {', '.join(watched)} ON cases "
               f"FOR EACH ROW EXECUTE FUNCTION {function}()")


_ROW_TRIGGERS = {"case_facet_totals": ("case_facet_totals_ai", "case_facet_totals_au"),
                 "case_rollups": ("case_rollups_aid", "case_rollups_au")}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps its row-level triggers (a trigger there is cheap, and it has no transition tables)
    for table, names in _ROW_TRIGGERS.items():
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON cases")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_sync()")
    _create_statement_triggers("case_facet_totals", _facet_apply)
    _create_statement_triggers("case_rollups", _rollup_apply)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _ROW_TRIGGERS:
        _drop_statement_triggers(table)
    _create_row_triggers("case_facet_totals_sync", _facet_row_upsert("OLD", -1), _facet_row_upsert("NEW", 1),
                         *_ROW_TRIGGERS["case_facet_totals"], _FACET_WATCHED)
    _create_row_triggers("case_rollups_sync", _rollup_row_upserts("old", -1), _rollup_row_upserts("new", 1),
                         *_ROW_TRIGGERS["case_rollups"], _ROLLUP_WATCHED)
