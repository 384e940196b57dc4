"""import_batches.process: which process is applying a batch still marked "running"

An import writes its batch as "running" (with host, pid and the pid's start time) in a short
transaction before the apply; a batch left "running" by a process that is gone is marked
"failed" at the next start-up, so a killed import leaves a trace.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_batches') as batch:
        batch.add_column(sa.Column('process', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_batches') as batch:
        batch.drop_column('process')
