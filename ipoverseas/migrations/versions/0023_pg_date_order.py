"""PostgreSQL: the case library's date order read off an index

The library lists cases newest first: ORDER BY filed_on DESC NULLS LAST, id DESC. PostgreSQL uses
an index for an ORDER BY only when the index has the same direction, null placement and tie-break;
ix_cases_review_filed (review_status, filed_on) has none of them, so every first page sorted all
the visible cases (0.4 s at 1M). Two indexes in the list's own order, for a reader with one review
status (the public) and for one who sees them all. SQLite walks ix_cases_review_filed backwards
and needs neither.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_cases_review_filed_desc ON cases (review_status, filed_on DESC NULLS LAST, id DESC)")
    op.execute("CREATE INDEX ix_cases_filed_desc ON cases (filed_on DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_cases_filed_desc")
    op.execute("DROP INDEX ix_cases_review_filed_desc")
