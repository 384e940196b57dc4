"""analytics rollups: per-chart case statistics kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

Frozen: the definitions below are a private copy of what `ipoverseas.case_rollups`
generated when this migration was written (row-level triggers on both databases), so
the migration does not change when that module does. Migration 0008 replaces the
PostgreSQL triggers with statement-level ones.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_AMOUNT_EDGES = (10_000, 100_000, 1_000_000, 10_000_000)
_DAY_BUCKET = 30
_MEASURES = ("m1", "m2", "m3", "m4", "m5", "m6")
_WATCHED = ("review_status", "country", "dispute_type", "filed_on", "closed_on", "amount_usd", "distinction",
            "defendants_count", "forum", "outcome", "province", "sub_centre_id")


def _charts(r: str, dialect: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(chart, a, b, condition, measures) as SQL over a row alias `r`."""
    days = (f"(julianday({r}.closed_on) - julianday({r}.filed_on))" if dialect == "sqlite"
            else f"({r}.closed_on - {r}.filed_on)")
    has_days = f"({r}.closed_on IS NOT NULL AND {r}.filed_on IS NOT NULL AND {r}.closed_on >= {r}.filed_on)"
    year = f"strftime('%Y', {r}.filed_on)" if dialect == "sqlite" else f"to_char({r}.filed_on, 'YYYY')"
    bucket = (f"CAST(CAST({days} / {_DAY_BUCKET} AS INTEGER) AS TEXT)" if dialect == "sqlite"
              else f"CAST(({days}) / {_DAY_BUCKET} AS TEXT)")
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
        ("yd", year, dispute, f"{r}.filed_on IS NOT NULL", []),
        ("do", dispute, f"{r}.outcome", f"{r}.outcome IS NOT NULL", []),
        ("fb", f"{r}.forum", bucket, f"{has_days} AND {r}.forum IS NOT NULL", []),
        ("ab", band, dispute, f"{r}.amount_usd IS NOT NULL", [f"{r}.amount_usd"]),
        ("pd", f"{r}.province", "''",
         f"{r}.dispute_type = 'ecommerce' AND {r}.province IS NOT NULL AND {r}.defendants_count IS NOT NULL",
         [f"{r}.defendants_count"]),
    ]


def _row_upserts(r: str, sign: int, dialect: str) -> list[str]:
    """One INSERT .. ON CONFLICT per chart, adding (sign = 1) or removing (-1) row `r`."""
    out = []
    for chart, a, b, condition, measures in _charts(r, dialect):
        values = [f"{sign} * ({m})" for m in measures] + ["0"] * (len(_MEASURES) - len(measures))
        out.append(
            f"INSERT INTO case_rollups (chart, review_status, sub_centre_id, a, b, n, {', '.join(_MEASURES)}) "
            f"SELECT '{chart}', {r}.review_status, {r}.sub_centre_id, {a}, {b}, {sign}, {', '.join(values)} "
            f"WHERE {condition} "
            "ON CONFLICT (chart, review_status, sub_centre_id, a, b) DO UPDATE SET n = case_rollups.n + excluded.n, "
            + ", ".join(f"{m} = case_rollups.{m} + excluded.{m}" for m in _MEASURES))
    return out


def _rebuild(connection) -> None:
    dialect = connection.dialect.name
    connection.exec_driver_sql("DELETE FROM case_rollups")
    for chart, a, b, condition, measures in _charts("c", dialect):
        sums = [f"sum({m})" for m in measures] + ["0"] * (len(_MEASURES) - len(measures))
        connection.exec_driver_sql(
            f"INSERT INTO case_rollups (chart, review_status, sub_centre_id, a, b, n, {', '.join(_MEASURES)}) "
            f"SELECT '{chart}', c.review_status, c.sub_centre_id, {a}, {b}, count(*), {', '.join(sums)} "
            f"FROM cases AS c WHERE {condition} GROUP BY 2, 3, 4, 5")


def _install(connection) -> None:
    _drop(connection)
    dialect = connection.dialect.name
    watched = ", ".join(_WATCHED)
    add, remove = _row_upserts("new", 1, dialect), _row_upserts("old", -1, dialect)
    if dialect == "sqlite":
        connection.exec_driver_sql(
            f"CREATE TRIGGER case_rollups_ai AFTER INSERT ON cases BEGIN {'; '.join(add)}; END")
        connection.exec_driver_sql(
            f"CREATE TRIGGER case_rollups_ad AFTER DELETE ON cases BEGIN {'; '.join(remove)}; END")
        connection.exec_driver_sql(f"CREATE TRIGGER case_rollups_au AFTER UPDATE OF {watched} ON cases "
                                   f"BEGIN {'; '.join(remove + add)}; END")
    else:
        connection.exec_driver_sql(f"""
            CREATE OR REPLACE FUNCTION case_rollups_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    {'; '.join(remove)};
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    {'; '.join(add)};
                END IF;
                RETURN NULL;
            END $$""")
        connection.exec_driver_sql("CREATE TRIGGER case_rollups_aid AFTER INSERT OR DELETE ON cases "
                                   "FOR EACH ROW EXECUTE FUNCTION case_rollups_sync()")
        connection.exec_driver_sql(f"CREATE TRIGGER case_rollups_au AFTER UPDATE OF {watched} ON cases "
                                   "FOR EACH ROW EXECUTE FUNCTION case_rollups_sync()")
    _rebuild(connection)


def _drop(connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in ("ai", "ad", "au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS case_rollups_{name}")
    else:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS case_rollups_aid ON cases")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS case_rollups_au ON cases")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS case_rollups_sync()")


def upgrade() -> None:
    op.create_table('case_rollups',
    sa.Column('chart', sa.String(length=4), nullable=False),
    sa.Column('review_status', sa.String(length=16), nullable=False),
    sa.Column('sub_centre_id', sa.Integer(), nullable=False),
    sa.Column('a', sa.String(length=32), nullable=False),
    sa.Column('b', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    *[sa.Column(m, sa.Float(), nullable=False) for m in _MEASURES],
    sa.PrimaryKeyConstraint('chart', 'review_status', 'sub_centre_id', 'a', 'b', name=op.f('pk_case_rollups'))
    )
    _install(op.get_bind())


def downgrade() -> None:
    _drop(op.get_bind())
    op.drop_table('case_rollups')
