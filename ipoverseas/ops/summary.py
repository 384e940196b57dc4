"""The figures that say two databases hold the same data: what a restore is checked against.

Row counts of every table, the case library's totals tables (kept by triggers, so a restore
that lost a trigger or a row shows here), the audit trail's length and last id, and the
migration revision. Read in one transaction, so the figures are of one moment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, create_engine, func, inspect, select, text
from sqlalchemy.pool import NullPool

from ipoverseas.core.models import AuditEvent, Base, CaseFacetTotal, CasePairFacet, CaseRollup

TOTALS = {CaseFacetTotal.__table__: ["n"], CasePairFacet.__table__: ["n"],
          CaseRollup.__table__: ["n", "m1", "m2", "m3", "m4", "m5", "m6"]}


def _number(value: Any) -> int | str:
    """A sum as text precise enough to compare (float sums differ in their last bits by row order)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return f"{float(value):.12g}"


def read(conn: Connection) -> dict[str, Any]:
    """The figures of the database `conn` is connected to, as its current transaction sees them."""
    existing = set(inspect(conn).get_table_names())
    tables = {t.name: int(conn.scalar(select(func.count()).select_from(t)))
              for t in Base.metadata.sorted_tables if t.name in existing}
    totals = {}
    for table, columns in TOTALS.items():
        if table.name in existing:
            row = conn.execute(select(*[func.sum(table.c[c]) for c in columns])).one()
            totals[table.name] = {c: _number(v) for c, v in zip(columns, row)}
    audit_last = conn.scalar(select(func.max(AuditEvent.id))) if "audit_events" in existing else None
    revision = (conn.scalar(text("SELECT version_num FROM alembic_version"))
                if "alembic_version" in existing else None)
    return {"revision": revision, "tables": tables, "totals": totals,
            "audit": {"count": tables.get("audit_events", 0), "last_id": audit_last}}


def read_url(url: str) -> dict[str, Any]:
    """The figures of the database at `url`, on a connection of its own."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return read(conn)
    finally:
        engine.dispose()


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs, one line each (empty when the databases match)."""
    lines = []
    if expected["revision"] != found["revision"]:
        lines.append(f"migration revision: expected {expected['revision']}, found {found['revision']}")
    for name in sorted(set(expected["tables"]) | set(found["tables"])):
        want, got = expected["tables"].get(name), found["tables"].get(name)
        if want != got:
            lines.append(f"table {name}: expected {want} rows, found {got}")
    for name in sorted(set(expected["totals"]) | set(found["totals"])):
        if expected["totals"].get(name) != found["totals"].get(name):
            lines.append(f"totals {name}: expected {expected['totals'].get(name)}, found {found['totals'].get(name)}")
    if expected["audit"] != found["audit"]:
        lines.append(f"audit trail: expected {expected['audit']}, found {found['audit']}")
    return lines


def describe(figures: dict[str, Any]) -> str:
    """One line for the operator."""
    rows = sum(figures["tables"].values())
    return (f"revision {figures['revision']}, {len(figures['tables'])} tables, {rows} rows, "
            f"{figures['tables'].get('cases', 0)} cases, audit trail {figures['audit']['count']} events "
            f"(last id {figures['audit']['last_id']})")


def is_empty(figures: dict[str, Any]) -> bool:
    """Nothing anyone did: no account, no case, no audit event (a freshly migrated database is empty)."""
    return not any(figures["tables"].get(name) for name in ("users", "cases", "audit_events"))
