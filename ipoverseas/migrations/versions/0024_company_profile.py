"""an enterprise's company profile: its industries and export markets (issue 17: starting follows)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile_terms",
        sa.Column("user_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("facet", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_profile_terms_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", "facet", "value", name="pk_profile_terms"),
    )


def downgrade() -> None:
    op.drop_table("profile_terms")
