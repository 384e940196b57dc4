"""the annual assessment: rubric versions, the admin's overrides, frozen years; the consultation
clock's new fact `assign_days` (working days from the question to the first assignment); two indexes
the assessment reads, each replacing a narrower one

The new fact is filled by start-up's clock recompute: every row's `clock_basis` is cleared here, and
a row never computed is always recomputed (`consultations.workflow.recompute_clocks`).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

CONSULTATION_FIGURES = ("created_at", "sub_centre_id", "status", "assign_days", "first_answer_days", "answered_on_time",
                        "answered_at", "due_at", "closed_at", "followup_outcome", "rating")


def upgrade() -> None:
    op.create_table(
        "assessment_rubrics",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_assessment_rubrics_created_by_users"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("version", name="uq_assessment_rubrics_version"),
    )
    op.create_table(
        "assessment_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sub_centre_id", sa.Integer(), sa.ForeignKey(
            "sub_centres.id", name="fk_assessment_overrides_sub_centre_id_sub_centres"), nullable=False),
        sa.Column("item", sa.String(40), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_assessment_overrides_set_by_users"), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("year", "sub_centre_id", "item", name="uq_assessment_overrides_year_sub_centre_id_item"),
    )
    op.create_index("ix_assessment_overrides_sub_centre_id", "assessment_overrides", ["sub_centre_id"])
    op.create_table(
        "assessment_freezes",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("frozen_by", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_assessment_freezes_frozen_by_users"), nullable=True),
        sa.Column("frozen_at", sa.DateTime(), nullable=False),
    )
    op.add_column("consultations", sa.Column("assign_days", sa.Float(), nullable=True))
    op.execute("UPDATE consultations SET clock_basis = NULL WHERE assigned_at IS NOT NULL")
    # Indexes the assessment reads, each replacing one it extends (no extra index to keep).
    op.create_index("ix_cases_sub_centre_created", "cases", ["sub_centre_id", "created_at"])
    op.drop_index("ix_cases_sub_centre_id", table_name="cases")
    op.create_index("ix_consultations_assessment", "consultations", list(CONSULTATION_FIGURES))
    op.drop_index("ix_consultations_created_at", table_name="consultations")


def downgrade() -> None:
    op.create_index("ix_consultations_created_at", "consultations", ["created_at"])
    op.drop_index("ix_consultations_assessment", table_name="consultations")
    op.create_index("ix_cases_sub_centre_id", "cases", ["sub_centre_id"])
    op.drop_index("ix_cases_sub_centre_created", table_name="cases")
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("assign_days")
    op.drop_table("assessment_freezes")
    op.drop_index("ix_assessment_overrides_sub_centre_id", table_name="assessment_overrides")
    op.drop_table("assessment_overrides")
    op.drop_table("assessment_rubrics")
