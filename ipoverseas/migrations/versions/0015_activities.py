"""the sub-centres' activities (training, publicity, publications, funding help, agency matches):
activities with their countries, industries and evidence files

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("activity_ref", sa.String(64), nullable=False),
        sa.Column("sub_centre_id", sa.Integer(),
                  sa.ForeignKey("sub_centres.id", name="fk_activities_sub_centre_id_sub_centres"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("organisers", sa.String(500), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("enterprises_reached", sa.Integer(), nullable=True),
        sa.Column("article_url", sa.String(500), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_activities_created_by_id_users"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("import_batch_id", sa.Integer(),
                  sa.ForeignKey("import_batches.id", name="fk_activities_import_batch_id_import_batches"),
                  nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("sub_centre_id", "activity_ref", name="uq_activities_sub_centre_id_activity_ref"),
    )
    op.create_index("ix_activities_held_on", "activities", ["held_on"])
    op.create_index("ix_activities_sub_centre_held_on", "activities", ["sub_centre_id", "held_on"])
    op.create_index("ix_activities_kind_held_on", "activities", ["kind", "held_on"])
    op.create_table(
        "activity_countries",
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey(
            "activities.id", name="fk_activity_countries_activity_id_activities", ondelete="CASCADE"), primary_key=True),
        sa.Column("country", sa.String(8), primary_key=True),
    )
    op.create_index("ix_activity_countries_country", "activity_countries", ["country"])
    op.create_table(
        "activity_industries",
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey(
            "activities.id", name="fk_activity_industries_activity_id_activities", ondelete="CASCADE"), primary_key=True),
        sa.Column("industry", sa.String(32), primary_key=True),
    )
    op.create_index("ix_activity_industries_industry", "activity_industries", ["industry"])
    op.create_table(
        "activity_files",
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey(
            "activities.id", name="fk_activity_files_activity_id_activities", ondelete="CASCADE"), primary_key=True),
        sa.Column("file_id", sa.Integer(), sa.ForeignKey(
            "stored_files.id", name="fk_activity_files_file_id_stored_files"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("activity_files")
    op.drop_table("activity_industries")
    op.drop_table("activity_countries")
    op.drop_table("activities")
