"""consultation clock: the service clock's facts stored on the consultation, for SQL queues and compliance

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

Adds due_at, at_risk_at, first_answer_days, answered_on_time, the expert's counterparts
(from the assignment), overdue_notified_at and clock_basis (the promise and holiday table
the facts were computed on, `ipoverseas.workdays.basis`), and fills them for existing rows
with the Python clock (`ipoverseas.workdays.facts`) and the promise setting in force. Consultations
already notified as overdue keep that mark, so the sweep does not notify them again.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CHUNK = 1000

consultations = sa.table(
    'consultations', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
    sa.column('assigned_at', sa.DateTime), sa.column('answered_at', sa.DateTime), sa.column('expert_id', sa.Integer),
    sa.column('due_at', sa.DateTime), sa.column('at_risk_at', sa.DateTime), sa.column('first_answer_days', sa.Float),
    sa.column('answered_on_time', sa.Boolean), sa.column('expert_due_at', sa.DateTime),
    sa.column('expert_answer_days', sa.Float), sa.column('expert_on_time', sa.Boolean),
    sa.column('overdue_notified_at', sa.DateTime), sa.column('clock_basis', sa.String))
events = sa.table('consultation_events', sa.column('id', sa.Integer), sa.column('consultation_id', sa.Integer),
                  sa.column('at', sa.DateTime), sa.column('from_status', sa.String),
                  sa.column('to_status', sa.String))
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
    _backfill()


def _backfill() -> None:
    from ipoverseas.core import config
    from ipoverseas.consultations import clock

    bind = op.get_bind()
    promise = float(config.get("consultation_promise_days"))
    basis = clock.basis(promise)
    last = 0
    while True:
        rows = bind.execute(sa.select(consultations.c.id, consultations.c.created_at, consultations.c.assigned_at,
                                      consultations.c.answered_at, consultations.c.expert_id)
                            .where(consultations.c.id > last).order_by(consultations.c.id).limit(CHUNK)).all()
        if not rows:
            break
        last = rows[-1].id
        history: dict[int, list] = {r.id: [] for r in rows}
        for cid, at, frm, to in bind.execute(
                sa.select(events.c.consultation_id, events.c.at, events.c.from_status, events.c.to_status)
                .where(events.c.consultation_id.in_(list(history)))
                .order_by(events.c.consultation_id, events.c.at, events.c.id)):
            history[cid].append((at, frm, to))
        values = []
        for r in rows:
            answered = next((at for at, _f, to in history[r.id] if to == "answered"), None) or r.answered_at
            expert_start = (r.assigned_at or r.created_at) if r.expert_id is not None else None
            f = clock.facts(r.created_at, answered, expert_start, history[r.id], promise)
            values.append({"cid": r.id, **f.as_dict(), "clock_basis": basis})
        bind.execute(sa.update(consultations).where(consultations.c.id == sa.bindparam("cid"))
                     .values({k: sa.bindparam(k) for k in values[0] if k != "cid"}), values)
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
