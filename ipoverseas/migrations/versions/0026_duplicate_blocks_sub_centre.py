"""the duplicate check's two block indexes end with the sub-centre

The check looks for other sub-centres' records of a dispute, but its block queries returned every
case in the block, the importing sub-centre's own too, and dropped those in Python. Re-importing a
sub-centre's own cases (or importing beside its earlier ones) matched each row with its own records:
on the 100,000-row benchmark 783,000 pairs, 4.7 s on PostgreSQL. With the sub-centre as the last
column the query drops them in the index, and still reads the index only (on SQLite a query that
asks the table for a column builds a Bloom filter, which dropped matches on SQLite 3.40:
tests/sharing/test_duplicates.py checks the plan).

The party block expression is frozen here as in 0022.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

_DROPPED = (" ", ",", ".", ";", ":", "'", '"', "(", ")", "&", "-", "/", "\u3000", "\uff08", "\uff09", "\u00b7",
            "\u3001", "\uff0c", "\u3002")
_LOWER, _UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _block_sql(column: str, dialect: str) -> str:
    value = column
    for ch in _DROPPED:
        value = "replace({}, '{}', '')".format(value, ch.replace("'", "''"))
    if dialect == "postgresql":
        return f"substr(translate({value}, '{_UPPER}', '{_LOWER}'), 1, 2)"
    return f"substr(lower({value}), 1, 2)"


def _near(dialect: str, *tail: str) -> str:
    return ", ".join(("country", "dispute_type", f"({_block_sql('opposing_party', dialect)})", "filed_on") + tail)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index('ix_cases_country_dispute_party_filed', 'cases')
    op.execute(f"CREATE INDEX ix_cases_country_dispute_party_filed ON cases ({_near(dialect, 'sub_centre_id')})")
    op.drop_index('ix_cases_forum_docket_key', 'cases')
    op.create_index('ix_cases_forum_docket_key', 'cases', ['forum', 'docket_key', 'sub_centre_id'])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index('ix_cases_country_dispute_party_filed', 'cases')
    op.execute(f"CREATE INDEX ix_cases_country_dispute_party_filed ON cases ({_near(dialect)})")
    op.drop_index('ix_cases_forum_docket_key', 'cases')
    op.create_index('ix_cases_forum_docket_key', 'cases', ['forum', 'docket_key'])
