"""the sub-centres' reporting duties: duty_types (seeded from data/duty_types.json), duty_items,
duty_submissions, stored_files; notifications about other records than consultations

The seed's parsing is copied here: a migration imports no live code.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parents[3] / "data" / "duty_types.json"


def _seed(connection):
    if not SEED.exists():
        return []
    rows = []
    codes = dict(connection.execute(sa.text("SELECT code, id FROM sub_centres")).all())
    for n, d in enumerate(json.loads(SEED.read_text(encoding="utf-8"))["duty_types"]):
        owner = d.get("owner", "all")
        if owner != "all" and owner not in codes:
            continue   # a duty of a sub-centre this database does not have
        rows.append({"code": d["code"][:40], "name_zh": d["name_zh"][:200], "name_en": d.get("name_en", "")[:200],
                     "short_zh": d.get("short_zh", "")[:20], "short_en": d.get("short_en", "")[:20],
                     "owner_sub_centre_id": None if owner == "all" else codes[owner],
                     "frequency": d["frequency"], "due_rule": d["due_rule"][:60],
                     "content_zh": d.get("content_zh", ""), "content_en": d.get("content_en", ""),
                     "figures": d.get("figures", []), "active": True, "position": n})
    return rows


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("entity", sa.String(32), nullable=True))
        batch.add_column(sa.Column("entity_id", sa.Integer(), nullable=True))
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", name="fk_stored_files_created_by_users"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_stored_files_sha256", "stored_files", ["sha256"])
    types = op.create_table(
        "duty_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("short_zh", sa.String(20), nullable=False),
        sa.Column("short_en", sa.String(20), nullable=False),
        sa.Column("owner_sub_centre_id", sa.Integer(),
                  sa.ForeignKey("sub_centres.id", name="fk_duty_types_owner_sub_centre_id_sub_centres"), nullable=True),
        sa.Column("frequency", sa.String(12), nullable=False),
        sa.Column("due_rule", sa.String(60), nullable=False),
        sa.Column("content_zh", sa.Text(), nullable=False),
        sa.Column("content_en", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("code", name="uq_duty_types_code"),
    )
    op.create_table(
        "duty_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("duty_type_id", sa.Integer(),
                  sa.ForeignKey("duty_types.id", name="fk_duty_items_duty_type_id_duty_types", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("sub_centre_id", sa.Integer(),
                  sa.ForeignKey("sub_centres.id", name="fk_duty_items_sub_centre_id_sub_centres"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(80), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("first_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("last_submitted_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_soon_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_due_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_overdue_at", sa.DateTime(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("duty_type_id", "sub_centre_id", "period",
                            name="uq_duty_items_duty_type_id_sub_centre_id_period"),
    )
    op.create_index("ix_duty_items_year_sub_centre", "duty_items", ["year", "sub_centre_id"])
    op.create_index("ix_duty_items_sub_centre_id", "duty_items", ["sub_centre_id"])
    op.create_index("ix_duty_items_due_on", "duty_items", ["due_on"])
    op.create_table(
        "duty_submissions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(),
                  sa.ForeignKey("duty_items.id", name="fk_duty_submissions_item_id_duty_items", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("submitted_by", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_duty_submissions_submitted_by_users"), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("file_id", sa.Integer(),
                  sa.ForeignKey("stored_files.id", name="fk_duty_submissions_file_id_stored_files"), nullable=True),
        sa.Column("decision", sa.String(12), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(),
                  sa.ForeignKey("users.id", name="fk_duty_submissions_reviewed_by_users"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_duty_submissions_item_id", "duty_submissions", ["item_id"])
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = _seed(op.get_bind())
    if rows:
        op.bulk_insert(types, [dict(r, updated_at=now) for r in rows])


def downgrade() -> None:
    op.drop_table("duty_submissions")
    op.drop_table("duty_items")
    op.drop_table("duty_types")
    op.drop_table("stored_files")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("entity_id")
        batch.drop_column("entity")

