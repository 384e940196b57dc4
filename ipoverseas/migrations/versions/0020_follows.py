"""follows, their grouped events, weekly digests (information sharing, issue 17)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_follows_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_follows"),
        sa.UniqueConstraint("user_id", "facet", "value", name="uq_follows_user_id_facet_value"),
    )
    op.create_index("ix_follows_facet_value", "follows", ["facet", "value"])
    op.create_table(
        "follow_seeds",
        sa.Column("user_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("seeded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_follow_seeds_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_follow_seeds"),
    )
    op.create_table(
        "follow_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], ondelete="SET NULL",
                                name="fk_follow_events_actor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_follow_events"),
    )
    op.create_index("ix_follow_events_created_at", "follow_events", ["created_at"])
    op.create_table(
        "follow_event_items",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.ForeignKeyConstraint(["event_id"], ["follow_events.id"], ondelete="CASCADE",
                                name="fk_follow_event_items_event_id_follow_events"),
        sa.PrimaryKeyConstraint("event_id", "entity", "record_id", name="pk_follow_event_items"),
    )
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_digests_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_digests"),
        sa.UniqueConstraint("user_id", "week", name="uq_digests_user_id_week"),
    )


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_table("follow_event_items")
    op.drop_table("follow_events")
    op.drop_table("follow_seeds")
    op.drop_table("follows")
