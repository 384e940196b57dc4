"""Pre-aggregated case statistics for the analytics page, kept exact by database triggers.

Without a filter the analytics page would read every case eight times (one pass per
chart): 16 s at a million cases. Each chart's groups are instead kept in
`case_rollups`, one row per (chart, review status, sub-centre, a, b), and updated by triggers on
`cases` as rows are inserted, changed or deleted, the way `case_facet_totals` is for
the library's facets. Unfiltered views (admin: all sub-centres; staff: their own)
then read a few hundred rows. The case library also reads chart `cd` for the
country facet under a dispute-type selection and the other way round. Any other
filter still queries the cases themselves.

    chart  a            b             n            m1..m6
    cd     country      dispute type  cases        closed, days*, closed with days, amount, distinguished,
                                                   defendants in e-commerce suits
    yd     filing year  dispute type  cases filed
    do     dispute type outcome       cases with an outcome
    fb     forum        30-day bin    cases closed (days from filing to closing, for the box plot)
    ab     amount band  dispute type  cases with an amount; m1 = amount
    pd     province     ''            e-commerce suits with defendants; m1 = defendants

Missing values are ''. The triggers live in the migrations, each with its own frozen
copy of these definitions: 0007 created the table with row-level triggers, 0008 made
them statement-level on PostgreSQL (the rows a statement wrote, from its transition
tables, aggregated and applied with one upsert; SQLite keeps one upsert per chart and
row). `rebuild` recomputes the table from these live definitions, and
tests/test_analytics_rollups.py checks the triggers keep what it computes: a change
to the definitions here needs a new migration with new triggers.
"""

from __future__ import annotations

AMOUNT_EDGES = (10_000, 100_000, 1_000_000, 10_000_000)  # bands 0..4, the same as analytics.AMOUNT_BANDS
DAY_BUCKET = 30
MEASURES = ("m1", "m2", "m3", "m4", "m5", "m6")


def _days(r: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"(julianday({r}.closed_on) - julianday({r}.filed_on))"
    return f"({r}.closed_on - {r}.filed_on)"


def _charts(r: str, dialect: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(chart, a, b, condition, measures) as SQL over a row alias `r`."""
    days = _days(r, dialect)
    has_days = f"({r}.closed_on IS NOT NULL AND {r}.filed_on IS NOT NULL AND {r}.closed_on >= {r}.filed_on)"
    year = f"strftime('%Y', {r}.filed_on)" if dialect == "sqlite" else f"to_char({r}.filed_on, 'YYYY')"
    bucket = (f"CAST(CAST({days} / {DAY_BUCKET} AS INTEGER) AS TEXT)" if dialect == "sqlite"
              else f"CAST(({days}) / {DAY_BUCKET} AS TEXT)")
    band = "CASE " + " ".join(f"WHEN {r}.amount_usd < {edge} THEN '{i}'" for i, edge in enumerate(AMOUNT_EDGES)) \
        + f" ELSE '{len(AMOUNT_EDGES)}' END"
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


def rebuild(connection) -> None:
    """Recompute every rollup from the cases (after a bulk load that bypassed the triggers)."""
    dialect = connection.dialect.name
    connection.exec_driver_sql("DELETE FROM case_rollups")
    for chart, a, b, condition, measures in _charts("c", dialect):
        sums = [f"sum({m})" for m in measures] + ["0"] * (len(MEASURES) - len(measures))
        connection.exec_driver_sql(
            f"INSERT INTO case_rollups (chart, review_status, sub_centre_id, a, b, n, {', '.join(MEASURES)}) "
            f"SELECT '{chart}', c.review_status, c.sub_centre_id, {a}, {b}, count(*), {', '.join(sums)} "
            f"FROM cases AS c WHERE {condition} GROUP BY 2, 3, 4, 5")
