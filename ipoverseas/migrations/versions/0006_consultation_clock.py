"""consultation clock: the service clock's facts stored on the consultation, for SQL queues and compliance

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Adds due_at, at_risk_at, first_answer_days, answered_on_time, the expert's counterparts
(from the assignment), overdue_notified_at and clock_basis (the promise and holiday table
the facts were computed on). Consultations already notified as overdue keep that mark, so
the sweep does not notify them again.

The facts themselves are not computed here: they come from the working-day calendar and
the promise setting, which live outside any migration and change by design. Existing rows
are left with clock_basis NULL ("never computed"), and start-up (`bootstrap.refresh_clocks`,
also run by `migrate` and `init`) computes every such row, closed ones included, with the
clock of the day. (Until 2026-12 this migration imported the live clock to do it here; a
migration must not change meaning when live code moves, so that part went to start-up.)
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

consultations = sa.table('consultations', sa.column('id', sa.Integer), sa.column('overdue_notified_at', sa.DateTime))
notifications = sa.table('notifications', sa.column('consultation_id', sa.Integer), sa.column('kind', sa.String),
                         sa.column('created_at', sa.DateTime))


def upgrade() -> None:
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('at_risk_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_answer_days', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('answered_on_time', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('expert_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('expert_answer_days', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('expert_on_time', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('clock_basis', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_consultations_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_consultations_expert_status', ['expert_id', 'status'], unique=False)
    _carry_overdue_marks()


def _carry_overdue_marks() -> None:
    bind = op.get_bind()
    notified = (sa.select(sa.func.min(notifications.c.created_at))
                .where(notifications.c.kind == "overdue", notifications.c.consultation_id == consultations.c.id)
                .scalar_subquery())
    bind.execute(sa.update(consultations).values(overdue_notified_at=notified))


def downgrade() -> None:
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index('ix_consultations_expert_status')
        batch_op.drop_index('ix_consultations_status_due_at')
        for name in ('clock_basis', 'overdue_notified_at', 'expert_on_time', 'expert_answer_days', 'expert_due_at',
                     'answered_on_time', 'first_answer_days', 'at_risk_at', 'due_at'):
            batch_op.drop_column(name)
