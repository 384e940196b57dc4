"""SQLite: the update triggers of cases and articles fire only when a column they follow changed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

`AFTER UPDATE OF col, ...` fires whenever the statement's SET names one of the columns,
even with the same value. An import writes every column of each row it updates, so each
updated row rewrote its full-text entry and 30 totals and rollup rows, changed or not.
Each trigger now has `WHEN old.col IS NOT new.col OR ...` over the columns it names:
when none of them changed, the old and new contributions are equal, so skipping is exact.

The same for the articles' full-text trigger. The triggers are rewritten from their own
stored SQL (sqlite_master), so this migration does not depend on how 0002, 0005 and 0007
spelled them. PostgreSQL has nothing to do:
its statement-level triggers (0008) already cancel unchanged rows.
"""
import re

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TRIGGERS = ("cases_fts_au", "case_facet_totals_au", "case_rollups_au", "articles_fts_au")
_HEAD = re.compile(r"(AFTER UPDATE OF ([\w ,]+?) ON \w+)\s+(?:WHEN .*? )?BEGIN", re.S)


def _rewrite(conn, name: str, with_when: bool) -> None:
    row = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                               (name,)).first()
    if row is None:
        return
    sql = row[0]
    match = _HEAD.search(sql)
    if match is None:  # pragma: no cover - a trigger this migration does not know
        raise RuntimeError(f"unexpected trigger {name}: {sql[:120]}")
    columns = [c.strip() for c in match.group(2).split(",")]
    when = (" WHEN " + " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)) if with_when else ""
    new_sql = sql[:match.start()] + match.group(1) + when + " BEGIN" + sql[match.end():]
    conn.exec_driver_sql(f"DROP TRIGGER {name}")
    conn.exec_driver_sql(new_sql)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in TRIGGERS:
            _rewrite(conn, name, True)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in TRIGGERS:
            _rewrite(conn, name, False)
