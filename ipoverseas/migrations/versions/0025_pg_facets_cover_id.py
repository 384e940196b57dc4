"""PostgreSQL: the case library's covering index holds the id too

The analytics and the facet counts read ix_cases_library_facets only, never the rows, and on SQLite
that index holds the id (every SQLite index does). A PostgreSQL index does not, and "a linked dispute
counts once" (issue 17) tests each case's id against dispute_links: so PostgreSQL read the rows
instead, 0.3-0.45 s a chart for a sub-centre at 1M cases (2.7 s for the staff's filtered analytics).
The same index with INCLUDE (id) is read alone: 0.1 s a chart. SQLite is left as it is.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

COLUMNS = ("review_status, country, dispute_type, ip_type, industry, forum, outcome, sub_centre_id, filed_on, "
           "closed_on, amount_usd, defendants_count, province, distinction")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_cases_library_facets")
    op.execute(f"CREATE INDEX ix_cases_library_facets ON cases ({COLUMNS}) INCLUDE (id)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_cases_library_facets")
    op.execute(f"CREATE INDEX ix_cases_library_facets ON cases ({COLUMNS})")
