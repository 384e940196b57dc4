"""the duplicate check's near-match block reads the opposing party's first letters from the index

ix_cases_country_dispute_filed (country, dispute type, filing date) gave about 27 candidates a row
on the 1M benchmark database, each read from the table and scored: the check cost 2.2x the import
it guarded. ix_cases_country_dispute_party_filed puts an expression between the dispute type and
the date, the party block key: the opposing party's name without spaces and punctuation, ASCII
lower case, its first two characters. It is an index on an expression, so every writer (import,
bulk COPY, edit) keeps it with no trigger and no column.

The expression is frozen here; ipoverseas.sharing.duplicates.PARTY_BLOCK_SQL must be the same text
(the planner matches an expression index by its text) and party_block() its Python twin
(tests/sharing/test_duplicates.py checks all three agree and that the index is used).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_DROPPED = (" ", ",", ".", ";", ":", "'", '"', "(", ")", "&", "-", "/", "\u3000", "\uff08", "\uff09", "\u00b7",
            "\u3001", "\uff0c", "\u3002")
_LOWER, _UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _block_sql(column: str, dialect: str) -> str:
    value = column
    for ch in _DROPPED:
        value = "replace({}, '{}', '')".format(value, ch.replace("'", "''"))
    if dialect == "postgresql":   # ASCII letters only, as SQLite's lower()
        return f"substr(translate({value}, '{_UPPER}', '{_LOWER}'), 1, 2)"
    return f"substr(lower({value}), 1, 2)"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("CREATE INDEX ix_cases_country_dispute_party_filed ON cases "
               f"(country, dispute_type, ({_block_sql('opposing_party', dialect)}), filed_on)")
    op.drop_index('ix_cases_country_dispute_filed', 'cases')


def downgrade() -> None:
    op.create_index('ix_cases_country_dispute_filed', 'cases', ['country', 'dispute_type', 'filed_on'])
    op.drop_index('ix_cases_country_dispute_party_filed', 'cases')
