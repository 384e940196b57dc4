"""case library facets: per-value totals kept by triggers, and a covering index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

FACET_COLUMNS = ("country", "dispute_type", "ip_type", "industry", "forum", "outcome", "review_status")
WATCHED = FACET_COLUMNS + ("filed_on", "sub_centre_id")


def _values(row: str, dialect: str) -> list[tuple[str, str]]:
    """(facet, SQL expression of its value) for a row alias `new`/`old`."""
    out = [(c, f"coalesce({row}.{c}, '')") for c in FACET_COLUMNS]
    if dialect == "sqlite":
        out.append(("year", f"coalesce(strftime('%Y', {row}.filed_on), '')"))
        out.append(("sub_centre", f"CAST({row}.sub_centre_id AS TEXT)"))
    else:
        out.append(("year", f"coalesce(to_char({row}.filed_on, 'YYYY'), '')"))
        out.append(("sub_centre", f"CAST({row}.sub_centre_id AS TEXT)"))
    return out


def _upsert(row: str, delta: int, dialect: str) -> str:
    values = ", ".join(f"('{facet}', {expr}, {row}.review_status, {row}.sub_centre_id, {delta})"
                       for facet, expr in _values(row, dialect))
    return (f"INSERT INTO case_facet_totals (facet, value, review_status, sub_centre_id, n) VALUES {values} "
            "ON CONFLICT (facet, value, review_status, sub_centre_id) "
            "DO UPDATE SET n = case_facet_totals.n + excluded.n")


def _backfill(dialect: str) -> None:
    parts = []
    for facet, expr in _values("c", dialect):
        parts.append(f"SELECT '{facet}' AS facet, {expr} AS value, c.review_status, c.sub_centre_id, count(*) AS n "
                     f"FROM cases AS c GROUP BY 2, 3, 4")
    op.execute("INSERT INTO case_facet_totals (facet, value, review_status, sub_centre_id, n) "
               + " UNION ALL ".join(parts))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table('case_facet_totals',
    sa.Column('facet', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('review_status', sa.String(length=16), nullable=False),
    sa.Column('sub_centre_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('facet', 'value', 'review_status', 'sub_centre_id', name=op.f('pk_case_facet_totals'))
    )
    op.create_index('ix_cases_library_facets', 'cases',
                    ['review_status', 'country', 'dispute_type', 'ip_type', 'industry', 'forum', 'outcome',
                     'sub_centre_id', 'filed_on', 'closed_on', 'amount_usd', 'defendants_count', 'province',
                     'distinction'], unique=False)
    _backfill(dialect)
    watched = ", ".join(WATCHED)
    if dialect == "sqlite":
        op.execute(f"CREATE TRIGGER case_facet_totals_ai AFTER INSERT ON cases BEGIN {_upsert('new', 1, dialect)}; END")
        op.execute(f"CREATE TRIGGER case_facet_totals_ad AFTER DELETE ON cases BEGIN {_upsert('old', -1, dialect)}; END")
        op.execute(f"CREATE TRIGGER case_facet_totals_au AFTER UPDATE OF {watched} ON cases BEGIN "
                   f"{_upsert('old', -1, dialect)}; {_upsert('new', 1, dialect)}; END")
    else:
        op.execute(f"""
            CREATE OR REPLACE FUNCTION case_facet_totals_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    {_upsert('OLD', -1, dialect)};
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    {_upsert('NEW', 1, dialect)};
                END IF;
                RETURN NULL;
            END $$""")
        op.execute("CREATE TRIGGER case_facet_totals_ai AFTER INSERT OR DELETE ON cases "
                   "FOR EACH ROW EXECUTE FUNCTION case_facet_totals_sync()")
        op.execute(f"CREATE TRIGGER case_facet_totals_au AFTER UPDATE OF {watched} ON cases "
                   "FOR EACH ROW EXECUTE FUNCTION case_facet_totals_sync()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS case_facet_totals_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_facet_totals_ai ON cases")
        op.execute("DROP TRIGGER IF EXISTS case_facet_totals_au ON cases")
        op.execute("DROP FUNCTION IF EXISTS case_facet_totals_sync()")
    op.drop_index('ix_cases_library_facets', table_name='cases')
    op.drop_table('case_facet_totals')
