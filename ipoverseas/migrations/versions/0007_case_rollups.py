"""analytics rollups: per-chart case statistics kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ipoverseas import case_rollups

    op.create_table('case_rollups',
    sa.Column('chart', sa.String(length=4), nullable=False),
    sa.Column('review_status', sa.String(length=16), nullable=False),
    sa.Column('sub_centre_id', sa.Integer(), nullable=False),
    sa.Column('a', sa.String(length=32), nullable=False),
    sa.Column('b', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    *[sa.Column(m, sa.Float(), nullable=False) for m in case_rollups.MEASURES],
    sa.PrimaryKeyConstraint('chart', 'review_status', 'sub_centre_id', 'a', 'b', name=op.f('pk_case_rollups'))
    )
    case_rollups.install(op.get_bind())


def downgrade() -> None:
    from ipoverseas import case_rollups

    case_rollups.drop(op.get_bind())
    op.drop_table('case_rollups')
