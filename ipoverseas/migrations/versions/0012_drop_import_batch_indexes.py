"""drop the indexes on import_batch_id: every imported row paid for them and no query needs them

An import updated the index of every row it wrote (50,000 changed cases: a third of
a second); the only reader, apply's look-up of the ids it just created, now reads
them by primary key (id above the largest id before the batch).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ("cases", "experts", "articles")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_import_batch_id", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_import_batch_id", table, ["import_batch_id"])
