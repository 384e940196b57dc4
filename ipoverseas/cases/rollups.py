"""Pre-aggregated case statistics for the analytics page, kept exact by database triggers.

Without a filter the analytics page would read every case eight times (one pass per
chart): 16 s at a million cases. Each chart's groups are instead kept in
`case_rollups`, one row per (chart, review status, sub-centre, a, b), and updated by triggers on
`cases` as rows are inserted, changed or deleted, the way `case_facet_totals` is for
the library's facets. Unfiltered views (admin: all sub-centres; staff: their own)
then read a few hundred rows. The case library also reads `COUNTRY_BY_DISPUTE_TYPE`
for the country facet under a dispute-type selection and the other way round. Any
other filter still queries the cases themselves.

Each chart is one `Chart` below. Its code is what the `chart` column stores; its
measures are sums kept in the columns m1..m6, in the order the chart lists them.
Readers name them (`chart.column("closed")`) and never write a code or a stored column.

    chart                        code  a             b             n
    COUNTRY_BY_DISPUTE_TYPE      cd    country       dispute type  cases
    YEAR_BY_DISPUTE_TYPE         yd    filing year   dispute type  cases filed
    DISPUTE_TYPE_BY_OUTCOME      do    dispute type  outcome       cases with an outcome
    FORUM_BY_DAYS_BUCKET         fb    forum         30-day bin    cases closed (days from filing to closing,
                                                                   for the box plot)
    AMOUNT_BAND_BY_DISPUTE_TYPE  ab    amount band   dispute type  cases with an amount
    PROVINCE_DEFENDANTS          pd    province      ''            e-commerce suits with defendants

    chart                        measure               column  sum of
    COUNTRY_BY_DISPUTE_TYPE      closed                m1      closed cases
                                 closed_days           m2      days from filing to closing, over closed_with_days
                                 closed_with_days      m3      closed cases with both dates, closed on or after filing
                                 amount_usd            m4      amounts in USD
                                 distinguished         m5      cases with a distinction (typical or guiding)
                                 ecommerce_defendants  m6      defendants named in e-commerce suits
    AMOUNT_BAND_BY_DISPUTE_TYPE  amount_usd            m1      amounts in USD
    PROVINCE_DEFENDANTS          defendants            m1      defendants named

Unused measure columns hold 0; missing key values are ''. The triggers live in the
migrations, each with its own frozen copy of these definitions (as tuples
`(code, a, b, condition, [m1, m2, ...])`): 0007 created the table with row-level
triggers, 0008 made them statement-level on PostgreSQL (the rows a statement wrote, from
its transition tables, aggregated and applied with one upsert; SQLite keeps one upsert
per chart and row; the SQLite import's move of many new cases adds their groups by one
grouped upsert per chart instead: `add_cases`, cases/bulk_totals.py). `rebuild` recomputes
the table from these live definitions, and tests/cases/test_rollups.py checks the triggers
keep what it computes: a change to a code, a key, a condition, or a measure's SQL or
position here needs a new migration with new triggers. The names are not stored: renaming
a chart or a measure needs none.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipoverseas.core.models import CaseRollup

AMOUNT_EDGES = (10_000, 100_000, 1_000_000, 10_000_000)  # bands 0..4, the same as analytics.AMOUNT_BANDS
DAY_BUCKET = 30
MEASURE_COLUMNS = ("m1", "m2", "m3", "m4", "m5", "m6")  # the stored sums, a chart's measures in order


@dataclass(frozen=True)
class Key:
    """A group key of a chart: what it holds, and its SQL over a case row (see `_render`)."""

    name: str
    sql: str


@dataclass(frozen=True)
class Measure:
    """A sum kept per group: its name, and its SQL over a case row (see `_render`)."""

    name: str
    sql: str


@dataclass(frozen=True)
class Chart:
    """One chart's groups in `case_rollups`: the cases `where` holds, grouped by keys `a`
    and `b`, counted in `n` and summed in its measures."""

    code: str  # stored in case_rollups.chart
    a: Key
    b: Key
    where: str
    measures: tuple[Measure, ...] = ()

    @property
    def measure_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.measures)

    def column(self, measure: str):
        """The stored column of the measure named `measure`, labelled with that name."""
        if measure not in self.measure_names:
            raise KeyError(f"{self.code} has no measure {measure!r}: {', '.join(self.measure_names) or 'none'}")
        return getattr(CaseRollup, MEASURE_COLUMNS[self.measure_names.index(measure)]).label(measure)


_DISPUTE_TYPE = Key("dispute_type", "coalesce({r}.dispute_type, '')")
_NO_KEY = Key("", "''")

COUNTRY_BY_DISPUTE_TYPE = Chart(
    "cd", Key("country", "coalesce({r}.country, '')"), _DISPUTE_TYPE, "1 = 1",
    (Measure("closed", "CASE WHEN {r}.closed_on IS NOT NULL THEN 1 ELSE 0 END"),
     Measure("closed_days", "CASE WHEN {has_days} THEN {days} ELSE 0 END"),
     Measure("closed_with_days", "CASE WHEN {has_days} THEN 1 ELSE 0 END"),
     Measure("amount_usd", "coalesce({r}.amount_usd, 0)"),
     Measure("distinguished", "CASE WHEN {r}.distinction IS NOT NULL THEN 1 ELSE 0 END"),
     Measure("ecommerce_defendants",
             "CASE WHEN {r}.dispute_type = 'ecommerce' THEN coalesce({r}.defendants_count, 0) ELSE 0 END")))
YEAR_BY_DISPUTE_TYPE = Chart("yd", Key("year", "{year}"), _DISPUTE_TYPE, "{r}.filed_on IS NOT NULL")
DISPUTE_TYPE_BY_OUTCOME = Chart("do", _DISPUTE_TYPE, Key("outcome", "{r}.outcome"), "{r}.outcome IS NOT NULL")
FORUM_BY_DAYS_BUCKET = Chart("fb", Key("forum", "{r}.forum"), Key("days_bucket", "{bucket}"),
                             "{has_days} AND {r}.forum IS NOT NULL")
AMOUNT_BAND_BY_DISPUTE_TYPE = Chart("ab", Key("amount_band", "{band}"), _DISPUTE_TYPE, "{r}.amount_usd IS NOT NULL",
                                    (Measure("amount_usd", "{r}.amount_usd"),))
PROVINCE_DEFENDANTS = Chart(
    "pd", Key("province", "{r}.province"), _NO_KEY,
    "{r}.dispute_type = 'ecommerce' AND {r}.province IS NOT NULL AND {r}.defendants_count IS NOT NULL",
    (Measure("defendants", "{r}.defendants_count"),))

CHARTS = (COUNTRY_BY_DISPUTE_TYPE, YEAR_BY_DISPUTE_TYPE, DISPUTE_TYPE_BY_OUTCOME, FORUM_BY_DAYS_BUCKET,
          AMOUNT_BAND_BY_DISPUTE_TYPE, PROVINCE_DEFENDANTS)


def _days(r: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"(julianday({r}.closed_on) - julianday({r}.filed_on))"
    return f"({r}.closed_on - {r}.filed_on)"


def _render(r: str, dialect: str):
    """A function that writes a definition's SQL over the row alias `r` in `dialect`: it fills
    in `{r}` (the row) and the shared pieces `{days}`, `{has_days}` (closed on or after
    filing, both dates known), `{year}`, `{bucket}` (30-day bin of days) and `{band}`."""
    days = _days(r, dialect)
    parts = {
        "r": r,
        "days": days,
        "has_days": f"({r}.closed_on IS NOT NULL AND {r}.filed_on IS NOT NULL AND {r}.closed_on >= {r}.filed_on)",
        "year": f"strftime('%Y', {r}.filed_on)" if dialect == "sqlite" else f"to_char({r}.filed_on, 'YYYY')",
        "bucket": (f"CAST(CAST({days} / {DAY_BUCKET} AS INTEGER) AS TEXT)" if dialect == "sqlite"
                   else f"CAST(({days}) / {DAY_BUCKET} AS TEXT)"),
        "band": "CASE " + " ".join(f"WHEN {r}.amount_usd < {edge} THEN '{i}'" for i, edge in enumerate(AMOUNT_EDGES))
                + f" ELSE '{len(AMOUNT_EDGES)}' END",
    }
    return lambda sql: sql.format(**parts)


def _charts(r: str, dialect: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(chart code, a, b, condition, measures in stored order) as SQL over a row alias `r`."""
    render = _render(r, dialect)
    return [(c.code, render(c.a.sql), render(c.b.sql), render(c.where), [render(m.sql) for m in c.measures])
            for c in CHARTS]


def rebuild(connection) -> None:
    """Recompute every rollup from the cases (after a bulk load that bypassed the triggers)."""
    connection.exec_driver_sql("DELETE FROM case_rollups")
    _write(connection, "cases", add=False)


def add_cases(connection, source) -> None:
    """Add the cases in the table `source` (a Table with the case columns the charts read) to the
    rollups, one grouped upsert per chart: what the row triggers would have added for them
    (SQLite: cases/bulk_totals.py)."""
    _write(connection, source.fullname, add=True)


def _write(connection, source: str, *, add: bool) -> None:
    upsert = ""
    if add:
        added = ", ".join(f"{m} = case_rollups.{m} + excluded.{m}" for m in ("n", *MEASURE_COLUMNS))
        upsert = f" ON CONFLICT (chart, review_status, sub_centre_id, a, b) DO UPDATE SET {added}"
    for chart, a, b, condition, measures in _charts("c", connection.dialect.name):
        sums = [f"sum({m})" for m in measures] + ["0"] * (len(MEASURE_COLUMNS) - len(measures))
        connection.exec_driver_sql(
            f"INSERT INTO case_rollups (chart, review_status, sub_centre_id, a, b, n, {', '.join(MEASURE_COLUMNS)}) "
            f"SELECT '{chart}', c.review_status, c.sub_centre_id, {a}, {b}, count(*), {', '.join(sums)} "
            f"FROM {source} AS c WHERE {condition} GROUP BY 2, 3, 4, 5{upsert}")
