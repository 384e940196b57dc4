"""index cases by title: the library sorted by title reads the first rows in order

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_title", "cases", ["title"])


def downgrade() -> None:
    op.drop_index("ix_cases_title", table_name="cases")
