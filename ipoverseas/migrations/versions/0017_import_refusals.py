"""import_refusals: refused uploads join the import history (who, when, file, size, hash, problems)

A table of its own, so the queries of applied batches stay as they are. A refusal of a removed
user keeps its row without the user; a removed sub-centre takes its refusals with it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_refusals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sub_centre_id', sa.Integer(), nullable=True),
    sa.Column('dataset', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('cause', sa.String(length=64), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sub_centre_id'], ['sub_centres.id'], name=op.f('fk_import_refusals_sub_centre_id_sub_centres'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_refusals_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_refusals'))
    )
    with op.batch_alter_table('import_refusals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_refusals_sub_centre_id'), ['sub_centre_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_refusals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_refusals_sub_centre_id'))
    op.drop_table('import_refusals')
