"""transfers from the national centre to the sub-centres (notifications name one by entity "transfer")

A transfer is a consultation or a dispute lead handed to a sub-centre, accepted or refused
there, with its acceptance clock stored like the consultation clock (due_at and its basis).
The clock facts follow live settings and the working-day calendar, so none is computed here.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("company", sa.String(300), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("enterprise_deadline", sa.Date(), nullable=True),
        sa.Column("contact", sa.String(300), nullable=False),
        sa.Column("sub_centre_id", sa.Integer(), nullable=False),
        sa.Column("from_sub_centre_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("refused_at", sa.DateTime(), nullable=True),
        sa.Column("refused_by_id", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("result_consultation_id", sa.Integer(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("next_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("decision_days", sa.Float(), nullable=True),
        sa.Column("decided_on_time", sa.Boolean(), nullable=True),
        sa.Column("clock_basis", sa.String(40), nullable=True),
        sa.Column("overdue_notified_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="SET NULL",
                                name="fk_transfers_consultation_id_consultations"),
        sa.ForeignKeyConstraint(["sub_centre_id"], ["sub_centres.id"], name="fk_transfers_sub_centre_id_sub_centres"),
        sa.ForeignKeyConstraint(["from_sub_centre_id"], ["sub_centres.id"],
                                name="fk_transfers_from_sub_centre_id_sub_centres"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_transfers_created_by_id_users"),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["users.id"], name="fk_transfers_accepted_by_id_users"),
        sa.ForeignKeyConstraint(["refused_by_id"], ["users.id"], name="fk_transfers_refused_by_id_users"),
        sa.ForeignKeyConstraint(["result_consultation_id"], ["consultations.id"], ondelete="SET NULL",
                                name="fk_transfers_result_consultation_id_consultations"),
        sa.ForeignKeyConstraint(["previous_id"], ["transfers.id"], ondelete="SET NULL",
                                name="fk_transfers_previous_id_transfers"),
        sa.ForeignKeyConstraint(["next_id"], ["transfers.id"], ondelete="SET NULL",
                                name="fk_transfers_next_id_transfers"),
        sa.PrimaryKeyConstraint("id", name="pk_transfers"),
    )
    op.create_index("ix_transfers_consultation_id", "transfers", ["consultation_id"])
    op.create_index("ix_transfers_created_at", "transfers", ["created_at"])
    op.create_index("ix_transfers_sub_centre_created", "transfers", ["sub_centre_id", "created_at"])
    op.create_index("ix_transfers_status_due_at", "transfers", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("transfers")
