"""case_pair_facets: facet counts per country and dispute type, kept by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26

The library's most common filter is a country and/or a dispute type. Counting the other
facets under it read every matching case: 0.1 s for a country + dispute type at a million
cases, ten times what it takes at ten thousand. This table keeps, for the IP type,
industry, forum, outcome and filing year, the number of cases per (country, dispute type,
value, review status, sub-centre), so those counts read a few hundred rows at any size.
(Review status and sub-centre under such a filter come from the `cd` rollup; country and
dispute type from each other's rollup.)

Triggers as for case_facet_totals: row-level on SQLite (the update trigger only when a
followed column changed), statement-level over transition tables on PostgreSQL. Frozen:
the definitions are this migration's own.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_FACETS = ("ip_type", "industry", "forum", "outcome")
_WATCHED = ("country", "dispute_type", "review_status", "sub_centre_id", "filed_on") + _FACETS
_KEYS = "facet, country, dispute_type, value, review_status, sub_centre_id"
_CONFLICT = f"ON CONFLICT ({_KEYS}) DO UPDATE SET n = case_pair_facets.n + excluded.n"


def _values(r: str, dialect: str) -> list[tuple[str, str]]:
    """(facet, SQL expression of its value) over a row alias `r`."""
    year = f"strftime('%Y', {r}.filed_on)" if dialect == "sqlite" else f"to_char({r}.filed_on, 'YYYY')"
    return [(f, f"coalesce({r}.{f}, '')") for f in _FACETS] + [("year", f"coalesce({year}, '')")]


def _row_upsert(r: str, sign: int, dialect: str) -> str:
    rows = ", ".join(f"('{facet}', coalesce({r}.country, ''), coalesce({r}.dispute_type, ''), {value}, "
                     f"{r}.review_status, {r}.sub_centre_id, {sign})" for facet, value in _values(r, dialect))
    return f"INSERT INTO case_pair_facets ({_KEYS}, n) VALUES {rows} {_CONFLICT}"


def _signed(event: str) -> str:
    """The rows a PostgreSQL statement added (sign 1) and removed (-1), followed columns only."""
    cols = ", ".join(_WATCHED)
    if event == "INSERT":
        return f"SELECT 1 AS sign, {cols} FROM new_rows"
    if event == "DELETE":
        return f"SELECT -1 AS sign, {cols} FROM old_rows"
    return (f"SELECT -1 AS sign, g.* FROM (SELECT {cols} FROM old_rows EXCEPT ALL SELECT {cols} FROM new_rows) AS g "
            f"UNION ALL SELECT 1, c.* FROM (SELECT {cols} FROM new_rows EXCEPT ALL SELECT {cols} FROM old_rows) AS c")


def _statement_apply(event: str) -> str:
    values = ", ".join(f"('{facet}', {expr})" for facet, expr in _values("d", "postgresql"))
    return (f"WITH d AS ({_signed(event)}) INSERT INTO case_pair_facets ({_KEYS}, n) "
            "SELECT f.facet, coalesce(d.country, ''), coalesce(d.dispute_type, ''), f.value, d.review_status, "
            f"d.sub_centre_id, sum(d.sign) FROM d CROSS JOIN LATERAL (VALUES {values}) AS f (facet, value) "
            f"GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.sign) <> 0 ORDER BY 1, 2, 3, 4, 5, 6 {_CONFLICT}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        'case_pair_facets',
        sa.Column('facet', sa.String(length=16), nullable=False),
        sa.Column('country', sa.String(length=8), nullable=False),
        sa.Column('dispute_type', sa.String(length=32), nullable=False),
        sa.Column('value', sa.String(length=32), nullable=False),
        sa.Column('review_status', sa.String(length=16), nullable=False),
        sa.Column('sub_centre_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('facet', 'country', 'dispute_type', 'value', 'review_status', 'sub_centre_id',
                                name=op.f('pk_case_pair_facets')))
    for facet, value in _values("cases", dialect):
        op.execute(f"INSERT INTO case_pair_facets ({_KEYS}, n) SELECT '{facet}', coalesce(country, ''), "
                   f"coalesce(dispute_type, ''), {value}, review_status, sub_centre_id, count(*) FROM cases "
                   f"GROUP BY 2, 3, 4, 5, 6")
    if dialect == "sqlite":
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _WATCHED)
        op.execute(f"CREATE TRIGGER case_pair_facets_ai AFTER INSERT ON cases BEGIN "
                   f"{_row_upsert('new', 1, dialect)}; END")
        op.execute(f"CREATE TRIGGER case_pair_facets_ad AFTER DELETE ON cases BEGIN "
                   f"{_row_upsert('old', -1, dialect)}; END")
        op.execute(f"CREATE TRIGGER case_pair_facets_au AFTER UPDATE OF {', '.join(_WATCHED)} ON cases "
                   f"WHEN {changed} BEGIN {_row_upsert('old', -1, dialect)}; {_row_upsert('new', 1, dialect)}; END")
        return
    op.execute(f"""
        CREATE FUNCTION case_pair_facets_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_statement_apply('INSERT')};
            ELSIF TG_OP = 'DELETE' THEN
                {_statement_apply('DELETE')};
            ELSE
                {_statement_apply('UPDATE')};
            END IF;
            RETURN NULL;
        END $$""")
    for suffix, event, tables in (("ins", "INSERT", "NEW TABLE AS new_rows"),
                                  ("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                                  ("del", "DELETE", "OLD TABLE AS old_rows")):
        op.execute(f"CREATE TRIGGER case_pair_facets_{suffix} AFTER {event} ON cases REFERENCING {tables} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION case_pair_facets_apply()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS case_pair_facets_{name}")
    else:
        for name in ("ins", "upd", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS case_pair_facets_{name} ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_pair_facets_apply()")
    op.drop_table('case_pair_facets')
